"""The organizations and units API: scope, roles, services, structured errors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dangjian.access.models import RoleGrant, User
from dangjian.access.roles import Role
from dangjian.core.models import AuditEvent
from dangjian.organizations.models import Organization, OrganizationKind, Unit
from tests.factories import make_org, make_user

ORGS = "/api/organizations/"


def client_for(user) -> APIClient:
    client = APIClient()
    # A fresh user object per client, so no grant cache carries over between requests.
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def assert_error(response, status: int, error: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "detail", "fields"}
    assert body["error"] == error
    assert body["detail"]
    return body


def names(response) -> list[str]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return sorted(row["name"] for row in rows)


# Listing


def test_list_shows_only_the_users_subtree(tree, office_staff):
    """The committee office sees the committee and everything below it, nothing above or aside."""
    response = client_for(office_staff).get(ORGS)
    assert response.status_code == 200
    assert names(response) == sorted(
        ["测试局机关党委", "办公厅第三党支部", "第一党小组", "宣传司党支部"]
    )


def test_list_filters_by_parent_kind_and_name(tree, admin_user):
    """parent gives direct children, kind one kind, q a part of the name."""
    client = client_for(admin_user)
    by_parent = client.get(ORGS, {"parent": tree.orgs["committee"].pk})
    assert names(by_parent) == sorted(["办公厅第三党支部", "宣传司党支部"])
    assert names(client.get(ORGS, {"kind": OrganizationKind.GROUP})) == ["第一党小组"]
    assert names(client.get(ORGS, {"q": "宣传"})) == ["宣传司党支部"]


def test_dissolved_organizations_are_listed_only_on_request(tree, office_staff):
    """A dissolved organization leaves the list unless include_dissolved=true, yet opens."""
    client = client_for(office_staff)
    group = tree.orgs["group"]
    assert client.post(f"{ORGS}{group.pk}/dissolve/").status_code == 200
    assert "第一党小组" not in names(client.get(ORGS))
    assert "第一党小组" in names(client.get(ORGS, {"include_dissolved": "true"}))
    detail = client.get(f"{ORGS}{group.pk}/")
    assert detail.status_code == 200
    assert detail.json()["is_dissolved"] is True


def test_role_without_org_view_is_refused_with_403(tree, auditor):
    """The auditor reads the audit log only: listing organizations is forbidden, not empty."""
    assert_error(client_for(auditor).get(ORGS), 403, "permission_denied")


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", ORGS),
        ("post", ORGS),
        ("get", f"{ORGS}1/"),
        ("patch", f"{ORGS}1/"),
        ("post", f"{ORGS}1/move/"),
        ("post", f"{ORGS}1/dissolve/"),
        ("get", f"{ORGS}1/children/"),
        ("get", "/api/units/"),
        ("post", "/api/units/"),
    ],
)
def test_anonymous_gets_structured_401(tree, method, path):
    """Without credentials every endpoint answers 401 with the error body and a token challenge."""
    response = getattr(APIClient(), method)(path, {}, format="json")
    assert_error(response, 401, "not_authenticated")
    assert response.headers["WWW-Authenticate"].startswith("Token")


def test_list_query_count_does_not_grow_with_rows(tree, admin_user, django_assert_max_num_queries):
    """Listing 5 or 30 organizations costs the same few queries."""
    committee = tree.orgs["committee"]

    def count_for_list():
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(admin_user).get(ORGS).status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        make_org(f"新支部{i}", OrganizationKind.BRANCH, committee, tree.units["office"])
    few = count_for_list()
    for i in range(5, 30):
        make_org(f"新支部{i}", OrganizationKind.BRANCH, committee, tree.units["office"])
    with django_assert_max_num_queries(few):
        response = client_for(admin_user).get(ORGS)
    assert response.json()["count"] == Organization.objects.count()


# Detail and children


def test_detail_has_subtree_totals_and_visible_ancestors(tree, office_staff):
    """The committee's detail counts members two levels down; the breadcrumb omits the
    leading group, which lies above the committee office's scope."""
    branch = tree.orgs["branch"]
    body = client_for(office_staff).get(f"{ORGS}{tree.orgs['committee'].pk}/").json()
    assert body["subtree"] == {
        "organizations": 3,
        "branches": 2,
        "members": 4,
        "probationary": 1,
        "full": 3,
    }
    trail = client_for(office_staff).get(f"{ORGS}{branch.pk}/").json()["ancestors"]
    assert [a["name"] for a in trail] == ["测试局机关党委"]


def test_detail_outside_scope_is_404(tree, office_staff, branch_secretary):
    """An organization outside the user's subtree does not exist for them."""
    assert_error(
        client_for(office_staff).get(f"{ORGS}{tree.orgs['other_root'].pk}/"), 404, "not_found"
    )
    assert_error(
        client_for(branch_secretary).get(f"{ORGS}{tree.orgs['other_branch'].pk}/"),
        404,
        "not_found",
    )


