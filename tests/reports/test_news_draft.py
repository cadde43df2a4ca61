"""The news report draft: house style of seed 002, and the parser reads the record back."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
)
from dangjian.organizations.models import OrganizationKind
from dangjian.people.models import PostTitle
from dangjian.reports import news
from dangjian.reports.parser import parse_report
from dangjian.reports.parser.scoring import fuzzy_match
from tests.factories import leaders_branch, make_member, make_org
from tests.reports.conftest import aware, build_branch_meeting, make_topic, post

pytestmark = pytest.mark.django_db


def _genre_fields(meeting):
    g = news.genre(meeting)
    return g.kind, g.meeting_type, ([g.activity_type] if g.activity_type else [])


def assert_round_trip(meeting, draft=None):
    """What the parser reads from the draft is the meeting's record."""
    draft = draft or news.meeting_news_draft(meeting)
    parsed = parse_report(draft)
    local = timezone.localtime(meeting.starts_at).date()
    assert parsed["date"] == local.isoformat(), draft
    assert parsed["org"] == meeting.organization.name, draft
    kind, meeting_type, activity_types = _genre_fields(meeting)
    assert parsed["kind"] == kind, draft
    assert parsed["meeting_type"] == meeting_type, draft
    assert parsed["activity_types"] == activity_types, draft
    chair = meeting.chair.name if meeting.chair else (meeting.chair_name or None)
    assert (parsed["chair"] or {}).get("name") == chair, draft
    expected_items = news.study_items(meeting)
    assert len(parsed["study_items"]) == len(expected_items), draft
    for got, want in zip(parsed["study_items"], expected_items, strict=True):
        assert fuzzy_match(got, want), (got, want, draft)
    decisions = news.enumerated_requirements(meeting)
    assert len(parsed["measures"]) == len(decisions), draft
    for got, want in zip(parsed["measures"], decisions, strict=True):
        assert want.startswith(got[2:]) or got.endswith(want.split(",")[0]), (got, want)
    return parsed


# ----------------------------------------------------------------------------- concrete records


def test_seed_002_style_draft(lg_meeting):
    """Headline, lead paragraph and two requirement paragraphs as in seed 002."""
    draft = news.meeting_news_draft(lg_meeting)
    paragraphs = draft.strip().split("\n\n")
    assert paragraphs[0] == (
        "测试局党组召开党组会议传达学习习近平总书记在纪念毛泽东同志诞辰130周年座谈会上的重要讲话精神"
    )
    assert paragraphs[1].startswith(
        "2023年12月27日，测试局党组书记、局长张新文主持召开党组会议，传达学习习近平总书记在纪念毛泽东同志"
        "诞辰130周年座谈会上的重要讲话精神、中央农村工作会议精神以及中共中央政治局专题民主生活会精神，"
        "研究贯彻落实举措。"
    )
    assert "会议还审议了《2024年党建工作要点》事项。" in paragraphs[1]
    # Protocol order, equal posts and ranks by 姓氏笔画 (王 4 strokes, 卓 8): as the seed.
    assert "测试局党组成员、副局长王育宏、卓玛才让出席会议。" in paragraphs[1]
    assert paragraphs[1].endswith("驻局纪检监察组组长陈立新列席会议。")
    # The recorder and the member on leave are not attendees of the report.
    assert "刘文静" not in draft and "李国强" not in draft
    assert paragraphs[2].startswith("会议要求，")
    assert "一要加快推进乡村振兴，大力弘扬脱贫攻坚精神。二要紧紧围绕" in paragraphs[2]
    assert "一要要" not in draft
    assert paragraphs[3].startswith("会议强调，")
    assert paragraphs[3].endswith("一要自觉对标对表习近平总书记重要讲话精神。二要增强政治敏锐性。")
    assert len(paragraphs) == 4


def test_seed_002_style_draft_round_trips(lg_meeting):
    parsed = assert_round_trip(lg_meeting)
    assert parsed["chair"] == {"name": "张新文", "titles": "党组书记、局长"}
    assert [(p["name"], p["role"]) for p in parsed["leaders"]] == [
        ("王育宏", "出席"),
        ("卓玛才让", "出席"),
        ("陈立新", "列席"),
    ]
    assert len(parsed["measures"]) == 5


