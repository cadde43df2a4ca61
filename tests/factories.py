"""Test data built through the real services (so counts, paths and audit rows are real)."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

from dangjian.access.models import RoleGrant, User
from dangjian.access.roles import Role
from dangjian.core.validators import id_number_check_char
from dangjian.organizations import services as org_services
from dangjian.organizations.models import Organization, OrganizationKind, Unit, UnitKind
from dangjian.people import services as people_services
from dangjian.people.models import Member

PASSWORD = "Test-password-2024"
_serial = itertools.count(1)


def synthetic_id_number(birth: datetime.date | None = None, serial: int | None = None) -> str:
    """A checksum-valid, obviously synthetic ID number (region 110101)."""
    birth = birth or datetime.date(1985, 6, 15)
    serial = next(_serial) if serial is None else serial
    first17 = f"110101{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_number_check_char(first17)


def make_org(name, kind, parent=None, unit=None) -> Organization:
    return org_services.organization_create(
        actor=None, name=name, kind=kind, parent=parent, unit=unit, check=False
    )


def make_member(organization, name=None, **data) -> Member:
    data.setdefault("name", name or f"党员{next(_serial)}")
    data.setdefault("gender", "male")
    data.setdefault("status", "full")
    return people_services.member_create(actor=None, organization=organization, check=False, **data)


def leaders_branch(leading_group: Organization) -> Organization:
    """The branch that keeps the membership of a 党组's members: they hold posts in the
    党组, a leading body, and are members of a branch (领导干部双重组织生活)."""
    name = "机关领导干部党支部"
    found = Organization.objects.filter(parent=leading_group, name=name).first()
    return found or make_org(name, OrganizationKind.BRANCH, leading_group)


def make_user(username, *, role=None, organization=None, member=None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    if member is not None:
        user.member = member
        user.save(update_fields=["member"])
    if role:
        RoleGrant.objects.create(user=user, role=role, organization=organization)
    return user


@dataclass
class Tree:
    orgs: dict[str, Organization] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)


def ensure_life_rules() -> None:
    """The default organizational-life rules a data migration inserts; tests that
    empty the database (transactional, browser) remove them, so put them back."""
    import importlib

    from dangjian.meetings.models import LifeRule

    migration = importlib.import_module("dangjian.meetings.migrations.0002_default_life_rules")
    for kind, org_kinds, period, count, note in migration.DEFAULT_RULES:
        LifeRule.objects.get_or_create(
            meeting_kind=kind,
            period=period,
            defaults={"organization_kinds": org_kinds, "min_count": count, "note": note},
        )


def build_tree() -> Tree:
    ensure_life_rules()
    t = Tree()
    organ = Unit.objects.create(name="测试局", kind=UnitKind.ORGAN)
    t.units["office"] = Unit.objects.create(name="办公厅", kind=UnitKind.DEPARTMENT, parent=organ)
    t.units["publicity"] = Unit.objects.create(
        name="宣传司", kind=UnitKind.DEPARTMENT, parent=organ
    )
    t.orgs["root"] = make_org("测试局党组", OrganizationKind.LEADING_GROUP)
    t.orgs["committee"] = make_org(
        "测试局机关党委", OrganizationKind.ORGAN_COMMITTEE, t.orgs["root"]
    )
    t.orgs["branch"] = make_org(
        "办公厅第三党支部", OrganizationKind.BRANCH, t.orgs["committee"], t.units["office"]
    )
    t.orgs["group"] = make_org("第一党小组", OrganizationKind.GROUP, t.orgs["branch"])
    t.orgs["other_branch"] = make_org(
        "宣传司党支部", OrganizationKind.BRANCH, t.orgs["committee"], t.units["publicity"]
    )
    t.orgs["other_root"] = make_org("另一局党组", OrganizationKind.LEADING_GROUP)

    t.members["secretary"] = make_member(
        t.orgs["branch"], "李书记", id_number=synthetic_id_number(datetime.date(1975, 3, 1))
    )
    t.members["member"] = make_member(
        t.orgs["branch"],
        "王党员",
        id_number=synthetic_id_number(datetime.date(1990, 7, 7)),
        phone="13800001234",
    )
    t.members["probationary"] = make_member(
        t.orgs["branch"], "赵预备", status="probationary", gender="female"
    )
    t.members["other"] = make_member(
        t.orgs["other_branch"],
        "钱同志",
        id_number=synthetic_id_number(datetime.date(1988, 1, 2)),
        phone="13900005678",
    )
    # A 党组 holds posts, never memberships: the other organ's member is in its branch.
    t.orgs["far_branch"] = make_org(
        "另一局机关党支部", OrganizationKind.BRANCH, t.orgs["other_root"]
    )
    t.members["far"] = make_member(t.orgs["far_branch"], "孙远方")

    t.users["admin"] = make_user("admin", role=Role.SYSTEM_ADMIN)
    t.users["security_admin"] = make_user("anquan", role=Role.SECURITY_ADMIN)
    t.users["auditor"] = make_user("shenji", role=Role.AUDITOR)
    t.users["office_staff"] = make_user(
        "jiguan", role=Role.ORGAN_OFFICE, organization=t.orgs["committee"]
    )
    t.users["dangzu_office"] = make_user(
        "dangzu", role=Role.LEADING_GROUP_OFFICE, organization=t.orgs["root"]
    )
    t.users["branch_secretary"] = make_user(
        "zhibu",
        role=Role.BRANCH_SECRETARY,
        organization=t.orgs["branch"],
        member=t.members["secretary"],
    )
    t.users["member"] = make_user(
        "dangyuan", role=Role.MEMBER, organization=t.orgs["branch"], member=t.members["member"]
    )
    t.users["outsider"] = make_user(
        "outsider", role=Role.BRANCH_SECRETARY, organization=t.orgs["other_branch"]
    )
    t.users["nobody"] = make_user("nobody")
    for obj in (*t.orgs.values(), *t.members.values()):
        obj.refresh_from_db()
    return t