def test_children_have_their_own_subtree_totals(tree, office_staff):
    """Children of the committee: both branches, each with its members counted."""
    response = client_for(office_staff).get(f"{ORGS}{tree.orgs['committee'].pk}/children/")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    assert set(rows) == {"办公厅第三党支部", "宣传司党支部"}
    assert rows["办公厅第三党支部"]["subtree"]["members"] == 3
    assert rows["办公厅第三党支部"]["has_children"] is True
    assert rows["宣传司党支部"]["subtree"]["members"] == 1


def test_children_outside_scope_is_404(tree, branch_secretary):
    response = client_for(branch_secretary).get(f"{ORGS}{tree.orgs['committee'].pk}/children/")
    assert_error(response, 404, "not_found")


# Creating and changing


def test_create_goes_through_the_service(tree, office_staff):
    """A new branch under the committee gets its tree path and an audit row."""
    committee = tree.orgs["committee"]
    response = client_for(office_staff).post(
        ORGS,
        {
            "parent": committee.pk,
            "name": "电视剧司党支部",
            "kind": OrganizationKind.BRANCH,
            "unit": tree.units["publicity"].pk,
            "established_on": "2020-01-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    org = Organization.objects.get(pk=response.json()["id"])
    assert org.parent == committee
    assert org.path.startswith(committee.path)
    assert response.json()["ancestors"][-1]["name"] == "测试局机关党委"
    assert AuditEvent.objects.filter(
        object_type="organizations.organization", object_id=str(org.pk), action="create"
    ).exists()


def test_create_refuses_markup_in_name(tree, office_staff):
    """HTML or script in a name is refused with a field error; nothing is saved."""
    before = Organization.objects.count()
    response = client_for(office_staff).post(
        ORGS,
        {
            "parent": tree.orgs["committee"].pk,
            "name": "<script>alert(1)</script>支部",
            "kind": OrganizationKind.BRANCH,
        },
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert "name" in body["fields"]
    assert Organization.objects.count() == before


def test_create_refuses_a_kind_not_allowed_under_the_parent(tree, office_staff):
    """The service's kind rule arrives as a field error on kind."""
    response = client_for(office_staff).post(
        ORGS,
        {"parent": tree.orgs["branch"].pk, "name": "支部里的支部", "kind": "branch"},
        format="json",
    )
    assert "kind" in assert_error(response, 400, "invalid")["fields"]


def test_create_under_parent_outside_scope_is_refused(tree, office_staff):
    """A parent the user cannot see is an unknown id: 400 on parent, nothing created."""
    before = Organization.objects.count()
    response = client_for(office_staff).post(
        ORGS,
        {"parent": tree.orgs["other_root"].pk, "name": "越界支部", "kind": "branch"},
        format="json",
    )
    assert "parent" in assert_error(response, 400, "invalid")["fields"]
    assert Organization.objects.count() == before


def test_create_without_org_manage_is_403(tree, branch_secretary, dangzu_office):
    """Branch secretaries and the leading group office view the tree but do not change it."""
    for user in (branch_secretary, dangzu_office):
        response = client_for(user).post(
            ORGS,
            {"parent": tree.orgs["branch"].pk, "name": "第二党小组", "kind": "group"},
            format="json",
        )
        assert_error(response, 403, "permission_denied")
    assert not Organization.objects.filter(name="第二党小组").exists()


def test_create_top_level_needs_a_platform_role(tree, office_staff, admin_user):
    """A new root lies outside every subtree grant: 403 for the office, 201 for the admin."""
    data = {"name": "新局党组", "kind": OrganizationKind.LEADING_GROUP}
    assert_error(client_for(office_staff).post(ORGS, data, format="json"), 403, "permission_denied")
    assert client_for(admin_user).post(ORGS, data, format="json").status_code == 201


def test_partial_update_with_current_version(tree, office_staff):
    """A PATCH with the version read changes the name and bumps the version."""
    branch = tree.orgs["branch"]
    response = client_for(office_staff).patch(
        f"{ORGS}{branch.pk}/", {"short_name": "三支部", "version": branch.version}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["short_name"] == "三支部"
    assert response.json()["version"] == branch.version + 1
    branch.refresh_from_db()
    assert branch.short_name == "三支部"


def test_partial_update_with_stale_version_is_409(tree, office_staff):
    """Someone changed the organization since it was read: 409 conflict, nothing written."""
    branch = tree.orgs["branch"]
    client = client_for(office_staff)
    first = client.patch(
        f"{ORGS}{branch.pk}/", {"short_name": "甲", "version": branch.version}, format="json"
    )
    assert first.status_code == 200
    second = client.patch(
        f"{ORGS}{branch.pk}/", {"short_name": "乙", "version": branch.version}, format="json"
    )
    assert_error(second, 409, "conflict")
    branch.refresh_from_db()
    assert branch.short_name == "甲"


def test_partial_update_requires_version_and_refuses_parent(tree, office_staff):
    """Without version the PATCH is refused; the parent changes only through move."""
    branch = tree.orgs["branch"]
    client = client_for(office_staff)
    no_version = client.patch(f"{ORGS}{branch.pk}/", {"short_name": "x"}, format="json")
    assert "version" in assert_error(no_version, 400, "invalid")["fields"]
    with_parent = client.patch(
        f"{ORGS}{branch.pk}/",
        {"parent": tree.orgs["other_branch"].pk, "version": branch.version},
        format="json",
    )
    assert "parent" in assert_error(with_parent, 400, "invalid")["fields"]


def test_visible_but_not_manageable_is_403(tree):
    """Managing one branch and merely viewing another: changing the viewed one is 403
    (it exists for the user, the service refuses), and nothing changes."""
    user = make_user("mixed", role=Role.ORGAN_OFFICE, organization=tree.orgs["other_branch"])
    RoleGrant.objects.create(user=user, role=Role.MEMBER, organization=tree.orgs["branch"])
    branch = tree.orgs["branch"]
    client = client_for(user)
    assert client.get(f"{ORGS}{branch.pk}/").status_code == 200
    response = client.patch(
        f"{ORGS}{branch.pk}/", {"short_name": "x", "version": branch.version}, format="json"
    )
    assert_error(response, 403, "permission_denied")
    branch.refresh_from_db()
    assert branch.short_name == ""


def test_partial_update_outside_scope_is_404(tree, office_staff):
    root = tree.orgs["root"]
    response = client_for(office_staff).patch(
        f"{ORGS}{root.pk}/", {"short_name": "x", "version": root.version}, format="json"
    )
    assert_error(response, 404, "not_found")


def test_move_under_own_descendant_is_400_on_parent(tree, office_staff):
    """Moving the committee under its own branch is refused on the parent field; paths stay."""
    committee = tree.orgs["committee"]
    response = client_for(office_staff).post(
        f"{ORGS}{committee.pk}/move/", {"parent": tree.orgs["branch"].pk}, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert list(body["fields"]) == ["parent"]
    committee.refresh_from_db()
    assert committee.path == tree.orgs["committee"].path


def test_move_puts_the_subtree_under_the_new_parent(tree, office_staff):
    """The party group moves from one branch to the other."""
    group, target = tree.orgs["group"], tree.orgs["other_branch"]
    response = client_for(office_staff).post(
        f"{ORGS}{group.pk}/move/", {"parent": target.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    group.refresh_from_db()
    assert group.parent == target
    assert group.path.startswith(target.path)


def test_dissolve_with_members_is_400(tree, office_staff):
    """A branch that still has members is not dissolved; the reason is the detail."""
    branch = tree.orgs["branch"]
    response = client_for(office_staff).post(
        f"{ORGS}{branch.pk}/dissolve/", HTTP_ACCEPT_LANGUAGE="en"
    )
    body = assert_error(response, 400, "invalid")
    assert "members" in body["detail"]
    assert body["fields"]["__all__"] == [body["detail"]]
    branch.refresh_from_db()
    assert branch.dissolved_at is None


def test_dissolve_outside_scope_is_404_and_without_role_403(tree, office_staff, branch_secretary):
    assert_error(
        client_for(office_staff).post(f"{ORGS}{tree.orgs['other_root'].pk}/dissolve/"),
        404,
        "not_found",
    )
    assert_error(
        client_for(branch_secretary).post(f"{ORGS}{tree.orgs['group'].pk}/dissolve/"),
        403,
        "permission_denied",
    )


# Units


def test_units_are_listed_for_anyone_viewing_organizations(tree, branch_secretary, auditor):
    response = client_for(branch_secretary).get("/api/units/")
    assert response.status_code == 200
    assert {"办公厅", "宣传司"} <= {u["name"] for u in response.json()["results"]}
    assert_error(client_for(auditor).get("/api/units/"), 403, "permission_denied")


def test_unit_create_and_update_need_unit_manage(tree, office_staff, branch_secretary):
    """The committee office manages units (audited); a branch secretary may not."""
    parent = Unit.objects.get(name="测试局")
    data = {"name": "网络视听司", "kind": "department", "parent": parent.pk}
    assert_error(
        client_for(branch_secretary).post("/api/units/", data, format="json"),
        403,
        "permission_denied",
    )
    created = client_for(office_staff).post("/api/units/", data, format="json")
    assert created.status_code == 201, created.content
    unit_id = created.json()["id"]
    changed = client_for(office_staff).patch(
        f"/api/units/{unit_id}/", {"sort_order": 5}, format="json"
    )
    assert changed.status_code == 200
    assert Unit.objects.get(pk=unit_id).sort_order == 5
    assert (
        AuditEvent.objects.filter(object_type="organizations.unit", object_id=str(unit_id)).count()
        == 2
    )


def test_unit_name_with_markup_is_refused(tree, office_staff):
    response = client_for(office_staff).post(
        "/api/units/", {"name": "<b>司</b>", "kind": "department"}, format="json"
    )
    assert "name" in assert_error(response, 400, "invalid")["fields"]
    assert not Unit.objects.filter(name__contains="<b>").exists()
