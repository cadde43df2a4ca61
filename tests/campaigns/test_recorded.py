"""Issue 12 point 5: one event of several kinds is one record, and a requirement is met by
what the organization already recorded (its meeting or a training), reported with one
click from the ledger, never through a second form."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.campaigns import selectors, services
from dangjian.campaigns.forms import ActivityForm
from dangjian.campaigns.models import Activity, Submission
from dangjian.meetings.models import Meeting
from dangjian.training.models import Training
from tests.campaigns.conftest import logged_in


def _party_day(branch, day) -> Meeting:
    return Meeting.objects.create(
        organization=branch,
        kind="themed_party_day",
        title="主题党日：我为广电勇担当",
        starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 30))),
        status=Meeting.Status.HELD,
    )


@pytest.fixture
def party_day_requirement(campaign, office_staff, today):
    return services.requirement_add(
        actor=office_staff,
        campaign=campaign,
        title="开展主题党日并报送",
        due_on=today + datetime.timedelta(days=20),
        organization_kinds=["branch"],
        meeting_kind="themed_party_day",
    )


def _cell(user, campaign, org, requirement):
    ledger = selectors.ledger(user=user, campaign=campaign)
    [row] = [r for r in ledger.rows if r.organization == org]
    [cell] = [c for c in row.cells if c.requirement == requirement]
    return cell


def test_one_event_of_two_kinds_is_one_activity(tree, office_staff, campaign, today):
    """启动仪式暨论坛: one activity, kinds in order, found under either kind; a forum agenda
    can be built on it."""
    activity = services.activity_create(
        actor=office_staff,
        types=["launch_ceremony", "forum"],
        title="能力提升行动启动仪式暨“四强”党支部建设论坛",
        held_on=today,
        organization=tree.orgs["committee"],
        campaign=campaign,
    )
    assert activity.type == "launch_ceremony"
    assert activity.kinds() == ["launch_ceremony", "forum"]
    assert activity.kind_labels() == ["launch ceremony", "forum"] or activity.kind_labels() == [
        "启动仪式",
        "论坛",
    ]
    for kind in ("launch_ceremony", "forum"):
        assert list(selectors.activity_list(user=office_staff, type=kind)) == [activity]
    assert list(selectors.activity_list(user=office_staff, type="special_training")) == []
    with pytest.raises(ValidationError):
        services.activity_create(
            actor=office_staff,
            types=["forum", "forum"],
            title="重复",
            held_on=today,
            organization=tree.orgs["committee"],
        )


def test_activity_form_keeps_the_main_kind_first(tree, office_staff, campaign, today):
    form = ActivityForm(
        data={
            "type": "launch_ceremony",
            "more_types": ["forum"],
            "title": "启动仪式暨论坛",
            "held_on": today.isoformat(),
            "organization": tree.orgs["committee"].pk,
        },
        user=office_staff,
    )
    assert form.is_valid(), form.errors
    assert form.service_data()["types"] == ["launch_ceremony", "forum"]


def test_themed_party_day_meeting_meets_the_requirement_with_one_click(
    tree, campaign, party_day_requirement, branch_secretary, office_staff, today
):
    """The branch's 主题党日 meeting (which counts for 三会一课) shows the requirement
    ready; one POST from the ledger reports it; no activity is created."""
    branch = tree.orgs["branch"]
    assert _cell(branch_secretary, campaign, branch, party_day_requirement).status == "missing"
    meeting = _party_day(branch, today - datetime.timedelta(days=2))
    cell = _cell(branch_secretary, campaign, branch, party_day_requirement)
    assert (cell.status, cell.record) == ("ready", meeting)
    client = logged_in(branch_secretary)
    page = client.get(reverse("campaigns:ledger", args=[campaign.pk])).content.decode()
    assert 'data-testid="submit-record-button"' in page and meeting.title in page
    url = reverse(
        "campaigns:report_record", args=[campaign.pk, party_day_requirement.pk, branch.pk]
    )
    assert client.post(url).status_code == 302
    submission = Submission.objects.get(requirement=party_day_requirement, organization=branch)
    assert (submission.meeting, submission.activity, submission.training) == (meeting, None, None)
    assert submission.status == Submission.Status.REPORTED
    assert submission.record_title == meeting.title
    assert not Activity.objects.exists()
    assert _cell(office_staff, campaign, branch, party_day_requirement).status == "reported"
    # A second click does not report twice.
    client.post(url)
    assert Submission.objects.filter(requirement=party_day_requirement).count() == 1


def test_a_meeting_outside_the_period_or_of_another_branch_does_not_count(
    tree, campaign, party_day_requirement, branch_secretary, today
):
    branch = tree.orgs["branch"]
    _party_day(branch, campaign.starts_on - datetime.timedelta(days=1))
    _party_day(tree.orgs["other_branch"], today)
    assert _cell(branch_secretary, campaign, branch, party_day_requirement).status == "missing"
    with pytest.raises(ValidationError):
        services.submission_from_record(
            actor=branch_secretary, requirement=party_day_requirement, organization=branch
        )
    assert not Submission.objects.exists()


def test_the_committees_training_meets_the_branches_training_requirement(
    tree, campaign, office_staff, branch_secretary, today
):
    """A 专题培训 is one Training (hours) and, reported once per branch, the ledger entry."""
    requirement = services.requirement_add(
        actor=office_staff,
        campaign=campaign,
        title="组织党员参加专题培训",
        due_on=today + datetime.timedelta(days=20),
        organization_kinds=["branch"],
        training_kind="special_training",
    )
    training = Training.objects.create(
        organization=tree.orgs["committee"],
        kind="special_training",
        title="“学习新思想 提升新本领”专题培训",
        date=today,
        hours=Decimal("6"),
        capabilities=["political"],
    )
    for branch in (tree.orgs["branch"], tree.orgs["other_branch"]):
        assert _cell(office_staff, campaign, branch, requirement).record == training
    submission = services.submission_from_record(
        actor=branch_secretary, requirement=requirement, organization=tree.orgs["branch"]
    )
    assert submission.training == training and submission.activity is None


def test_a_submission_points_at_exactly_one_record(tree, requirement, today):
    meeting = _party_day(tree.orgs["branch"], today)
    both = Submission(requirement=requirement, organization=tree.orgs["branch"])
    with pytest.raises(ValidationError):
        both.full_clean()  # none
    both.meeting = meeting
    both.training = Training.objects.create(
        organization=tree.orgs["branch"],
        kind="lecture",
        title="讲座",
        date=today,
        hours=Decimal("1"),
        capabilities=["political"],
    )
    with pytest.raises(ValidationError):
        both.full_clean()
