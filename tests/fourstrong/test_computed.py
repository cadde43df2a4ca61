"""Computed indicators read the platform's own data (meetings, first-agenda study)."""

from __future__ import annotations

import datetime

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


def test_not_yet_available_keys(tree, office_staff):
    for key in ("campaign_reporting", "training_hours"):
        assert (
            computed.compute(key, user=office_staff, branch=tree.orgs["branch"], year=2026) is None
        )


def test_member_sees_no_data_outside_scope(tree, outsider):
    # The outsider cannot see the branch: nothing is computed from it.
    assert (
        computed.study_promptness(
            user=outsider, branch=tree.orgs["branch"], year=timezone.localdate().year
        )
        is None
    )
