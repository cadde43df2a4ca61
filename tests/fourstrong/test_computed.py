"""Computed indicators read the platform's own data (meetings, first-agenda study)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dangjian.fourstrong import computed
from dangjian.meetings.models import Meeting, MeetingKind
from tests.study.conftest import make_topic, study


def test_life_compliance_rises_with_held_meetings(tree, office_staff):
    branch = tree.orgs["branch"]
    year = timezone.localdate().year
    assert computed.life_compliance(user=office_staff, branch=branch, year=year) == 0
    Meeting.objects.create(
        organization=branch,
        kind=MeetingKind.BRANCH_COMMITTEE,
        title="支部委员会会议",
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        status=Meeting.Status.HELD,
    )
    share = computed.life_compliance(user=office_staff, branch=branch, year=year)
    assert 0 < share < 1


def test_study_promptness(tree, office_staff):
    today = timezone.localdate()
    given = today - datetime.timedelta(days=40)
    topic = make_topic(given_on=given)
    study(tree.orgs["branch"], topic, on=given + datetime.timedelta(days=10))
    if given.year == today.year:
        assert (
            computed.study_promptness(
                user=office_staff, branch=tree.orgs["branch"], year=today.year
            )
            == 1.0
        )
        assert (
            computed.study_promptness(
                user=office_staff, branch=tree.orgs["other_branch"], year=today.year
            )
            == 0.0
        )
    # A year without topics: not yet available.
    assert (
        computed.study_promptness(
            user=office_staff, branch=tree.orgs["branch"], year=today.year - 5
        )
        is None
    )


def _at(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def test_campaign_reporting_counts_on_time_reports_not_returned(
    tree, office_staff, branch_secretary, outsider
):
    from dangjian.campaigns import services as campaigns
    from dangjian.campaigns.models import Submission

    d = datetime.date
    branch, other = tree.orgs["branch"], tree.orgs["other_branch"]
    campaign = campaigns.campaign_create(
        actor=office_staff,
        name="能力提升行动",
        organization=tree.orgs["committee"],
        covered=tree.orgs["committee"],
        starts_on=d(2025, 3, 1),
        ends_on=d(2025, 12, 31),
        capabilities=["political"],
    )
    due = [d(2025, 4, 30), d(2025, 5, 31), d(2025, 6, 30), d(2025, 9, 30), d(2025, 11, 30)]
    reqs = [
        campaigns.requirement_add(
            actor=office_staff, campaign=campaign, title=f"要求{i}", due_on=day
        )
        for i, day in enumerate(due)
    ]
    # Applies to general branches only: not counted for a branch.
    campaigns.requirement_add(
        actor=office_staff,
        campaign=campaign,
        title="党总支要求",
        due_on=d(2025, 5, 1),
        organization_kinds=["general_branch"],
    )
    # A campaign covering only the other branch: not the branch's.
    narrow = campaigns.campaign_create(
        actor=office_staff,
        name="宣传司专项",
        organization=tree.orgs["committee"],
        covered=other,
        starts_on=d(2025, 3, 1),
        ends_on=d(2025, 12, 31),
    )
    campaigns.requirement_add(
        actor=office_staff, campaign=narrow, title="专项", due_on=d(2025, 8, 1)
    )
    activity = campaigns.activity_create(
        actor=branch_secretary,
        type="themed_party_day",
        title="主题党日",
        held_on=d(2025, 4, 1),
        organization=branch,
        campaign=campaign,
    )

    def report(requirement, on):
        submission = campaigns.submission_report(
            actor=branch_secretary, requirement=requirement, organization=branch, activity=activity
        )
        Submission.objects.filter(pk=submission.pk).update(reported_at=_at(on))
        return submission

    accepted = report(reqs[0], d(2025, 4, 20))
    campaigns.submission_accept(actor=office_staff, submission=accepted)
    report(reqs[1], d(2025, 5, 31))  # on the due day, awaiting review: counts
    report(reqs[2], d(2025, 7, 5))  # late
    returned = report(reqs[3], d(2025, 9, 1))
    campaigns.submission_return(actor=office_staff, submission=returned, reason="材料不全")
    # reqs[4]: never reported.

    share = computed.campaign_reporting(user=office_staff, branch=branch, year=2025)
    assert share == 2 / 5
    assert computed.campaign_reporting(user=office_staff, branch=other, year=2025) == 0.0
    assert computed.campaign_reporting(user=office_staff, branch=branch, year=2024) is None
    # The other branch's secretary learns nothing about this branch.
    assert computed.campaign_reporting(user=outsider, branch=branch, year=2025) is None
    assert computed.compute(
        "campaign_reporting", user=office_staff, branch=branch, year=2025
    ) == pytest.approx(0.4)


def test_training_hours_average_against_target(tree, office_staff, outsider, settings):
    from decimal import Decimal

    from dangjian.training import services as training

    m = tree.members
    at_branch = training.training_create(
        actor=None,
        organization=tree.orgs["branch"],
        kind="special_training",
        title="支部专题学习",
        date=datetime.date(2025, 3, 1),
        hours=Decimal("8"),
        capabilities=["political"],
        check=False,
    )
    training.attendance_set(
        actor=None,
        training=at_branch,
        entries=[(m["secretary"], None), (m["member"], None)],
        check=False,
    )
    at_committee = training.training_create(
        actor=None,
        organization=tree.orgs["committee"],
        kind="special_training",
        title="机关党委集中轮训",
        date=datetime.date(2025, 6, 1),
        hours=Decimal("16"),
        capabilities=["political", "research"],
        check=False,
    )
    training.attendance_set(
        actor=None,
        training=at_committee,
        entries=[
            (m["secretary"], None),
            (m["member"], None),
            (m["probationary"], None),
            (m["other"], None),
        ],
        check=False,
    )
    branch, other = tree.orgs["branch"], tree.orgs["other_branch"]
    # 李书记 24, 王党员 24, 赵预备 16: 64 hours over 3 members = 21.33 of 32; the two
    # capabilities of the committee's training count its hours once.
    share = computed.training_hours(user=office_staff, branch=branch, year=2025)
    assert share == pytest.approx(64 / 3 / 32)
    assert computed.training_hours(user=office_staff, branch=other, year=2025) == 0.5
    # Members without any training: a real 0; an organization without members: nothing.
    assert computed.training_hours(user=office_staff, branch=branch, year=2024) == 0.0
    assert computed.training_hours(user=office_staff, branch=tree.orgs["group"], year=2025) is None
    assert computed.training_hours(user=outsider, branch=branch, year=2025) is None
    # Above the target the share is capped at 1.
    settings.FOURSTRONG_TRAINING_HOURS_TARGET = 16
    assert computed.training_hours(user=office_staff, branch=branch, year=2025) == 1.0


def test_default_system_has_every_computed_indicator(tree, office_staff):
    from dangjian.fourstrong import services
    from dangjian.fourstrong.models import ComputedKey, SystemStatus

    system = services.default_system_create(actor=office_staff)
    assert system.status == SystemStatus.PUBLISHED
    assert services.weight_total(system) == 100
    keys = set(system.indicators.exclude(computed_key="").values_list("computed_key", flat=True))
    assert keys == set(ComputedKey.values)
    again = services.default_system_create(actor=office_staff)
    assert again.version_number == system.version_number + 1


def test_member_sees_no_data_outside_scope(tree, outsider):
    # The outsider cannot see the branch: nothing is computed from it.
    assert (
        computed.study_promptness(
            user=outsider, branch=tree.orgs["branch"], year=timezone.localdate().year
        )
        is None
    )
