"""Round trip: random activity records → ``activity_news_draft`` → the parser → the record.

The draft is generated, never hand-written, so the parser must read back every field the
draft states: date, organizer, title, kind and type, venue, theme, the chair and the
leaders in their roles (受…委托 as the one who entrusts), the campaign (not its parent),
the capabilities, the participant groups, and each presenter with its topic.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.campaigns.models import Activity, ActivityType, Campaign, Presentation
from dangjian.organizations.models import OrganizationKind
from dangjian.reports import news
from dangjian.reports.parser import parse_report
from tests.factories import make_org

pytestmark = pytest.mark.django_db

ORGS = [
    ("省广电局党组", OrganizationKind.LEADING_GROUP),
    ("市林业局机关党委", OrganizationKind.ORGAN_COMMITTEE),
    ("区政府机关党委", OrganizationKind.ORGAN_COMMITTEE),
    ("办公厅第三党支部", OrganizationKind.BRANCH),
    ("市气象台党支部", OrganizationKind.BRANCH),
]
TITLES = {
    ActivityType.LAUNCH_CEREMONY: ["“政治机关,政治工作”能力提升行动启动仪式", "“四强”党支部创建"],
    ActivityType.FORUM: ["“四强”党支部建设论坛", "青年理论学习"],
    ActivityType.SPECIAL_TRAINING: ["学习新思想 提升新本领", "党务干部专题培训班"],
    ActivityType.THEMED_PARTY_DAY: ["我为广电勇担当", "重温入党誓词主题党日活动"],
    ActivityType.RESULTS_SHOWCASE: ["破难题 解民忧", "“我为群众办实事”成果展示"],
    ActivityType.REPORT_MEETING: ["激情·奉献·廉洁", "先进事迹报告会"],
    ActivityType.OTHER: ["参观革命纪念馆", "党史知识竞赛"],
}
TITLE_CAMPAIGNS = {"“政治机关,政治工作”能力提升行动启动仪式": "“政治机关,政治工作”能力提升行动"}
THEMES = ["", "学习新思想 提升新本领", "我为广电勇担当", "破难题 解民忧"]
VENUES = ["", "五四二台", "局机关报告厅", "党员活动室", "市党员教育基地"]
CAMPAIGNS = ["“政治机关,政治工作”能力提升行动", "“四强”党支部创建行动", "模范机关创建活动"]
PARENTS = ["", "学习贯彻习近平新时代中国特色社会主义思想主题教育", "党纪学习教育"]
PEOPLE = ["张新文", "王育宏", "李明华", "陈立新", "赵国庆", "孙丽娟", "周建军", "吴海燕"]
LEADER_TITLES = ["局党组书记、局长", "局党组成员、副局长", "机关党委书记", "机关党委副书记", "处长"]
ENTRUSTING = ["局党组书记、局长杨小伟", "局党组成员、副局长乐玉成"]
GROUPS = [
    "局机关各部门党支部副书记",
    "直属各单位分管党建工作的有关负责同志",
    "支部全体党员",
    "入党积极分子代表",
]
PRESENTERS = [
    "办公厅第三党支部",
    "宣传司",
    "电视剧司",
    "规划财务司",
    "监管中心信息安全处",
    "广科院电视技术研究所",
    "机关服务局技术保障部",
    "北京地球站节目平台机房党支部",
]
TOPICS = [
    "聚焦创建“四强”党支部,推动决策部署贯彻落实",
    "深化党建和业务融合",
    "党群零距离谈心谈话机制",
    "以高质量党建引领网络视听高质量发展",
    "支部工作法",
]
SUMMARIES = [
    "",
    "各级党组织和党员干部将以此次活动为契机,求真务实、担当作为。",
    "与会同志纷纷表示,要把学习成果转化为推动工作的实际成效。",
]
ROLE_READ = {"spoke": "讲话", "attended": "出席"}


@st.composite
def activities(draw):
    kind = draw(st.sampled_from(list(TITLES)))
    people = draw(st.lists(st.sampled_from(PEOPLE), max_size=4, unique=True))
    roles = draw(
        st.lists(
            st.sampled_from(["attended", "spoke", "entrusted", "chaired"]),
            min_size=len(people),
            max_size=len(people),
        )
    )
    first = roles.index("chaired") if "chaired" in roles else -1
    roles = [r if r != "chaired" or i == first else "spoke" for i, r in enumerate(roles)]
    leaders = []
    for name, role in zip(people, roles, strict=True):
        leaders.append(
            {
                "name": name,
                "title": draw(st.sampled_from(LEADER_TITLES)),
                "role": role,
                "entrusted_by": draw(st.sampled_from(ENTRUSTING)) if role == "entrusted" else "",
            }
        )
    has_campaign = draw(st.booleans())
    title = draw(st.sampled_from(TITLES[kind]))
    campaign = draw(st.sampled_from(CAMPAIGNS)) if has_campaign else ""
    if campaign and title in TITLE_CAMPAIGNS:  # a title naming a campaign names its own
        campaign = TITLE_CAMPAIGNS[title]
    return {
        "org": draw(st.sampled_from(ORGS)),
        "type": kind,
        "title": title,
        "theme": draw(st.sampled_from(THEMES)),
        "held_on": draw(st.dates(datetime.date(2019, 1, 1), datetime.date(2026, 12, 31))),
        "venue": draw(st.sampled_from(VENUES)),
        "campaign": campaign,
        "parent": draw(st.sampled_from(PARENTS)) if has_campaign else "",
        "capabilities": draw(
            st.lists(st.sampled_from(list(news.CAPABILITY_WORDS)), max_size=7, unique=True)
        ),
        "leaders": leaders,
        "groups": draw(st.lists(st.sampled_from(GROUPS), max_size=2, unique=True)),
        "participants": draw(st.one_of(st.none(), st.integers(5, 300))),
        "presentations": draw(
            st.lists(
                st.tuples(st.sampled_from(PRESENTERS), st.sampled_from(TOPICS)),
                max_size=6,
                unique_by=lambda t: t[0],
            )
        ),
        "summary": draw(st.sampled_from(SUMMARIES)),
    }


def _build(tree, r) -> Activity:
    name, kind = r["org"]
    parent = None if kind == OrganizationKind.LEADING_GROUP else tree.orgs["other_root"]
    org = make_org(name, kind, parent)
    campaign = None
    if r["campaign"]:
        parent_campaign = None
        if r["parent"]:
            parent_campaign = Campaign.objects.create(
                name=r["parent"],
                organization=tree.orgs["other_root"],
                covered=tree.orgs["other_root"],
                starts_on=datetime.date(2019, 1, 1),
                ends_on=datetime.date(2026, 12, 31),
            )
        campaign = Campaign.objects.create(
            name=r["campaign"],
            parent=parent_campaign,
            organization=tree.orgs["other_root"],
            covered=tree.orgs["other_root"],
            starts_on=datetime.date(2019, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
            capabilities=r["capabilities"],
        )
    activity = Activity.objects.create(
        type=r["type"],
        title=r["title"],
        theme=r["theme"],
        held_on=r["held_on"],
        venue=r["venue"],
        organization=org,
        campaign=campaign,
        leaders=r["leaders"],
        participant_groups="\n".join(r["groups"]),
        participants=r["participants"],
        summary=r["summary"],
    )
    for i, (presenter, topic) in enumerate(r["presentations"], start=1):
        Presentation.objects.create(activity=activity, order=i, presenter=presenter, topic=topic)
    return activity


def bare(s):
    """Without spaces and quotes, full-width folded (drafts write full-width punctuation)."""
    return re.sub(r"[\s“”\"'‘’]", "", unicodedata.normalize("NFKC", s or ""))


def folded(values):
    return [unicodedata.normalize("NFKC", v) if v else v for v in values]


def expected_leaders(r):
    """(name, role) as read: each person once, where first named."""
    out = []
    for x in r["leaders"]:
        if x["role"] == "chaired":
            continue
        if x["role"] == "entrusted":
            by = x["entrusted_by"]
            out.append((by[-3:], "委托"))
            out.append((x["name"], "致辞"))
        else:
            out.append((x["name"], ROLE_READ[x["role"]]))
    seen = set()
    return [p for p in out if not (p[0] in seen or seen.add(p[0]))]


def assert_activity_round_trip(activity, r, draft):
    parsed = parse_report(draft)
    assert parsed["kind"] == "activity", draft
    assert parsed["date"] == r["held_on"].isoformat(), draft
    assert parsed["org"] == r["org"][0], draft
    assert bare(parsed["title"]) == bare(draft.split("\n", 1)[0]), draft
    genre_type = news.activity_genre_type(activity)
    if genre_type:
        assert genre_type in parsed["activity_types"], draft
    assert parsed["venue"] == (r["venue"] or None), draft
    assert bare(parsed["theme"]) == bare(r["theme"]), draft
    chair = next((x["name"] for x in r["leaders"] if x["role"] == "chaired"), None)
    assert (parsed["chair"] or {}).get("name") == chair, draft
    assert [(p["name"], p["role"]) for p in parsed["leaders"]] == expected_leaders(r), draft
    # A title naming its campaign (…能力提升行动启动仪式) states it even without the record's.
    want = r["campaign"] or TITLE_CAMPAIGNS.get(r["title"], "")
    assert bare(parsed["campaign"]) == bare(want), draft
    caps = [news.CAPABILITY_WORDS[c] for c in news.CAPABILITY_WORDS if c in r["capabilities"]]
    if r["campaign"] and caps != ["政治能力"]:
        assert parsed["capabilities"] == caps, draft
    assert folded(parsed["participant_groups"]) == folded(r["groups"]), draft
    assert parsed["presenting_units"] == [p for p, _t in r["presentations"]], draft
    topics = [x["topic"] for x in parsed["presentations"]]
    assert folded(topics) == folded([t for _p, t in r["presentations"]]), draft
    return parsed


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(r=activities())
def test_activity_round_trip_property(tree, r):
    with transaction.atomic():
        activity = _build(tree, r)
        draft = news.activity_news_draft(activity)
        try:
            assert_activity_round_trip(activity, r, draft)
            check = news.activity_draft_check(activity, draft)
            skip = {"campaign"} if r["title"] in TITLE_CAMPAIGNS and not r["campaign"] else set()
            assert all(row["ok"] for row in check if row["field"] not in skip), (check, draft)
        finally:
            transaction.set_rollback(True)
