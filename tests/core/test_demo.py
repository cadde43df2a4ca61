"""``dangjian load_demo``: the organs of the seed reports, synthetic members, demo accounts."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation

from dangjian.access.models import RoleGrant, User
from dangjian.access.roles import Action, Role
from dangjian.core import demo
from dangjian.core.models import AuditEvent
from dangjian.core.validators import validate_id_number
from dangjian.organizations.models import Organization, OrganizationKind, Unit, encode_step
from dangjian.people.models import Member, MemberStatus, MemberTransfer, PostAssignment
from dangjian.people.services import validate_member_data
from tests.factories import make_org

PASSWORD = "Demo-password-2024"
SIZE = 120
REAL_PEOPLE = {
    # name: (admin title, own organization (a branch, never the 党组), {(post organization, title)})
    "乐玉成": ("副局长", "办公厅第一党支部", {("广电总局党组", "leading_group_member")}),
    "杨小伟": (
        "副局长",
        "办公厅第一党支部",
        {("广电总局党组", "leading_group_member"), ("广电总局机关党委", "secretary")},
    ),
    "张新文": ("局长", "局机关第一党支部", {("省广电局党组", "leading_group_secretary")}),
    "王育宏": ("副局长", "局机关第一党支部", {("省广电局党组", "leading_group_member")}),
    "卓玛才让": ("副局长", "局机关第一党支部", {("省广电局党组", "leading_group_member")}),
}
# The ten presenting branches of seed 000: (branch, parent organization, unit, parent unit).
PRESENTERS = [
    ("办公厅第三党支部", "广电总局机关党委", "办公厅", "国家广播电视总局"),
    ("宣传司党支部", "广电总局机关党委", "宣传司", "国家广播电视总局"),
    ("电视剧司党支部", "广电总局机关党委", "电视剧司", "国家广播电视总局"),
    ("网络视听司党支部", "广电总局机关党委", "网络视听司", "国家广播电视总局"),
    ("规划财务司党支部", "广电总局机关党委", "规划财务司", "国家广播电视总局"),
    ("北京地球站节目平台机房党支部", "北京地球站党委", "节目平台机房", "北京地球站"),
    ("监管中心信息安全处党支部", "监管中心党委", "信息安全处", "监管中心"),
    ("广科院电视技术研究所党支部", "广科院党委", "电视技术研究所", "广科院"),
    ("机关服务局技术保障部党支部", "机关服务局党委", "技术保障部", "机关服务局"),
    ("中广公司工程事业部党支部", "中广公司党委", "工程事业部", "中广公司"),
]
ACCOUNTS = {
    # username: (role, organization name or None)
    "admin": (Role.SYSTEM_ADMIN, None),
    "jiguan": (Role.ORGAN_OFFICE, "广电总局机关党委"),
    "dangzu": (Role.LEADING_GROUP_OFFICE, "广电总局党组"),
    "shengju": (Role.LEADING_GROUP_OFFICE, "省广电局党组"),
    "zhibu": (Role.BRANCH_SECRETARY, "办公厅第三党支部"),
    "dangyuan": (Role.MEMBER, "办公厅第三党支部"),
    "anquan": (Role.SECURITY_ADMIN, None),
    "shenji": (Role.AUDITOR, None),
}
MODELS = (Unit, Organization, Member, PostAssignment, MemberTransfer, User, RoleGrant, AuditEvent)


def load(**options) -> str:
    """Run the command in English, so that messages can be matched whatever the catalog says."""
    out = io.StringIO()
    options.setdefault("size", SIZE)
    options.setdefault("password", PASSWORD)
    with translation.override("en"):
        call_command("load_demo", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    """Rows per table (log-ins, audited by the platform, left out)."""
    found = {model.__name__: model.objects.count() for model in MODELS}
    found["AuditEvent"] = AuditEvent.objects.exclude(action__startswith="log").count()
    return found


def org(name: str, **filters) -> Organization:
    return Organization.objects.select_related("parent", "unit__parent").get(name=name, **filters)


@pytest.fixture
def loaded(db):
    return load()


def test_seed_organs_are_the_roots(loaded):
    """Each organ's leading group is a root, with its organ committee right below it."""
    for root, committee, organ in (
        ("广电总局党组", "广电总局机关党委", "国家广播电视总局"),
        ("省广电局党组", "省广电局机关党委", "省广电局"),
    ):
        leading_group = org(root)
        assert leading_group.parent is None
        assert leading_group.kind == OrganizationKind.LEADING_GROUP
        assert (leading_group.unit.name, leading_group.unit.kind) == (organ, "organ")
        organ_committee = org(committee)
        assert organ_committee.parent == leading_group
        assert organ_committee.kind == OrganizationKind.ORGAN_COMMITTEE
    assert sorted(Organization.objects.filter(parent=None).values_list("name", flat=True)) == [
        "广电总局党组",
        "省广电局党组",
    ]
    assert not Unit.objects.filter(name="机关党委").exists()


