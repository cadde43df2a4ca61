"""The members API: scope, masked personal data, audited reveal, services for every write."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dangjian.access.models import User
from dangjian.core.models import AuditEvent
from dangjian.people import services
from dangjian.people.models import Member, PostAssignment
from tests.factories import make_member, synthetic_id_number

MEMBERS = "/api/members/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def assert_error(response, status: int, error: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "detail", "fields"}
    assert body["error"] == error
    return body


def names(response) -> list[str]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return sorted(row["name"] for row in rows)


def clear_id(member) -> str:
    return member.decrypted("id_number")


def contains(response, text: str) -> bool:
    """Whether ``text`` occurs in the body (a bool, so a failure never prints the body)."""
    return text.encode() in response.content


# Listing


def test_list_shows_only_members_in_scope(tree, branch_secretary, office_staff):
    """A branch secretary lists the branch; the committee office both branches, not the far root."""
    assert names(client_for(branch_secretary).get(MEMBERS)) == ["李书记", "王党员", "赵预备"]
    assert names(client_for(office_staff).get(MEMBERS)) == ["李书记", "王党员", "赵预备", "钱同志"]


def test_list_never_contains_a_clear_id_number_or_phone(tree, office_staff):
    """Only the masked forms leave the server in a list."""
    member = tree.members["member"]
    response = client_for(office_staff).get(MEMBERS)
    assert response.status_code == 200
    assert not contains(response, clear_id(member))
    assert not contains(response, member.decrypted("phone"))
    row = next(r for r in response.json()["results"] if r["id"] == member.pk)
    assert row["id_number_masked"] == member.id_number_masked
    assert row["phone_masked"] == "138****1234"
    assert "id_number" not in row and "phone" not in row


def test_list_filters_reuse_the_member_filter(tree, office_staff):
    """organization covers the subtree; status and q (name) narrow the list."""
    client = client_for(office_staff)
    other = tree.orgs["other_branch"]
    assert names(client.get(MEMBERS, {"organization": other.pk})) == ["钱同志"]
    assert names(client.get(MEMBERS, {"status": "probationary"})) == ["赵预备"]
    assert names(client.get(MEMBERS, {"q": "王"})) == ["王党员"]


def test_list_filter_on_organization_outside_scope_is_400(tree, branch_secretary):
    response = client_for(branch_secretary).get(
        MEMBERS, {"organization": tree.orgs["other_branch"].pk}
    )
    assert "organization" in assert_error(response, 400, "invalid")["fields"]


def test_list_refuses_id_numbers_and_phones_in_the_address(tree, office_staff):
    """q with an ID number or phone is refused (400 on q) instead of searched."""
    client = client_for(office_staff)
    for value in (clear_id(tree.members["member"]), "13800001234"):
        response = client.get(MEMBERS, {"q": value}, HTTP_ACCEPT_LANGUAGE="en")
        body = assert_error(response, 400, "invalid")
        assert "lookup" in body["fields"]["q"][0]
        assert not contains(response, value)


def test_auditor_listing_members_is_403(tree, auditor, security_admin):
    """Roles without member.view are refused, not shown an empty list."""
    for user in (auditor, security_admin):
        assert_error(client_for(user).get(MEMBERS), 403, "permission_denied")


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", MEMBERS),
        ("post", MEMBERS),
        ("get", f"{MEMBERS}1/"),
        ("patch", f"{MEMBERS}1/"),
        ("post", f"{MEMBERS}1/transfer/"),
        ("post", f"{MEMBERS}1/reveal/"),
        ("post", f"{MEMBERS}lookup/"),
        ("get", f"{MEMBERS}1/posts/"),
        ("post", f"{MEMBERS}1/posts/"),
        ("post", "/api/posts/1/end/"),
    ],
)
def test_anonymous_gets_structured_401(tree, method, path):
    response = getattr(APIClient(), method)(path, {}, format="json")
    assert_error(response, 401, "not_authenticated")


def test_list_query_count_does_not_grow_with_rows(
    tree, office_staff, django_assert_max_num_queries
):
    """Listing 5 or 30 extra members costs the same queries."""
    branch = tree.orgs["other_branch"]

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(office_staff).get(MEMBERS).status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        make_member(branch, f"新党员{i}", id_number=synthetic_id_number(serial=500 + i))
    few = queries()
    for i in range(5, 30):
        make_member(branch, f"新党员{i}", id_number=synthetic_id_number(serial=500 + i))
    with django_assert_max_num_queries(few):
        response = client_for(office_staff).get(MEMBERS)
    assert response.json()["count"] == 34


# Detail


def test_detail_has_current_posts_and_transfer_history(tree, office_staff):
    """Current posts only (an ended one is left out) and the registration transfer."""
    member, branch = tree.members["secretary"], tree.orgs["branch"]
    services.post_assign(actor=office_staff, member=member, organization=branch, title="secretary")
    old = services.post_assign(
        actor=office_staff, member=member, organization=branch, title="committee_member"
    )
    services.post_end(actor=office_staff, post=old)
    body = client_for(office_staff).get(f"{MEMBERS}{member.pk}/").json()
    assert [p["title"] for p in body["posts"]] == ["secretary"]
    assert [t["to_organization_name"] for t in body["transfers"]] == ["办公厅第三党支部"]
    assert body["transfers"][0]["from_organization"] is None


def test_detail_query_count_does_not_grow_with_history(
    tree, office_staff, django_assert_max_num_queries
):
    """Posts and transfers are fetched in fixed queries, however many there are."""
    member, branch = tree.members["member"], tree.orgs["branch"]
    url = f"{MEMBERS}{member.pk}/"
    services.post_assign(actor=office_staff, member=member, organization=branch, title="secretary")
    with CaptureQueriesContext(connection) as ctx:
        assert client_for(office_staff).get(url).status_code == 200
    for title in ("committee_member", "organization_member", "propaganda_member"):
        services.post_assign(actor=office_staff, member=member, organization=branch, title=title)
    for target in ("other_branch", "branch", "other_branch"):
        services.member_transfer(
            actor=office_staff, member=member, to_organization=tree.orgs[target]
        )
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        body = client_for(office_staff).get(url).json()
    assert len(body["posts"]) == 4
    assert len(body["transfers"]) == 4


def test_detail_outside_scope_is_404(tree, branch_secretary, outsider):
    """A member of another branch does not exist for this branch's secretary."""
    other = tree.members["other"]
    assert_error(client_for(branch_secretary).get(f"{MEMBERS}{other.pk}/"), 404, "not_found")
    member = tree.members["member"]
    assert_error(client_for(outsider).get(f"{MEMBERS}{member.pk}/"), 404, "not_found")