def test_draft_is_deterministic(lg_meeting):
    assert news.meeting_news_draft(lg_meeting) == news.meeting_news_draft(
        Meeting.objects.get(pk=lg_meeting.pk)
    )


def test_branch_assembly_with_text_chair(tree):
    """A chair known only by name is written 会议由X主持; members are counted, not named."""
    meeting = build_branch_meeting(tree, org_key="branch", title="办公厅第三党支部党员大会")
    meeting.chair_name = "周建军"
    meeting.save()
    draft = news.meeting_news_draft(meeting)
    assert draft.startswith("办公厅第三党支部召开支部党员大会\n\n2024年1月10日，")
    assert "会议由周建军主持。" in draft
    assert "办公厅第三党支部党员3人参加会议。" in draft
    assert_round_trip(meeting)


@pytest.mark.parametrize(
    ("kind", "noun"),
    [
        (MeetingKind.THEMED_PARTY_DAY, "开展主题党日活动"),
        (MeetingKind.PARTY_LECTURE, "开展专题党课"),
        (MeetingKind.ORGANIZATIONAL_LIFE, "召开组织生活会"),
        (MeetingKind.BRANCH_COMMITTEE, "召开支部委员会会议"),
    ],
)
def test_branch_kinds(tree, kind, noun):
    branch = tree.orgs["branch"]
    chair = make_member(branch, "李明华", admin_title="处长")
    post(chair, branch, PostTitle.SECRETARY)
    meeting = Meeting.objects.create(
        organization=branch,
        kind=kind,
        title="支部活动",
        starts_at=aware(2024, 5, 8, 14, 30),
        status=Meeting.Status.HELD,
        chair=chair,
    )
    item = AgendaItem.objects.create(
        meeting=meeting,
        order=1,
        kind=AgendaItem.Kind.STUDY,
        title="学习",
        decisions=["一是严格落实意识形态工作责任制"],
    )
    item.topics.add(make_topic("中央经济工作会议", kind="conference"))
    draft = news.meeting_news_draft(meeting)
    assert draft.startswith(f"办公厅第三党支部{noun}")
    assert "要求，支部全体党员要严格落实意识形态工作责任制。" in draft
    assert_round_trip(meeting)


def test_theory_study_group_of_a_committee(tree):
    committee = tree.orgs["committee"]
    chair = make_member(committee, "陈立新")
    post(chair, committee, PostTitle.SECRETARY)
    meeting = Meeting.objects.create(
        organization=committee,
        kind=MeetingKind.THEORY_STUDY_GROUP,
        title="中心组学习",
        starts_at=aware(2024, 2, 29, 9, 0),
        chair=chair,
    )
    item = AgendaItem.objects.create(
        meeting=meeting, order=1, kind=AgendaItem.Kind.STUDY, title="学习"
    )
    item.topics.add(
        make_topic("中国共产党纪律处分条例", kind="document"),
        make_topic("在中央政治局第十一次集体学习时的重要讲话", speaker="习近平总书记"),
    )
    draft = news.meeting_news_draft(meeting)
    assert (
        "测试局机关党委书记陈立新主持召开党委理论学习中心组集体学习会议，集中学习《中国共产党纪律处分条例》、"
        in draft
    )
    parsed = assert_round_trip(meeting)
    assert parsed["meeting_type"] == "党委理论学习中心组学习"


def test_more_than_ten_requirements_continue_in_a_new_paragraph(lg_meeting):
    item = lg_meeting.agenda_items.get(order=2)
    item.decisions = [f"落实第{i}项工作任务" for i in range(1, 13)]
    item.save()
    lg_meeting._news_agenda = None
    draft = news.meeting_news_draft(lg_meeting)
    assert (
        "九要落实第9项工作任务。十要落实第10项工作任务。\n\n会议同时要求，一要落实第11项" in draft
    )
    assert_round_trip(lg_meeting)