def test_every_presenting_branch_exists_under_its_parent_and_unit(loaded):
    """The ten branches of the forum (seed 000) sit where the report puts them."""
    for name, parent, unit, parent_unit in PRESENTERS:
        branch = org(name)
        assert branch.kind == OrganizationKind.BRANCH
        assert branch.parent.name == parent, name
        assert (branch.unit.name, branch.unit.parent.name) == (unit, parent_unit), name
        if parent != "广电总局机关党委":
            # Directly affiliated units' committees answer to the organ committee.
            assert branch.parent.kind == OrganizationKind.COMMITTEE
            assert branch.parent.parent.name == "广电总局机关党委"
            assert branch.parent.unit.name == parent_unit
    assert (
        Organization.objects.filter(name__startswith="办公厅第", name__endswith="党支部").count()
        >= 3
    )
    assert org("局机关第一党支部").parent.name == "省广电局机关党委"


def test_tree_paths_depths_units_and_secretaries_are_consistent(loaded):
    """Paths chain the ancestors' ids; every branch has a unit and exactly one secretary."""
    orgs = {o.pk: o for o in Organization.objects.all()}
    for o in orgs.values():
        parent = orgs.get(o.parent_id)
        assert o.path == (parent.path if parent else "") + encode_step(o.pk)
        assert o.depth == (parent.depth + 1 if parent else 0)
    branches = [o for o in orgs.values() if o.kind == OrganizationKind.BRANCH]
    assert len(branches) == demo.branch_count(SIZE)
    assert all(b.unit_id for b in branches)
    secretaries = PostAssignment.objects.filter(title="secretary", organization__kind="branch")
    assert sorted(secretaries.values_list("organization_id", flat=True)) == sorted(
        b.pk for b in branches
    )
    for post in secretaries.select_related("member"):
        # A branch's secretary is one of its own full members.
        assert post.member.organization_id == post.organization_id
        assert post.member.status == MemberStatus.FULL
    groups = Organization.objects.filter(kind=OrganizationKind.GROUP)
    assert groups.filter(parent__name="办公厅第三党支部").count() == 2
    assert all(g.parent.kind == OrganizationKind.BRANCH for g in groups.select_related("parent"))


def test_real_people_have_only_name_title_and_posts(loaded):
    """The five people of the reports carry nothing the reports do not say."""
    for name, (title, organization, posts) in REAL_PEOPLE.items():
        member = Member.objects.select_related("organization").get(name=name)
        assert member.admin_title == title
        assert member.organization.name == organization
        assert set(member.posts.values_list("organization__name", "title")) == posts
        assert member.id_number_cipher is None
        assert member.id_number_index is None
        assert member.id_number_masked == ""
        assert member.phone_cipher is None
        assert member.phone_masked == ""
        assert member.birth_date is None
        assert (member.gender, member.ethnicity, member.education) == ("", "", "")
        assert (member.joined_party_on, member.full_member_on) == (None, None)
        assert all(p.started_on is None for p in member.posts.all())


def test_synthetic_members_pass_the_platform_validation(loaded):
    """Decrypted ID numbers are checksum-valid, match birth date and gender, and are unique."""
    synthetic = Member.objects.exclude(name__in=REAL_PEOPLE)
    assert synthetic.count() == SIZE
    seen = set()
    for member in synthetic:
        id_number = member.decrypted("id_number")
        assert validate_id_number(id_number, birth_date=member.birth_date) == id_number
        assert int(id_number[16]) % 2 == (1 if member.gender == "male" else 0)
        seen.add(id_number)
        data = {
            "id_number": id_number,
            "phone": member.decrypted("phone"),
            "birth_date": member.birth_date,
            "joined_party_on": member.joined_party_on,
            "full_member_on": member.full_member_on,
            "status": member.status,
        }
        assert validate_member_data(data=data, exclude_pk=member.pk) == {}
        assert member.joined_party_on is not None
        if member.status == MemberStatus.FULL:
            assert member.full_member_on == demo.add_years(member.joined_party_on, 1)
        else:
            assert member.full_member_on is None
        assert member.name not in REAL_PEOPLE
    assert len(seen) == SIZE
    assert Member.objects.filter(phone_cipher__isnull=False).count() > SIZE // 2


