"""The one policy: subtree grants, platform roles, failing closed."""

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.organizations.models import Organization
from dangjian.people.models import Member


def names(qs):
    return sorted(o.name for o in qs)


def test_branch_secretary_sees_only_own_branch(tree, branch_secretary):
    orgs = Organization.objects.restrict(branch_secretary, Action.ORG_VIEW)
    assert names(orgs) == ["办公厅第三党支部", "第一党小组"]
    members = Member.objects.restrict(branch_secretary, Action.MEMBER_VIEW)
    assert names(members) == ["李书记", "王党员", "赵预备"]


def test_office_sees_committee_subtree_not_other_root(tree, office_staff):
    members = Member.objects.restrict(office_staff, Action.MEMBER_VIEW)
    assert "钱同志" in names(members)
    assert "孙远方" not in names(members)


def test_user_without_grant_sees_nothing(tree):
    nobody = tree.users["nobody"]
    assert not Organization.objects.restrict(nobody, Action.ORG_VIEW).exists()
    assert not Member.objects.restrict(nobody, Action.MEMBER_VIEW).exists()


def test_anonymous_sees_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert not Member.objects.restrict(AnonymousUser(), Action.MEMBER_VIEW).exists()


def test_member_reveals_only_own_data(tree, member_user):
    own, colleague = tree.members["member"], tree.members["secretary"]
    assert policy.can(member_user, Action.MEMBER_REVEAL, own)
    assert not policy.can(member_user, Action.MEMBER_REVEAL, colleague)


def test_platform_admin_reads_no_personal_data(tree, admin_user):
    """三员分立: the administrator manages members but cannot reveal their data."""
    member = tree.members["member"]
    assert policy.can(admin_user, Action.MEMBER_MANAGE, member)
    assert not policy.can(admin_user, Action.MEMBER_REVEAL, member)
    assert not policy.can(admin_user, Action.AUDIT_VIEW)


def test_auditor_has_only_the_audit_log(tree, auditor):
    assert policy.can(auditor, Action.AUDIT_VIEW)
    assert not Organization.objects.restrict(auditor, Action.ORG_VIEW).exists()


def test_inactive_user_loses_everything(tree, office_staff):
    office_staff.is_active = False
    assert not Member.objects.restrict(office_staff, Action.MEMBER_VIEW).exists()
