"""Reminders to organizations late with a requirement: once per organization ×
requirement × kind, however often the job runs; reported branches are spared."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from dangjian.campaigns import services
from dangjian.campaigns.models import CampaignReminder
from dangjian.campaigns.reminders import send_campaign_reminders
from dangjian.core.models import Notification


@pytest.fixture
def overdue(campaign, office_staff, today):
    return services.requirement_add(
        actor=office_staff,
        campaign=campaign,
        title="报送主题党日",
        due_on=today - datetime.timedelta(days=2),
        organization_kinds=["branch"],
    )


def test_overdue_and_due_soon_sent_once(
    tree, overdue, requirement, branch_secretary, outsider, make_activity, today
):
    # The branch reported the overdue requirement; the other branch did not.
    services.submission_report(
        actor=branch_secretary,
        requirement=overdue,
        organization=tree.orgs["branch"],
        activity=make_activity(),
    )
    sent = send_campaign_reminders(today=today)
    assert sent == {"overdue": 1, "due_soon": 0}
    assert Notification.objects.filter(user=outsider).count() == 1
    assert not Notification.objects.filter(user=branch_secretary).exists()
    assert send_campaign_reminders(today=today) == {"overdue": 0, "due_soon": 0}
    # Three days before the other requirement's due date both branches hear of it, once.
    near = requirement.due_on - datetime.timedelta(days=3)
    assert send_campaign_reminders(today=near)["due_soon"] == 2
    assert send_campaign_reminders(today=near)["due_soon"] == 0
    assert CampaignReminder.objects.count() == 3
    note = Notification.objects.filter(user=outsider).order_by("id").first()
    assert tree.orgs["other_branch"].name in note.title and note.url.endswith("/ledger/")


def test_returned_counts_as_not_reported(
    tree, overdue, branch_secretary, office_staff, make_activity, today
):
    sub = services.submission_report(
        actor=branch_secretary,
        requirement=overdue,
        organization=tree.orgs["branch"],
        activity=make_activity(),
    )
    services.submission_return(actor=office_staff, submission=sub, reason="请补充照片")
    send_campaign_reminders(today=today)
    assert Notification.objects.filter(user=branch_secretary).count() == 1


def test_remind_now_button_service(campaign, overdue, office_staff, branch_secretary, today):
    with pytest.raises(PermissionDenied):
        services.campaign_remind_late(actor=branch_secretary, campaign=campaign)
    assert services.campaign_remind_late(actor=office_staff, campaign=campaign) == 2
    assert services.campaign_remind_late(actor=office_staff, campaign=campaign) == 0
    # The daily job does not remind the same organizations of the same thing again.
    assert send_campaign_reminders(today=today)["overdue"] == 0


def test_command(overdue, today, capsys):
    call_command("send_campaign_reminders", "--today", today.isoformat())
    assert "overdue: 2" in capsys.readouterr().out
    call_command("send_campaign_reminders", "--today", today.isoformat())
    assert "overdue: 0" in capsys.readouterr().out