# ----------------------------------------------------------------------------- property


ORG_NAMES = {
    OrganizationKind.LEADING_GROUP: ["省广电局党组", "市林业局党组", "县政府党组", "省民政厅党组"],
    OrganizationKind.ORGAN_COMMITTEE: ["省广电局机关党委", "市林业局机关党委", "区政府机关党委"],
    OrganizationKind.BRANCH: [
        "办公厅第三党支部",
        "宣传司党支部",
        "人事处党支部",
        "局机关第一党支部",
        "市气象台党支部",
    ],
}
KINDS = {
    OrganizationKind.LEADING_GROUP: [
        MeetingKind.LEADING_GROUP_MEETING,
        MeetingKind.THEORY_STUDY_GROUP,
        MeetingKind.DEMOCRATIC_LIFE,
    ],
    OrganizationKind.ORGAN_COMMITTEE: [
        MeetingKind.LEADING_GROUP_MEETING,
        MeetingKind.THEORY_STUDY_GROUP,
    ],
    OrganizationKind.BRANCH: [
        MeetingKind.BRANCH_ASSEMBLY,
        MeetingKind.BRANCH_COMMITTEE,
        MeetingKind.PARTY_LECTURE,
        MeetingKind.THEMED_PARTY_DAY,
        MeetingKind.ORGANIZATIONAL_LIFE,
    ],
}
SECRETARY_POST = {
    OrganizationKind.LEADING_GROUP: PostTitle.LEADING_GROUP_SECRETARY,
    OrganizationKind.ORGAN_COMMITTEE: PostTitle.SECRETARY,
    OrganizationKind.BRANCH: PostTitle.SECRETARY,
}
MEMBER_POST = {
    OrganizationKind.LEADING_GROUP: PostTitle.LEADING_GROUP_MEMBER,
    OrganizationKind.ORGAN_COMMITTEE: PostTitle.COMMITTEE_MEMBER,
    OrganizationKind.BRANCH: PostTitle.COMMITTEE_MEMBER,
}
PEOPLE = [
    "张新文",
    "王育宏",
    "卓玛才让",
    "李明华",
    "陈立新",
    "刘文静",
    "赵国庆",
    "孙丽娟",
    "周建军",
    "吴海燕",
    "郑晓东",
    "黄志强",
    "杨秀英",
]
INVITED_TITLES = ["驻局纪检监察组组长", "市委组织部副部长", "机关党委专职副书记"]
INVITED_NAMES = ["马德胜", "欧阳明", "许海涛"]
ADMIN_TITLES = ["局长", "副局长", "处长", "主任", ""]
TOPICS = [
    ("在纪念毛泽东同志诞辰130周年座谈会上的重要讲话", "speech", "习近平总书记"),
    ("在广西考察时的重要讲话", "speech", "习近平总书记"),
    ("中央农村工作会议", "conference", ""),
    ("中共中央政治局专题民主生活会", "conference", ""),
    ("对低温雨雪冰冻灾害防范应对工作作出的重要指示", "instruction", "习近平总书记"),
    ("中国共产党纪律处分条例", "document", ""),
    ("党的二十届三中全会", "conference", ""),
    ("中央经济工作会议", "conference", ""),
    ("在中央政治局第十一次集体学习时的重要讲话", "speech", "习近平总书记"),
    ("关于党的建设的重要思想的重要论述", "speech", "习近平总书记"),
    ("对机关党建工作作出的重要指示批示", "instruction", "习近平总书记"),
    ("关于加强和改进新时代机关党建工作的意见", "document", ""),
]
REQUIREMENTS = [
    "加快推进乡村振兴,大力弘扬脱贫攻坚精神",
    "紧紧围绕铸牢中华民族共同体意识这条工作主线",
    "巩固拓展主题教育成果,持续加强政治机关建设",
    "持续用心用情用力开展“我为群众办实事”实践活动",
    "自觉对标对表习近平总书记重要讲话精神",
    "增强政治敏锐性,树牢造福人民的政绩观",
    "持之以恒正风肃纪,持续强化政治监督",
    "统筹发展与安全,抓紧抓实行业安全风险防控",
    "突出重点、把握关键,系统谋划明年重点工作",
    "严格落实意识形态工作责任制",
    "加强干部队伍建设,提高履职能力",
]


