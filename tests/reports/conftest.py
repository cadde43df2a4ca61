"""Meetings with agenda, attendance, topics and tasks for the document tests.

Built directly through the models (the meeting services are written
concurrently); the tree is tests/conftest.py's.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import leaders_branch, make_member


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
    home = leaders_branch(root)  # their membership; the 党组 holds their posts
    chair = make_member(home, "张新文", admin_title="局长")
    deputy1 = make_member(home, "王育宏", admin_title="副局长")
    deputy2 = make_member(home, "卓玛才让", admin_title="副局长")
    away = make_member(home, "李国强", admin_title="副局长")
    recorder = make_member(home, "刘文静", admin_title="办公室主任")
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


def build_seed_activity(tree, *, org_key="committee"):
    """Seed 000's launch ceremony and forum, abridged, organized by 测试局机关党委."""
    from dangjian.campaigns.models import Activity, ActivityType, Campaign, Presentation

    org = tree.orgs[org_key]
    parent = Campaign.objects.create(
        name="学习贯彻习近平新时代中国特色社会主义思想主题教育",
        organization=tree.orgs["root"],
        covered=tree.orgs["root"],
        starts_on=datetime.date(2023, 4, 1),
        ends_on=datetime.date(2023, 12, 31),
    )
    campaign = Campaign.objects.create(
        name="“政治机关,政治工作”能力提升行动",
        parent=parent,
        organization=tree.orgs["root"],
        covered=tree.orgs["root"],
        starts_on=datetime.date(2023, 5, 1),
        ends_on=datetime.date(2023, 11, 30),
        capabilities=["political", "research", "decision", "implementation"],
    )
    activity = Activity.objects.create(
        type=ActivityType.LAUNCH_CEREMONY,
        title="“政治机关,政治工作”能力提升行动启动仪式暨“四强”党支部建设论坛",
        theme="学习新思想 提升新本领",
        held_on=datetime.date(2023, 5, 6),
        venue="五四二台",
        organization=org,
        campaign=campaign,
        leaders=[
            {
                "name": "杨小伟",
                "title": "局党组成员、副局长、机关党委书记",
                "role": "entrusted",
                "entrusted_by": "局党组成员、副局长乐玉成",
            },
            {"name": "王育宏", "title": "机关党委副书记", "role": "attended", "entrusted_by": ""},
        ],
        participant_groups=(
            "局机关各部门党支部副书记\n直属各单位分管党建工作的有关负责同志、党办主任或党支部书记代表"
        ),
        summary="局系统各级党组织和党员干部将以此次活动为契机,求真务实、担当作为。",
    )
    Presentation.objects.create(
        activity=activity,
        order=1,
        organization=tree.orgs["branch"],
        topic="聚焦创建“四强”党支部,推动决策部署贯彻落实",
    )
    Presentation.objects.create(
        activity=activity, order=2, unit=tree.units["publicity"], topic="深化党建和业务融合"
    )
    Presentation.objects.create(
        activity=activity, order=3, presenter="北京地球站节目平台机房党支部", topic="党群零距离"
    )
    return activity


@pytest.fixture
def seed_activity(tree):
    return build_seed_activity(tree)