def test_stored_counts_and_registration_transfers_are_right(loaded):
    """Each organization's stored counts equal its members; each member has one registration."""
    for o in Organization.objects.all():
        members = Member.objects.current().filter(organization=o)
        assert o.member_count == members.count(), o.name
        assert o.probationary_count == members.filter(status="probationary").count(), o.name
    assert MemberTransfer.objects.count() == Member.objects.count()
    for transfer in MemberTransfer.objects.select_related("member"):
        assert transfer.from_organization_id is None
        assert transfer.to_organization_id == transfer.member.organization_id
        assert transfer.reason == "registered"  # as member_create writes it (in English here)


def test_demo_accounts_log_in_with_their_grants(loaded):
    """Every demo account logs in with the password and holds exactly its role."""
    for username, (role, organization) in ACCOUNTS.items():
        assert Client().login(username=username, password=PASSWORD), username
        user = User.objects.get(username=username)
        grants = list(user.grants.values_list("role", "organization__name"))
        assert grants == [(role, organization)]
        assert not user.is_staff and not user.is_superuser
        assert user.display_name and user.display_name != username
    assert not Client().login(username="zhibu", password="wrong-password-1")
    assert User.objects.count() == len(ACCOUNTS)


def test_zhibu_sees_only_its_branch_and_dangyuan_is_an_ordinary_member(loaded):
    branch = org("办公厅第三党支部")
    zhibu = User.objects.select_related("member").get(username="zhibu")
    assert zhibu.member.organization == branch
    assert zhibu.display_name == zhibu.member.name
    assert zhibu.member.posts.filter(organization=branch, title="secretary").exists()
    visible = Member.objects.restrict(zhibu, Action.MEMBER_VIEW)
    assert set(visible) == set(Member.objects.filter(organization=branch))
    assert visible.count() >= demo.DEMO_BRANCH_MIN_MEMBERS
    dangyuan = User.objects.select_related("member").get(username="dangyuan")
    assert dangyuan.member.organization == branch
    assert not dangyuan.member.posts.exists()
    assert dangyuan.member_id != zhibu.member_id


def test_loading_is_one_audit_event(loaded):
    """Thousands of rows, one audit row: action import, note "demo data"."""
    event = AuditEvent.objects.get()
    assert (event.action, event.note) == (AuditEvent.Action.IMPORT, "demo data")
    assert event.changes["members"] == SIZE + len(REAL_PEOPLE)


def test_output_is_one_line_of_counts_without_personal_data(db):
    output = load()
    assert output.count("\n") == 1
    assert f"{SIZE + len(REAL_PEOPLE)} members" in output
    names = set(Member.objects.values_list("name", flat=True))
    assert not any(name in output for name in names)
    assert not re.search(r"\d{11}", output)


def test_second_run_creates_nothing_and_resets_the_passwords(loaded):
    before = counts()
    output = load(password="Another-password-2025", size=500, seed=99)
    assert counts() == before | {"AuditEvent": before["AuditEvent"] + 1}
    assert "already loaded" in output
    assert AuditEvent.objects.filter(note="demo passwords reset").count() == 1
    assert Client().login(username="zhibu", password="Another-password-2025")
    assert not Client().login(username="zhibu", password=PASSWORD)
    # The same password again changes nothing, and records nothing.
    load(password="Another-password-2025")
    assert counts() == before | {"AuditEvent": before["AuditEvent"] + 1}


def test_password_comes_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("DANGJIAN_DEMO_PASSWORD", PASSWORD)
    load(password=None)
    assert Client().login(username="jiguan", password=PASSWORD)


def test_without_a_password_the_command_fails_cleanly(db, monkeypatch):
    monkeypatch.delenv("DANGJIAN_DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DANGJIAN_DEMO_PASSWORD"):
        load(password=None)
    assert set(counts().values()) == {0}


