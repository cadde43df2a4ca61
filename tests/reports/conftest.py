"""Meetings with agenda, attendance, topics and tasks for the document tests.

Built directly through the models (the meeting services are written
concurrently); the tree is tests/conftest.py's.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import make_member


def aware(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def make_topic(title, *, kind="speech", speaker="", given_on=datetime.date(2023, 12, 20)):
    from dangjian.study.models import Topic

    return Topic.objects.create(kind=kind, title=title, speaker=speaker, given_on=given_on)


def post(member, organization, title):
    from dangjian.people.models import PostAssignment

    return PostAssignment.objects.create(member=member, organization=organization, title=title)


def build_leading_group_meeting(tree):
    """Seed 002's meeting, abridged: 测试局党组's 党组会议 of 2023-12-27."""
    from dangjian.meetings.models import (
        AgendaItem,
        Attendance,
        AttendanceStatus,
        Meeting,
        MeetingKind,
    )
    from dangjian.people.models import PostTitle
    from dangjian.tasks.models import Task

    root = tree.orgs["root"]
    chair = make_member(root, "张新文", admin_title="局长")
    deputy1 = make_member(root, "王育宏", admin_title="副局长")
    deputy2 = make_member(root, "卓玛才让", admin_title="副局长")
    away = make_member(root, "李国强", admin_title="副局长")
    recorder = make_member(root, "刘文静", admin_title="办公室主任")
    post(chair, root, PostTitle.LEADING_GROUP_SECRETARY)
    for m in (deputy1, deputy2, away):
        post(m, root, PostTitle.LEADING_GROUP_MEMBER)
    meeting = Meeting.objects.create(
        organization=root,
        kind=MeetingKind.LEADING_GROUP_MEETING,
        title="测试局党组会议(2023年第30次)",
        starts_at=aware(2023, 12, 27, 9, 0),
        ends_at=aware(2023, 12, 27, 11, 30),
        venue="第一会议室",
        status=Meeting.Status.HELD,
        chair=chair,
        recorder=recorder,
        invited_leaders=[{"name": "陈立新", "title": "驻局纪检监察组组长"}],
    )
    for m, status, reason in (
        (chair, AttendanceStatus.PRESENT, ""),
        (deputy1, AttendanceStatus.PRESENT, ""),
        (deputy2, AttendanceStatus.LATE, ""),
        (away, AttendanceStatus.LEAVE, "出差"),
        (recorder, AttendanceStatus.PRESENT, ""),
    ):
        Attendance.objects.create(meeting=meeting, member=m, status=status, reason=reason)
    t1 = make_topic("在纪念毛泽东同志诞辰130周年座谈会上的重要讲话", speaker="习近平总书记")
    t2 = make_topic("中央农村工作会议", kind="conference")
    t3 = make_topic("中共中央政治局专题民主生活会", kind="conference")
    study = AgendaItem.objects.create(
        meeting=meeting,
        order=1,
        kind=AgendaItem.Kind.STUDY,
        title="传达学习习近平总书记重要讲话和中央农村工作会议精神",
        minutes="张新文同志领学。\n与会同志结合分管工作作了交流发言。",
        decisions=[
            "一要加快推进乡村振兴,大力弘扬脱贫攻坚精神",
            "要紧紧围绕铸牢中华民族共同体意识这条工作主线",
            "巩固拓展主题教育成果",
        ],
    )
    study.topics.add(t1, t2)
    second = AgendaItem.objects.create(
        meeting=meeting,
        order=2,
        kind=AgendaItem.Kind.STUDY,
        title="学习中共中央政治局专题民主生活会精神",
        minutes="会议进行了讨论。",
        decisions=["自觉对标对表习近平总书记重要讲话精神", "增强政治敏锐性"],
    )
    second.topics.add(t3)
    AgendaItem.objects.create(
        meeting=meeting,
        order=3,
        kind=AgendaItem.Kind.DELIBERATION,
        title="《2024年党建工作要点》",
        minutes="会议原则通过。",
    )
    Task.objects.create(
        title="加快推进乡村振兴",
        organization=root,
        origin_meeting=meeting,
        origin_agenda_item=study,
        lead_unit=tree.units["office"],
        deadline=datetime.date(2024, 3, 31),
    )
    Task.objects.create(
        title="开展民族团结进步创建",
        organization=root,
        origin_meeting=meeting,
        origin_agenda_item=study,
        lead_unit=tree.units["publicity"],
        deadline=datetime.date(2024, 6, 30),
    )
    return meeting


def build_branch_meeting(tree, org_key="other_branch", title="宣传司党支部党员大会"):
    from dangjian.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind

    org = tree.orgs[org_key]
    meeting = Meeting.objects.create(
        organization=org,
        kind=MeetingKind.BRANCH_ASSEMBLY,
        title=title,
        starts_at=aware(2024, 1, 10, 15, 0),
        venue="三楼会议室",
        status=Meeting.Status.HELD,
        chair_name="钱同志",
    )
    for member in org.members.all():
        Attendance.objects.create(meeting=meeting, member=member, status=AttendanceStatus.PRESENT)
    return meeting


@pytest.fixture
def lg_meeting(tree):
    return build_leading_group_meeting(tree)


@pytest.fixture
def branch_meeting(tree):
    return build_branch_meeting(tree)