@st.composite
def records(draw):
    org_kind = draw(st.sampled_from(list(ORG_NAMES)))
    people = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4, unique=True))
    return {
        "org_kind": org_kind,
        "org_name": draw(st.sampled_from(ORG_NAMES[org_kind])),
        "kind": draw(st.sampled_from(KINDS[org_kind])),
        "day": draw(st.dates(datetime.date(2019, 1, 1), datetime.date(2026, 12, 31))),
        "hour": draw(st.integers(8, 17)),
        "chair": people[0],
        "chair_post": draw(st.booleans()),
        "chair_as_text": draw(st.booleans()),
        "invited": draw(
            st.lists(
                st.tuples(st.sampled_from(INVITED_TITLES), st.sampled_from(INVITED_NAMES)),
                max_size=2,
                unique_by=lambda t: t[1],
            )
        ),
        "chair_title": draw(st.sampled_from(ADMIN_TITLES)),
        "attendees": [(p, draw(st.sampled_from(ADMIN_TITLES))) for p in people[1:]],
        "topics": draw(st.lists(st.sampled_from(TOPICS), max_size=4, unique=True)),
        "groups": draw(
            st.lists(
                st.lists(st.sampled_from(REQUIREMENTS), min_size=1, max_size=5, unique=True),
                max_size=3,
            )
        ),
    }


def _build(tree, record) -> Meeting:
    kind = record["org_kind"]
    parent = {
        OrganizationKind.LEADING_GROUP: None,
        OrganizationKind.ORGAN_COMMITTEE: tree.orgs["other_root"],
        OrganizationKind.BRANCH: tree.orgs["other_root"],
    }[kind]
    org = make_org(record["org_name"], kind, parent)
    # A 党组's people hold posts in it and are members of a branch.
    home = leaders_branch(org) if kind == OrganizationKind.LEADING_GROUP else org
    chair = None
    if not record["chair_as_text"]:
        chair = make_member(home, record["chair"], admin_title=record["chair_title"])
        if record["chair_post"]:
            post(chair, org, SECRETARY_POST[kind])
    meeting = Meeting.objects.create(
        organization=org,
        kind=record["kind"],
        title="会议",
        starts_at=aware(*record["day"].timetuple()[:3], record["hour"], 0),
        status=Meeting.Status.HELD,
        chair=chair,
        chair_name=record["chair"] if chair is None else "",
        invited_leaders=[{"title": t, "name": n} for t, n in record["invited"]],
    )
    if chair is not None:
        Attendance.objects.create(meeting=meeting, member=chair, status=AttendanceStatus.PRESENT)
    for name, title in record["attendees"]:
        m = make_member(home, name, admin_title=title)
        post(m, org, MEMBER_POST[kind])
        Attendance.objects.create(meeting=meeting, member=m, status=AttendanceStatus.PRESENT)
    order = 1
    if record["topics"]:
        item = AgendaItem.objects.create(
            meeting=meeting, order=order, kind=AgendaItem.Kind.STUDY, title="学习"
        )
        item.topics.add(*(make_topic(t, kind=k, speaker=s) for t, k, s in record["topics"]))
        order += 1
    for group in record["groups"]:
        AgendaItem.objects.create(
            meeting=meeting,
            order=order,
            kind=AgendaItem.Kind.DELIBERATION,
            title=f"研究第{order}项工作",
            decisions=group,
        )
        order += 1
    return meeting


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(record=records())
def test_round_trip_property(tree, record):
    """render → parse gives back date, organization, chair, kind, topics and measures."""
    with transaction.atomic():
        meeting = _build(tree, record)
        draft = news.meeting_news_draft(meeting)
        try:
            assert_round_trip(meeting, draft)
        finally:
            transaction.set_rollback(True)