def test_a_weak_password_is_refused(db):
    with pytest.raises(CommandError, match="too weak"):
        load(password="123")
    assert set(counts().values()) == {0}


def test_a_size_below_the_minimum_is_refused(db):
    minimum = demo.minimum_size()
    with pytest.raises(CommandError, match=str(minimum)):
        load(size=minimum - 1)
    assert set(counts().values()) == {0}


def test_a_database_with_other_data_is_left_alone(db):
    """Demo data never mixes into a database that already holds organizations."""
    make_org("某局党组", OrganizationKind.LEADING_GROUP)
    with pytest.raises(CommandError, match="empty database"):
        load()
    assert Organization.objects.count() == 1
    assert Member.objects.count() == User.objects.count() == 0


def test_loading_is_all_or_nothing(db, monkeypatch):
    """A failure late in the load (the accounts) leaves no organization or member behind."""

    def broken(self, password):
        raise RuntimeError("accounts failed")

    monkeypatch.setattr(demo._Generator, "_write_accounts", broken)
    with pytest.raises(RuntimeError, match="accounts failed"):
        load()
    assert set(counts().values()) == {0}


def _snapshot() -> dict[str, list]:
    return {
        "orgs": list(
            Organization.objects.order_by("id").values_list(
                "name", "kind", "parent__name", "unit__name", "sort_order", "depth"
            )
        ),
        "members": list(
            Member.objects.order_by("id").values_list(
                "name",
                "gender",
                "ethnicity",
                "birth_date",
                "education",
                "joined_party_on",
                "full_member_on",
                "status",
                "organization__name",
                "admin_title",
                "id_number_index",
                "phone_index",
            )
        ),
        "posts": list(
            PostAssignment.objects.order_by("id").values_list(
                "member__name", "organization__name", "title", "started_on"
            )
        ),
        "accounts": list(User.objects.order_by("username").values_list("username", "display_name")),
    }


def _load_and_roll_back(seed: int) -> dict[str, list]:
    savepoint = transaction.savepoint()
    load(seed=seed)
    snapshot = _snapshot()
    transaction.savepoint_rollback(savepoint)
    return snapshot


def test_same_seed_same_data(db):
    first = _load_and_roll_back(7)
    assert not Organization.objects.exists()
    second = _load_and_roll_back(7)
    other = _load_and_roll_back(8)
    assert first == second
    assert first["members"] != other["members"]


def test_branches_grow_with_size_up_to_the_scale_target(db):
    assert 55 <= demo.branch_count(1000) <= 70
    assert demo.branch_count(100_000) == 6250
    assert demo.branch_count(1_000_000) == demo.MAX_BRANCHES
    assert demo.branch_count(10) == demo.branch_count(0)


def test_chinese_ordinals():
    assert [demo.cn_number(n) for n in (1, 3, 10, 12, 20, 105, 110, 1010, 2024, 10001)] == [
        "一",
        "三",
        "十",
        "十二",
        "二十",
        "一百零五",
        "一百一十",
        "一千零一十",
        "二千零二十四",
        "一万零一",
    ]


def test_the_fast_inserter_refuses_to_leave_a_required_column_empty(db):
    """A column the loader does not fill and that has no default fails loudly, by name."""
    with pytest.raises(demo.DemoError, match=re.escape("people.Member.organization")):
        demo._Table(Member, ["name"], now=timezone.now())


def test_leaders_are_members_of_a_branch_and_counted_once(loaded):
    """No member's organization is a 党组; each leader is a member of one branch, holds the
    党组 post there, and is counted once in the organ's subtree total."""
    from django.db.models import Sum

    assert not Member.objects.filter(organization__kind=OrganizationKind.LEADING_GROUP).exists()
    for root in Organization.objects.filter(kind=OrganizationKind.LEADING_GROUP):
        assert root.member_count == root.probationary_count == 0
        subtree = Organization.objects.filter(path__startswith=root.path)
        total = subtree.aggregate(n=Sum("member_count"))["n"]
        assert total == Member.objects.current().filter(organization__in=subtree).count()
    for name in REAL_PEOPLE:
        member = Member.objects.get(name=name)
        assert member.organization.kind == OrganizationKind.BRANCH
        assert member.posts.filter(organization__kind=OrganizationKind.LEADING_GROUP).exists()
