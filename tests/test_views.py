"""Pages by hand: forms show errors next to fields and save nothing; counts of queries stay flat."""

import datetime

import pytest
from django.urls import reverse

from dangjian.organizations.models import Organization, OrganizationKind
from dangjian.people.models import Member
from tests.factories import PASSWORD, make_member, make_org, synthetic_id_number


@pytest.fixture
def office_client(client, office_staff):
    client.login(username=office_staff.username, password=PASSWORD)
    return client


def member_form_data(tree, **overrides):
    data = {
        "name": "张测试",
        "gender": "female",
        "status": "full",
        "organization": tree.orgs["branch"].pk,
        "id_number": synthetic_id_number(datetime.date(1991, 5, 5)),
    }
    return data | overrides


def test_invalid_id_number_shows_error_and_saves_nothing(tree, office_client):
    good = synthetic_id_number(datetime.date(1991, 5, 5))
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    before = Member.objects.count()
    response = office_client.post(
        reverse("people:member_create"), member_form_data(tree, id_number=bad)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["id_number"]
    assert b'data-field="id_number"' in response.content
    assert Member.objects.count() == before


def test_valid_member_is_saved_and_shown_masked(tree, office_client):
    data = member_form_data(tree)
    response = office_client.post(reverse("people:member_create"), data)
    member = Member.objects.get(name="张测试")
    assert response.status_code == 302 and response["Location"] == member.get_absolute_url()
    page = office_client.get(member.get_absolute_url()).content.decode()
    assert data["id_number"] not in page
    assert member.id_number_masked in page


def test_empty_required_fields(tree, office_client):
    response = office_client.post(reverse("people:member_create"), {"name": "", "status": "full"})
    assert {"name", "organization"} <= set(response.context["form"].errors)


def test_organization_picker_is_scoped(tree, client, branch_secretary):
    client.login(username=branch_secretary.username, password=PASSWORD)
    form = client.get(reverse("people:member_create")).context["form"]
    names = {o.name for o in form.fields["organization"].queryset}
    assert names == {"办公厅第三党支部", "第一党小组"}
    response = client.post(
        reverse("people:member_create"),
        member_form_data(tree, organization=tree.orgs["other_branch"].pk),
    )
    assert "organization" in response.context["form"].errors
    assert not Member.objects.filter(name="张测试").exists()


def test_move_under_descendant_is_not_offered_and_refused(tree, office_client):
    committee = tree.orgs["committee"]
    url = reverse("organizations:organization_move", args=[tree.orgs["branch"].pk])
    assert (
        tree.orgs["group"] not in office_client.get(url).context["form"].fields["parent"].queryset
    )
    response = office_client.post(url, {"parent": tree.orgs["group"].pk})
    assert "parent" in response.context["form"].errors
    tree.orgs["branch"].refresh_from_db()
    assert tree.orgs["branch"].parent == committee


def test_dissolve_with_members_shows_message(tree, office_client):
    url = reverse("organizations:organization_dissolve", args=[tree.orgs["branch"].pk])
    response = office_client.post(url, follow=True)
    assert response.status_code == 200
    assert any("members" in str(m) or "党员" in str(m) for m in response.context["messages"])
    assert Organization.objects.get(pk=tree.orgs["branch"].pk).dissolved_at is None


def test_create_child_org_with_markup_is_refused(tree, office_client):
    url = reverse("organizations:organization_create") + f"?parent={tree.orgs['committee'].pk}"
    response = office_client.post(
        url,
        {
            "name": "<b>支部</b>",
            "kind": "branch",
            "sort_order": 0,
            "parent": tree.orgs["committee"].pk,
        },
    )
    assert "name" in response.context["form"].errors
    assert not Organization.objects.filter(name__contains="<b>").exists()


def test_create_child_org(tree, office_client):
    url = reverse("organizations:organization_create") + f"?parent={tree.orgs['committee'].pk}"
    response = office_client.post(
        url,
        {"name": "新支部", "kind": "branch", "sort_order": 0, "parent": tree.orgs["committee"].pk},
    )
    org = Organization.objects.get(name="新支部")
    assert response["Location"] == org.get_absolute_url()
    assert org.parent == tree.orgs["committee"]


def test_tree_search_finds_by_name_with_trail(tree, office_client):
    response = office_client.get(reverse("organizations:organization_tree"), {"q": "第三"})
    results = response.context["results"]
    assert [o.name for o in results] == ["办公厅第三党支部"]
    # The leading group above the committee is outside the office's scope: not named.
    assert results[0].trail == ["测试局机关党委"]


def _grow(tree, n):
    for i in range(n):
        branch = make_org(f"扩展支部{i}", OrganizationKind.BRANCH, tree.orgs["committee"])
        for j in range(3):
            make_member(branch, f"扩展{i}-{j}")


@pytest.mark.parametrize(
    "url_name", ["people:member_list", "organizations:organization_tree", "core:home"]
)
def test_query_count_does_not_grow_with_rows(
    url_name, tree, office_client, django_assert_max_num_queries
):
    url = reverse(url_name)
    office_client.get(url)  # warm caches (sessions, content types)
    with django_assert_max_num_queries(15) as small:
        office_client.get(url)
    _grow(tree, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        office_client.get(url)


def test_org_detail_and_children_query_counts(tree, office_client, django_assert_max_num_queries):
    committee = tree.orgs["committee"]
    urls = [
        reverse("organizations:organization_detail", args=[committee.pk]),
        reverse("organizations:organization_children", args=[committee.pk]),
    ]
    counts = []
    for url in urls:
        office_client.get(url)
        with django_assert_max_num_queries(25) as captured:
            office_client.get(url)
        counts.append(len(captured.captured_queries))
    _grow(tree, 10)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            office_client.get(url)
