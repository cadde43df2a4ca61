"""Organizational life compliance with a controlled date, and the reminder job."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.core.models import Notification
from dangjian.meetings import selectors, services
from dangjian.meetings.models import LifeReminder, LifeRule, Meeting
from dangjian.people import services as people_services
from tests.factories import PASSWORD, make_org

from .conftest import at

DAY = datetime.date(2026, 3, 20)


def held(tree, org, kind, day):
    meeting = services.meeting_create(
        actor=None,
        organization=tree.orgs[org],
        kind=kind,
        title="会",
        starts_at=at(day),
        check=False,
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    return meeting


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("month", datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)),
        ("quarter", datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)),
        ("half_year", datetime.date(2026, 1, 1), datetime.date(2026, 7, 1)),
        ("year", datetime.date(2026, 1, 1), datetime.date(2027, 1, 1)),
    ],
)
def test_period_bounds(period, start, end):
    assert selectors.period_bounds(period, DAY) == (start, end)
    assert selectors.period_bounds("month", datetime.date(2026, 12, 31))[1] == datetime.date(
        2027, 1, 1
    )


def test_required_vs_held_per_branch(tree, office_staff):
    """Held meetings of the period count; planned ones and those of last month do not."""
    held(tree, "branch", "branch_committee", DAY)
    held(tree, "branch", "branch_committee", datetime.date(2026, 2, 27))  # last month
    services.meeting_create(
        actor=None,
        organization=tree.orgs["other_branch"],
        kind="branch_committee",
        title="计划",
        starts_at=at(DAY),
        check=False,
    )  # planned, not held
    result = selectors.life_compliance(user=office_staff, day=DAY)
    committee_rule = next(
        i for i, rp in enumerate(result.rules) if rp.rule.meeting_kind == "branch_committee"
    )
    rows = {r.organization.name: r for r in result.rows}
    assert set(rows) == {"办公厅第三党支部", "宣传司党支部", "第一党小组"}
    assert rows["办公厅第三党支部"].cells[committee_rule].held == 1
    assert rows["办公厅第三党支部"].cells[committee_rule].ok
    assert rows["宣传司党支部"].cells[committee_rule].held == 0
    assert not rows["宣传司党支部"].cells[committee_rule].ok
    rp = result.rules[committee_rule]
    assert (rp.compliant, rp.applicable, rp.share) == (1, 2, 50.0)
    group_rule = next(
        i for i, rp in enumerate(result.rules) if rp.rule.meeting_kind == "group_meeting"
    )
    assert rows["第一党小组"].cells[committee_rule] is None
    assert rows["第一党小组"].cells[group_rule].required == 1
    assert {r.organization.name for r in result.non_compliant} == set(rows)


def test_scope_and_subtree(tree, branch_secretary, office_staff):
    mine = selectors.life_compliance(user=branch_secretary, day=DAY)
    assert {r.organization.name for r in mine.rows} == {"办公厅第三党支部", "第一党小组"}
    sub = selectors.life_compliance(user=office_staff, day=DAY, root=tree.orgs["other_branch"])
    assert [r.organization.name for r in sub.rows] == ["宣传司党支部"]


def test_compliance_page_queries_do_not_grow(tree, client, django_assert_max_num_queries):
    assert client.login(username="jiguan", password=PASSWORD)
    url = reverse("meetings:compliance") + f"?day={DAY.isoformat()}"
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    for i in range(8):
        branch = make_org(f"新支部{i}", "branch", tree.orgs["committee"])
        held(tree, "branch", "branch_committee", DAY)
        services.meeting_create(
            actor=None,
            organization=branch,
            kind="party_lecture",
            title="党课",
            starts_at=at(DAY),
            check=False,
        )
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert b'data-testid="compliance-chart"' in response.content


def test_reminders_go_to_secretaries_once(tree, branch_secretary, outsider):
    """Five days before the month closes, unmet monthly rules are reminded once per branch;
    a second run (same or a later day in the period) sends nothing new."""
    people_services.post_assign(
        actor=None,
        member=tree.members["secretary"],
        organization=tree.orgs["branch"],
        title="secretary",
        check=False,
    )
    LifeRule.objects.exclude(meeting_kind="branch_committee").update(active=False)
    held(tree, "other_branch", "branch_committee", datetime.date(2026, 3, 2))
    call_command("send_life_reminders", "--today", "2026-03-10", stdout=io.StringIO())
    assert not LifeReminder.objects.exists()  # 21 days left > 7
    call_command("send_life_reminders", "--today", "2026-03-26", stdout=io.StringIO())
    # Every branch without its committee meeting: ours and the other organ's (其他局's
    # 另一局机关党支部); the other branch held one.
    assert sorted(LifeReminder.objects.values_list("organization__name", flat=True)) == [
        "办公厅第三党支部",
        "另一局机关党支部",
    ]
    assert Notification.objects.filter(user=branch_secretary).count() == 1
    assert not Notification.objects.filter(user=outsider).exists()
    notified = Notification.objects.count()
    call_command("send_life_reminders", "--today", "2026-03-28", stdout=io.StringIO())
    assert LifeReminder.objects.count() == 2
    assert Notification.objects.count() == notified
    call_command("send_life_reminders", "--today", "2026-04-27", stdout=io.StringIO())
    assert LifeReminder.objects.count() == 5  # April: all three branches unmet
    assert Notification.objects.filter(user=outsider).count() == 1


def test_reminder_job_runs_the_same(tree):
    from dangjian.meetings.tasks import send_life_reminders_task

    LifeRule.objects.exclude(meeting_kind="branch_committee").update(active=False)
    first = send_life_reminders_task.call(today="2026-03-30")
    assert first == 3  # the three branches of the tree
    assert send_life_reminders_task.call(today="2026-03-30") == 0


def test_rule_editing(tree, office_staff, branch_secretary):
    rule = LifeRule.objects.get(meeting_kind="branch_committee")
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        services.liferule_update(actor=branch_secretary, rule=rule, min_count=2)
    with pytest.raises(ValidationError):
        services.liferule_update(actor=office_staff, rule=rule, organization_kinds=[])
    services.liferule_update(actor=office_staff, rule=rule, min_count=2, remind_days_before=3)
    rule.refresh_from_db()
    assert (rule.min_count, rule.remind_days_before) == (2, 3)