# Creating and changing


def new_member_data(tree, **overrides):
    data = {
        "name": "周新人",
        "gender": "female",
        "organization": tree.orgs["branch"].pk,
        "id_number": synthetic_id_number(datetime.date(1995, 5, 5), serial=777),
        "phone": "13700007777",
        "joined_party_on": "2020-07-01",
        "status": "probationary",
    }
    return data | overrides


def test_create_member_masks_personal_data(tree, branch_secretary):
    """A secretary registers a member of the branch; the answer shows only masked data and
    the stored counts follow."""
    data = new_member_data(tree)
    response = client_for(branch_secretary).post(MEMBERS, data, format="json")
    assert response.status_code == 201, response.json().get("fields")
    assert not contains(response, data["id_number"])
    assert not contains(response, data["phone"])
    body = response.json()
    assert body["id_number_masked"] == "*" * 18
    assert body["birth_date"] == "1995-05-05"
    member = Member.objects.get(pk=body["id"])
    assert member.decrypted("id_number") == data["id_number"]
    tree.orgs["branch"].refresh_from_db()
    assert tree.orgs["branch"].probationary_count == 2
    assert AuditEvent.objects.filter(object_id=str(member.pk), action="create").exists()


def test_create_with_invalid_id_number_saves_nothing(tree, branch_secretary):
    """A wrong check digit is a field error on id_number, which never repeats the number."""
    good = synthetic_id_number(datetime.date(1995, 5, 5), serial=778)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = Member.objects.count()
    response = client_for(branch_secretary).post(
        MEMBERS, new_member_data(tree, id_number=bad), format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert list(body["fields"]) == ["id_number"]
    assert not contains(response, bad)
    assert Member.objects.count() == before


def test_create_with_duplicate_id_number_is_400(tree, office_staff):
    """The ID number of an existing member is refused on id_number."""
    existing = clear_id(tree.members["member"])
    before = Member.objects.count()
    response = client_for(office_staff).post(
        MEMBERS,
        new_member_data(tree, id_number=existing, birth_date=None),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = assert_error(response, 400, "invalid")
    assert "already registered" in body["fields"]["id_number"][0]
    assert Member.objects.count() == before


def test_create_refuses_markup_in_name(tree, office_staff):
    response = client_for(office_staff).post(
        MEMBERS, new_member_data(tree, name="<img src=x onerror=alert(1)>"), format="json"
    )
    assert "name" in assert_error(response, 400, "invalid")["fields"]
    assert not Member.objects.filter(name__contains="<img").exists()


def test_create_without_member_manage_is_403(tree, dangzu_office, member_user):
    """The leading group office and plain members view members but do not register them."""
    for user in (dangzu_office, member_user):
        response = client_for(user).post(MEMBERS, new_member_data(tree), format="json")
        assert_error(response, 403, "permission_denied")
    assert not Member.objects.filter(name="周新人").exists()


def test_create_in_organization_outside_scope_is_400(tree, branch_secretary):
    response = client_for(branch_secretary).post(
        MEMBERS,
        new_member_data(tree, organization=tree.orgs["other_branch"].pk),
        format="json",
    )
    assert "organization" in assert_error(response, 400, "invalid")["fields"]


def test_partial_update_and_stale_version(tree, branch_secretary):
    """A PATCH with the current version works (phone re-masked); the same version again is 409."""
    member = tree.members["probationary"]
    client = client_for(branch_secretary)
    first = client.patch(
        f"{MEMBERS}{member.pk}/",
        {"phone": "13911112222", "admin_title": "科员", "version": member.version},
        format="json",
    )
    assert first.status_code == 200, first.json()
    assert first.json()["phone_masked"] == "139****2222"
    assert not contains(first, "13911112222")
    stale = client.patch(
        f"{MEMBERS}{member.pk}/",
        {"admin_title": "副处长", "version": member.version},
        format="json",
    )
    assert_error(stale, 409, "conflict")
    member.refresh_from_db()
    assert member.admin_title == "科员"


def test_partial_update_requires_version_and_refuses_moving(tree, office_staff):
    member = tree.members["member"]
    client = client_for(office_staff)
    no_version = client.patch(f"{MEMBERS}{member.pk}/", {"admin_title": "x"}, format="json")
    assert "version" in assert_error(no_version, 400, "invalid")["fields"]
    moving = client.patch(
        f"{MEMBERS}{member.pk}/",
        {"organization": tree.orgs["other_branch"].pk, "version": member.version},
        format="json",
    )
    assert "organization" in assert_error(moving, 400, "invalid")["fields"]


def test_transfer_moves_member_and_counts(tree, office_staff):
    """The committee office transfers a member between its branches; counts follow."""
    member, target = tree.members["member"], tree.orgs["other_branch"]
    response = client_for(office_staff).post(
        f"{MEMBERS}{member.pk}/transfer/",
        {"to_organization": target.pk, "transferred_on": "2024-03-01", "reason": "工作调动"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["from_organization_name"] == "办公厅第三党支部"
    member.refresh_from_db()
    target.refresh_from_db()
    assert member.organization == target
    assert target.member_count == 2


def test_transfer_to_organization_outside_scope_is_400(tree, branch_secretary):
    member = tree.members["member"]
    response = client_for(branch_secretary).post(
        f"{MEMBERS}{member.pk}/transfer/",
        {"to_organization": tree.orgs["other_branch"].pk},
        format="json",
    )
    assert "to_organization" in assert_error(response, 400, "invalid")["fields"]
    member.refresh_from_db()
    assert member.organization == tree.orgs["branch"]


# Reveal and lookup


def reveal(user, member, field="id_number"):
    return client_for(user).post(f"{MEMBERS}{member.pk}/reveal/", {"field": field}, format="json")


def test_reveal_returns_clear_value_and_audits(tree, office_staff):
    """The committee office may reveal; the call writes one REVEAL audit row without the value."""
    member = tree.members["member"]
    before = AuditEvent.objects.filter(action="reveal").count()
    response = reveal(office_staff, member)
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": clear_id(member)}
    assert response.headers["Cache-Control"] == "no-store"
    events = AuditEvent.objects.filter(action="reveal", object_id=str(member.pk))
    assert AuditEvent.objects.filter(action="reveal").count() == before + 1
    assert events.get().changes == {"id_number": "***"}
    assert reveal(office_staff, member, "phone").json()["value"] == "13800001234"


@pytest.mark.parametrize("persona", ["admin_user", "dangzu_office"])
def test_reveal_refused_for_roles_without_reveal(tree, persona, request):
    """The platform admin and the leading group office see members but not their personal data."""
    user = request.getfixturevalue(persona)
    response = reveal(user, tree.members["member"])
    assert_error(response, 403, "permission_denied")
    assert not contains(response, clear_id(tree.members["member"]))
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_member_reveals_own_data_only(tree, member_user):
    """A member may reveal their own ID number, not a branch colleague's."""
    own, colleague = tree.members["member"], tree.members["secretary"]
    response = reveal(member_user, own)
    assert response.status_code == 200
    assert response.json()["value"] == clear_id(own)
    assert_error(reveal(member_user, colleague), 403, "permission_denied")


def test_reveal_outside_scope_is_404_and_bad_field_400(tree, outsider, office_staff):
    assert_error(reveal(outsider, tree.members["member"]), 404, "not_found")
    response = reveal(office_staff, tree.members["member"], field="name")
    assert "field" in assert_error(response, 400, "invalid")["fields"]


def lookup(user, **body):
    return client_for(user).post(f"{MEMBERS}lookup/", body, format="json")


def test_lookup_finds_within_scope_and_answers_masked(tree, office_staff):
    """The exact ID number finds the member; the answer shows it only masked."""
    member = tree.members["member"]
    response = lookup(office_staff, id_number=clear_id(member).lower())
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [member.pk]
    assert response.json()[0]["id_number_masked"] == member.id_number_masked
    assert not contains(response, clear_id(member))
    by_phone = lookup(office_staff, phone="138 0000 1234")
    assert [row["id"] for row in by_phone.json()] == [member.pk]


def test_lookup_does_not_find_members_outside_scope(tree, outsider):
    """The other branch's secretary looks up a member of this branch: no match."""
    response = lookup(outsider, id_number=clear_id(tree.members["member"]))
    assert response.status_code == 200
    assert response.json() == []


def test_lookup_is_audited_per_member_found_without_the_value(tree, office_staff, outsider):
    """A look-up is a reveal: one audit row per member found (their "who looked"), one
    without an object when nothing matched; the looked-up value is never in the log."""
    member = tree.members["member"]
    value = clear_id(member)
    before = AuditEvent.objects.count()
    lookup(office_staff, id_number=value)
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.object_id, e.actor_name) for e in events] == [
        ("reveal", str(member.pk), office_staff.username)
    ]
    assert events[0].changes == {"id_number": "***"}
    lookup(outsider, id_number=value)  # out of scope: nothing found, still recorded
    missed = AuditEvent.objects.order_by("-seq").first()
    assert (missed.action, missed.object_id, missed.actor_name) == ("reveal", "", outsider.username)
    assert "nothing" in missed.note
    logged = " ".join(str(e.changes) + e.note + e.object_repr for e in AuditEvent.objects.all())
    assert value not in logged


def test_lookup_needs_the_reveal_action(tree, dangzu_office, member_user):
    """Matching a clear number to a record is as good as revealing it: view-only roles get 403."""
    for user in (dangzu_office, member_user):
        response = lookup(user, id_number=clear_id(tree.members["member"]))
        assert_error(response, 403, "permission_denied")


def test_lookup_validates_its_input(tree, office_staff):
    assert "__all__" in assert_error(lookup(office_staff), 400, "invalid")["fields"]
    response = lookup(office_staff, id_number="110101199001011234")
    assert "id_number" in assert_error(response, 400, "invalid")["fields"]


# Posts


def test_posts_assign_list_and_end(tree, branch_secretary):
    """A secretary gives a post, sees it among the member's posts, then ends it."""
    member = tree.members["member"]
    client = client_for(branch_secretary)
    created = client.post(
        f"{MEMBERS}{member.pk}/posts/",
        {"organization": tree.orgs["branch"].pk, "title": "propaganda_member"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    post_id = created.json()["id"]
    again = client.post(
        f"{MEMBERS}{member.pk}/posts/",
        {"organization": tree.orgs["branch"].pk, "title": "propaganda_member"},
        format="json",
    )
    assert "title" in assert_error(again, 400, "invalid")["fields"]
    listed = client.get(f"{MEMBERS}{member.pk}/posts/").json()
    assert [p["id"] for p in listed] == [post_id]
    ended = client.post(f"/api/posts/{post_id}/end/", {"ended_on": "2024-12-31"}, format="json")
    assert ended.status_code == 200
    assert PostAssignment.objects.get(pk=post_id).ended_on == datetime.date(2024, 12, 31)


def test_posts_need_member_manage_and_scope(tree, office_staff, dangzu_office, outsider):
    member, branch = tree.members["member"], tree.orgs["branch"]
    post = services.post_assign(
        actor=office_staff, member=member, organization=branch, title="secretary"
    )
    response = client_for(dangzu_office).post(
        f"{MEMBERS}{member.pk}/posts/",
        {"organization": branch.pk, "title": "committee_member"},
        format="json",
    )
    assert_error(response, 403, "permission_denied")
    assert_error(
        client_for(dangzu_office).post(f"/api/posts/{post.pk}/end/"), 403, "permission_denied"
    )
    assert_error(client_for(outsider).post(f"/api/posts/{post.pk}/end/"), 404, "not_found")
    post.refresh_from_db()
    assert post.ended_on is None


def test_create_in_a_leading_group_is_400(tree, admin_user):
    """The API refuses a membership in a 党组 on the organization field (zh message)."""
    before = Member.objects.count()
    response = client_for(admin_user).post(
        MEMBERS,
        new_member_data(tree, organization=tree.orgs["root"].pk),
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    body = assert_error(response, 400, "invalid")
    assert body["fields"]["organization"] == ["党组是领导机构，党员组织关系应在党支部。"]
    assert Member.objects.count() == before
