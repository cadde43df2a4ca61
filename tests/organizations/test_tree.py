"""The materialized-path tree: creation, subtree queries, moves, dissolving."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.models import AuditEvent
from dangjian.organizations import selectors, services
from dangjian.organizations.models import STEP, Organization, OrganizationKind
from tests.factories import make_member, make_org


def test_paths_chain_ancestor_ids(tree):
    """A child's path is its parent's path plus one fixed-width step."""
    branch = tree.orgs["branch"]
    committee = tree.orgs["committee"]
    assert branch.path.startswith(committee.path)
    assert len(branch.path) == len(committee.path) + STEP
    assert branch.depth == committee.depth + 1 == 2
    assert [o.name for o in branch.ancestors()] == ["测试局党组", "测试局机关党委"]


def test_subtree_totals_count_every_level(tree):
    """Totals of the root include members of branches two levels down."""
    totals = selectors.organization_totals(organization=tree.orgs["root"])
    assert totals.members == 4  # 3 in the branch, 1 in the other branch
    assert totals.probationary == 1
    assert totals.organizations == 4  # committee, two branches, one group
    assert totals.branches == 2


def test_move_rewrites_the_whole_subtree(tree, office_staff):
    """Moving a branch moves its party group with it, and is audited."""
    branch, group = tree.orgs["branch"], tree.orgs["group"]
    new_parent = make_org("新党总支", OrganizationKind.GENERAL_BRANCH, tree.orgs["committee"])
    services.organization_move(actor=office_staff, organization=branch, new_parent=new_parent)
    branch.refresh_from_db()
    group.refresh_from_db()
    assert branch.parent == new_parent
    assert branch.path.startswith(new_parent.path)
    assert group.path.startswith(branch.path)
    assert group.depth == 4
    assert AuditEvent.objects.filter(object_id=str(branch.pk), note="move").exists()


def test_move_under_own_descendant_is_refused(tree, office_staff):
    """Nothing changes when the new parent lies inside the moved subtree."""
    committee = tree.orgs["committee"]
    before = committee.path
    with pytest.raises(ValidationError) as exc:
        services.organization_move(
            actor=office_staff, organization=committee, new_parent=tree.orgs["branch"]
        )
    assert "parent" in exc.value.message_dict
    committee.refresh_from_db()
    assert committee.path == before


def test_dissolve_refuses_organization_with_members(tree, office_staff):
    with pytest.raises(ValidationError) as excinfo:
        services.organization_dissolve(actor=office_staff, organization=tree.orgs["branch"])
    assert excinfo.value.code == "has_members"
    assert Organization.objects.get(pk=tree.orgs["branch"].pk).dissolved_at is None


def test_dissolve_empty_organization(tree, office_staff):
    group = tree.orgs["group"]
    services.organization_dissolve(actor=office_staff, organization=group)
    group.refresh_from_db()
    assert group.is_dissolved
    assert group not in Organization.objects.active()


def test_kind_rules(tree, office_staff):
    """A party group cannot hold a branch."""
    with pytest.raises(ValidationError) as exc:
        services.organization_create(
            actor=office_staff,
            name="错误支部",
            kind=OrganizationKind.BRANCH,
            parent=tree.orgs["group"],
        )
    assert "kind" in exc.value.message_dict


def test_member_counts_follow_transfers(tree, office_staff):
    from dangjian.people.services import member_transfer

    m = make_member(tree.orgs["branch"], "转移者")
    member_transfer(actor=office_staff, member=m, to_organization=tree.orgs["other_branch"])
    tree.orgs["branch"].refresh_from_db()
    tree.orgs["other_branch"].refresh_from_db()
    assert tree.orgs["branch"].member_count == 3
    assert tree.orgs["other_branch"].member_count == 2


@pytest.mark.parametrize("siblings", [3, selectors.MANY_SIBLINGS + 5])
def test_children_totals_are_right_for_few_and_many_siblings(tree, siblings):
    """Totals per child are the same whether read per child or per parent range."""
    parent = make_org("大党委", OrganizationKind.COMMITTEE, tree.orgs["root"])
    children = [make_org(f"第{i}党支部", OrganizationKind.BRANCH, parent) for i in range(siblings)]
    make_org("第一党小组", OrganizationKind.GROUP, children[1])
    make_member(children[1])
    make_member(children[1], status="probationary")
    make_member(children[2])
    orgs = list(Organization.objects.filter(parent=parent).order_by("path"))
    selectors._attach_totals(orgs)
    by_pk = {o.pk: o for o in orgs}
    first, second, third = (by_pk[c.pk] for c in children[:3])
    assert (second.subtree.organizations, second.subtree.members) == (1, 2)
    assert second.subtree.probationary == 1 and second.has_children
    assert (third.subtree.organizations, third.subtree.members) == (0, 1)
    assert (first.subtree.members, first.has_children) == (0, False)


def test_wide_nodes_are_shown_a_page_at_a_time(tree, office_staff, client, monkeypatch):
    """The tree shows a page of children and a "more" button that loads the rest."""
    from django.urls import reverse

    from tests.factories import PASSWORD

    monkeypatch.setattr(selectors, "CHILDREN_PAGE", 2)
    parent = make_org("大党委", OrganizationKind.COMMITTEE, tree.orgs["committee"])
    for i in range(5):
        make_org(f"第{i}党支部", OrganizationKind.BRANCH, parent)
    assert client.login(username=office_staff.username, password=PASSWORD)
    url = reverse("organizations:organization_children", args=[parent.pk])
    first = client.get(url).content.decode()
    assert first.count("data-org=") == 2 and 'data-testid="tree-more"' in first
    assert f"{url}?offset=2" in first
    last = client.get(url, {"offset": 4}).content.decode()
    assert last.count("data-org=") == 1 and "tree-more" not in last
    page = client.get(parent.get_absolute_url()).content.decode()
    assert 'data-testid="children-more"' in page
