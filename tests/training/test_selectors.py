"""Hours per member per capability and the subtree roll-up, checked against hand-counted numbers
(the ``history`` fixture's docstring)."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from dangjian.training import selectors, services
from dangjian.training.models import Training

pytestmark = pytest.mark.django_db


def test_member_capability_hours(tree, history, office_staff):
    m = tree.members
    hours = selectors.member_capability_hours(
        user=office_staff, root=tree.orgs["committee"], year=2026
    )
    assert set(hours) == {m["secretary"].pk, m["member"].pk, m["probationary"].pk, m["other"].pk}
    sec = hours[m["secretary"].pk]
    assert (sec["political"], sec["research"], sec["mass_work"], sec["total"]) == (
        D("5"),
        D("3"),
        D("0"),
        D("5"),
    )
    assert hours[m["member"].pk]["research"] == D("2")
    assert hours[m["member"].pk]["total"] == D("2")  # 2025's 4 hours are not counted
    assert hours[m["probationary"].pk]["political"] == D("1.5")
    old = selectors.member_capability_hours(user=office_staff, root=tree.orgs["branch"], year=2025)
    assert old == {m["member"].pk: old[m["member"].pk]}
    assert old[m["member"].pk]["mass_work"] == D("4")


def test_member_hours_scoped(tree, history, branch_secretary, outsider):
    sec = tree.members["secretary"]
    mine = selectors.member_hours(user=branch_secretary, member=sec, year=2026)
    # The branch secretary sees the branch's training (T2, 2h) but not the committee's (T1).
    assert mine["political"] == D("2") and mine["research"] == D("0")
    assert selectors.member_hours(user=outsider, member=sec, year=2026)["total"] == D("0")


def test_overview_numbers(tree, history, office_staff):
    ov = selectors.hours_overview(user=office_staff, root=tree.orgs["committee"], year=2026)
    rows = {r.organization.name: r for r in ov.rows}
    assert list(rows) == ["办公厅第三党支部", "宣传司党支部"]  # no own members of the committee
    branch = rows["办公厅第三党支部"]
    assert branch.members == 3 and branch.attendee_count == 3
    assert branch.hours["political"] == D("8.5")
    assert branch.hours["research"] == D("5")
    assert branch.hours["total"] == D("8.5")
    assert branch.average == D("2.8")  # 8.5 / 3
    other = rows["宣传司党支部"]
    assert (other.members, other.hours["total"], other.average) == (1, D("3"), D("3.0"))
    assert ov.total.members == 4
    assert ov.total.hours["political"] == D("11.5")
    assert ov.total.hours["research"] == D("8")
    assert ov.total.capability_hours[2:] == [D("0")] * 5
    assert ov.total.average == D("2.9")  # 11.5 / 4 = 2.875


def test_overview_of_a_branch_counts_own_members(tree, history, branch_secretary):
    ov = selectors.hours_overview(user=branch_secretary, root=tree.orgs["branch"], year=2026)
    own = ov.rows[0]
    assert own.organization == tree.orgs["branch"]
    assert own.hours["total"] == D("8.5") and own.members == 3
    assert [r.organization.name for r in ov.rows[1:]] == ["第一党小组"]


def test_list_filters(tree, history, office_staff):
    def titles(**kw):
        return {t.title for t in selectors.training_list(user=office_staff, **kw)}

    assert titles(year=2026) == {"调研能力专题培训", "专题党课"}
    assert titles(capability="research") == {"调研能力专题培训"}
    assert titles(capability="mass_work") == {"往年培训"}
    assert titles(root=tree.orgs["branch"]) == {"专题党课", "往年培训"}
    assert titles(q="党课") == {"专题党课"}
    assert selectors.training_years(user=office_staff) == [2026, 2025]


def _grow(tree, n):
    """n more trainings in the committee with every current member attending."""
    members = [tree.members[k] for k in ("secretary", "member", "probationary", "other")]
    for i in range(n):
        t = services.training_create(
            actor=None,
            organization=tree.orgs["committee"],
            kind="lecture",
            title=f"讲座{i}",
            date=datetime.date(2026, 6, 1 + i),
            hours=D("1"),
            capabilities=["decision", "emergency"],
            check=False,
        )
        services.attendance_set(
            actor=None, training=t, entries=[(m, None) for m in members], check=False
        )


def test_overview_queries_do_not_grow(tree, history, office_staff, django_assert_max_num_queries):
    root = tree.orgs["committee"]
    with django_assert_max_num_queries(3):
        selectors.hours_overview(user=office_staff, root=root, year=2026)
    _grow(tree, 6)
    office_staff.refresh_from_db()
    with django_assert_max_num_queries(3):
        ov = selectors.hours_overview(user=office_staff, root=root, year=2026)
    assert ov.total.hours["decision"] == D("24")  # 6 trainings × 4 members × 1 hour
    with django_assert_max_num_queries(1):
        selectors.member_capability_hours(user=office_staff, root=root, year=2026)
    assert Training.objects.count() == 9
