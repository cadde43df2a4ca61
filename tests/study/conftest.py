"""Topics and held meetings that study them, made directly (meetings' own services are not ours)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dangjian.meetings.models import AgendaItem, Meeting, MeetingKind
from dangjian.organizations.models import Organization
from dangjian.study import services
from dangjian.study.models import Topic

TODAY = datetime.date(2026, 12, 3)


def make_topic(
    title="习近平总书记重要讲话", *, given_on=None, text="", tags=(), kind="speech", owner=None
):
    if owner is None:
        # The tree's organ committee: both test offices (its own, the 党组's above) manage it.
        owner = Organization.objects.filter(name="测试局机关党委").first()
    return services.topic_create(
        actor=None,
        check=False,
        organization=owner,
        kind=kind,
        title=title,
        given_on=given_on or timezone.localdate() - datetime.timedelta(days=40),
        text=text,
        tags=list(tags),
    )


def study(organization, *topics: Topic, on: datetime.date, status=Meeting.Status.HELD):
    """A meeting of ``organization`` on day ``on`` whose first item studies ``topics``."""
    starts = timezone.make_aware(datetime.datetime.combine(on, datetime.time(9, 0)))
    meeting = Meeting.objects.create(
        organization=organization,
        kind=MeetingKind.LEADING_GROUP_MEETING
        if organization.kind == "leading_group"
        else MeetingKind.BRANCH_COMMITTEE,
        title=f"{organization.name}会议",
        starts_at=starts,
        status=status,
    )
    item = AgendaItem.objects.create(meeting=meeting, order=1, kind="study", title="传达学习")
    item.topics.add(*topics)
    return meeting


@pytest.fixture
def make():
    return make_topic


@pytest.fixture
def studied():
    return study
