"""Demo campaigns, the four-strong evaluation and trainings (issue 4), after seed 000.

Called by :func:`dangjian.core.demo.load_demo` once the organizations,
members, accounts and the meeting/study/task history exist, inside the same
transaction. Like the rest of the demo this is a loader: rows are written
through the ORM (``bulk_create`` and the demo's fast inserter for the dated
rows), not through the apps' services, because the services stamp "now" on
every step and write an audit row each (the demo is one audit event, and its
history carries its own dates). The models' own validation (``full_clean``)
runs on the seed's rows; the four-strong scores use the app's own computed
indicators and its ``weighted_total``.

Seed 000 as the report states it (广电总局, 6 May 2023, 五四二台):

- the theme education (主题教育) as the parent campaign, issued by 广电总局党组;
- the capability campaign (“政治机关，政治工作”能力提升行动), issued by 机关党委
  over the organ's tree, aimed at the seven capabilities, with the notice's
  five series activities;
- the launch ceremony and the forum, held together: 杨小伟 attended and spoke
  entrusted by 乐玉成 (“受……委托”); the ten presenting branches in the
  report's order with the report's words as their topics.

Not in the report, so the demo's plausible choices: the campaign's period
(the theme education's first batch, April to August 2023), the series
activities' windows and owners, the reporting requirements and their due
dates, the branches' themed party days, which presentations the office
marked exemplary, and the reviewers' comments.

Synthetic, relative to ``today`` (like the meeting history):

- a current-year four-strong creation campaign with one requirement past due
  and one still open, so that ``zhibu`` has something to report and
  ``jiguan`` something to review;
- a four-strong cycle of the current year in progress (branches at every
  step up to the public notice) and a finished cycle of the previous year
  (some branches named), both scored from the synthetic history;
- trainings over the last two years tagged with capabilities, with attendance.

Bounded volume: at large ``--size`` only the first ``LEDGER_BRANCHES``
branches report and are scored from the history; the others are listed
(not reported; self-assessment not started).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Sum
from django.utils import timezone

from dangjian.access.roles import Action
from dangjian.campaigns.models import (
    Activity,
    ActivityType,
    Campaign,
    LeaderRole,
    PlannedActivity,
    Presentation,
    Requirement,
    Submission,
)
from dangjian.fourstrong import computed
from dangjian.fourstrong.models import (
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    ComputedKey,
    Cycle,
    CycleStatus,
    Indicator,
    IndicatorSystem,
    Objection,
    Score,
    Source,
    SystemStatus,
)
from dangjian.fourstrong.services import weighted_total
from dangjian.meetings.models import Attendance, AttendanceStatus, Meeting
from dangjian.meetings.models import MeetingKind as MK
from dangjian.meetings.selectors import life_compliance
from dangjian.organizations.models import STEP, Organization, OrganizationKind, UnitKind
from dangjian.people.models import Member, PostAssignment, PostTitle
from dangjian.training.capabilities import CAPABILITY_CODES, Capability
from dangjian.training.models import Training, TrainingAttendance, TrainingKind

K = OrganizationKind
T = ActivityType
S = AssessmentStatus
C = Capability
SEED_SALT = 0x0004  # this part's RNG is seeded apart from the members' and the meetings'
LEDGER_BRANCHES = 300
TRAINING_BRANCHES = 150
CENT = Decimal("0.01")
EVENT_COLUMNS = ("assessment_id", "actor_id", "actor_name", "at", "step", "comment")

# ---------------------------------------------------------------------------
# Seed 000
# ---------------------------------------------------------------------------

SEED_DAY = datetime.date(2023, 5, 6)
SEED_VENUE = "五四二台"
THEME_EDUCATION = "学习贯彻习近平新时代中国特色社会主义思想主题教育"
CAMPAIGN_NAME = "“政治机关，政治工作”能力提升行动"
# Bodies the report names that are not party organizations of the tree (issue 12 point 4).
CAMPAIGN_ISSUED_BY = "总局主题教育领导小组办公室"  # by decision of 总局党组
SUPERIOR_BODY = "中央和国家机关工委"
SEED_ORGANIZER = "广电总局"  # the organ itself held the event; 机关党委 records it
NOTICE_TITLE = (
    "《关于在学习贯彻习近平新时代中国特色社会主义思想主题教育中开展“政治机关，政治工作”"
    "能力提升行动的通知》"
)
CAMPAIGN_NOTICE = (
    f"总局主题教育领导小组办公室按照总局党组要求，印发{NOTICE_TITLE}。\n"
    "为持续推进政治机关建设，总局党组决定，在主题教育期间，在“政治机关，政治工作”学习教育"
    "基础上，组织开展“政治机关，政治工作”能力提升行动。\n"
    "把举办党员干部“学习新思想 提升新本领”专题培训、开展“我为广电勇担当”主题党日、举办"
    "“四强”党支部建设论坛、“破难题 解民忧”成果交流展示活动、“激情·奉献·廉洁”——全国广播"
    "电视和网络视听先进事迹报告会等系列活动纳入其中，集中反映总局政治机关建设的最新成果，以提升"
    "政治能力为主，全面提升总局系统党员、干部调查研究能力、科学决策能力、改革攻坚能力、应急处突"
    "能力、群众工作能力和抓落实能力。"
)
CAMPAIGN_GOALS = (
    "紧紧围绕主题教育总要求，以习近平总书记对年轻干部要提高“七种能力”的要求为目标，进一步提升"
    "党员干部的政治素质和政治能力，集中展示总局模范政治机关建设的最新成果；发挥典型引领示范作用，"
    "带动总局系统更多党支部积极创建“四强”党支部，为实现广播电视和网络视听高质量发展提供坚强"
    "组织保证。"
)
THEME_EDUCATION_GOALS = "学思想、强党性、重实践、建新功。"
THEME_EDUCATION_PERIOD = (datetime.date(2023, 4, 3), datetime.date(2023, 8, 31))
CAMPAIGN_PERIOD = (datetime.date(2023, 4, 25), datetime.date(2023, 8, 31))

THEME_PARTY_DAY = "我为广电勇担当"
THEME_TRAINING = "学习新思想 提升新本领"
THEME_SHOWCASE = "破难题 解民忧"
# type, theme, owner (organization key or "unit:" + unit key), window (the forum: the seed's day).
PLANNED = (
    (
        T.SPECIAL_TRAINING,
        f"党员干部“{THEME_TRAINING}”专题培训",
        "nrta_committee",
        (datetime.date(2023, 5, 15), datetime.date(2023, 6, 15)),
    ),
    (
        T.THEMED_PARTY_DAY,
        f"“{THEME_PARTY_DAY}”主题党日",
        "nrta_committee",
        (datetime.date(2023, 5, 8), datetime.date(2023, 6, 30)),
    ),
    (T.FORUM, "“四强”党支部建设论坛", "nrta_committee", (SEED_DAY, SEED_DAY)),
    (
        T.RESULTS_SHOWCASE,
        f"“{THEME_SHOWCASE}”成果交流展示活动",
        "nrta_committee",
        (datetime.date(2023, 7, 1), datetime.date(2023, 8, 31)),
    ),
    (
        T.REPORT_MEETING,
        "“激情·奉献·廉洁”——全国广播电视和网络视听先进事迹报告会",
        "unit:nrta_dept_1",  # 宣传司
        (datetime.date(2023, 6, 1), datetime.date(2023, 6, 30)),
    ),
)

LEADER_ENTRUSTED = "杨小伟"
LEADER_ENTRUSTING = "乐玉成"
# The keys of the activity form (name, title, role, entrusted_by); as the report words it.
LEADERS = [
    {
        "name": LEADER_ENTRUSTED,
        "title": "总局党组成员、副局长、机关党委书记",
        "role": LeaderRole.ENTRUSTED.value,
        "entrusted_by": f"总局党组成员、副局长{LEADER_ENTRUSTING}",
    },
]
PARTICIPANT_GROUPS = (
    "总局机关各部门党支部副书记，直属各单位分管党建工作的有关负责同志、党办主任或党支部书记代表"
)
CEREMONY_TITLE = f"{CAMPAIGN_NAME}启动仪式"
FORUM_TITLE = "“四强”党支部建设论坛"
# One event of two kinds (启动仪式暨论坛): one record, one leader block.
SEED_EVENT_TITLE = f"{CEREMONY_TITLE}暨{FORUM_TITLE}"
CEREMONY_SUMMARY = (
    f"受总局党组成员、副局长{LEADER_ENTRUSTING}委托，总局党组成员、副局长、机关党委书记"
    f"{LEADER_ENTRUSTED}出席并致辞。{LEADER_ENTRUSTED}同志代表总局党组对2022年总局“政治机关，"
    "政治工作”学习教育活动取得的成效给予充分肯定，强调2023年总局“政治机关，政治工作”能力提升"
    "行动要紧紧围绕主题教育总要求，以习近平总书记对年轻干部要提高“七种能力”的要求为目标，进一步"
    "提升党员干部的政治素质和政治能力，集中展示总局模范政治机关建设的最新成果。"
)
FORUM_SUMMARY = (
    "按照中央和国家机关工委有关要求，总局各部门单位党组织充分结合工作实际，认真组织筹备，办公厅等"
    "10个部门单位推荐的党支部在论坛上进行交流展示，为总局各部门单位党组织进一步提高政治站位，"
    "强化政治机关意识，创建“四强”党支部，提高基层党的建设工作质量提供了宝贵经验和有益做法。"
)
# The ten presentations in the report's order: branch key, topic, summary (the report's words).
PRESENTATIONS = (
    (
        "nrta_dept_0_2",  # 办公厅第三党支部
        "聚焦创建“四强”党支部，推动党中央、总局党组各项决策部署贯彻落实",
        "讲述了聚焦创建“四强”党支部，推动党中央、总局党组各项决策部署贯彻落实方面的经验做法。",
    ),
    (
        "nrta_dept_1_0",  # 宣传司党支部
        "聚焦政治性、理论性、融合性、先进性，深化党建和业务融合",
        "聚焦政治性、理论性、融合性、先进性，深化党建和业务融合，展示支部全体党员新担当、新作为、"
        "新风貌。",
    ),
    (
        "nrta_dept_2_0",  # 电视剧司党支部
        "锻造“四强”党支部，推动党建与业务深度融合，打造精品电视剧",
        "分享了在锻造“四强”党支部中推动党建与业务工作深度融合，打造精品电视剧的典型经验。",
    ),
    (
        "nrta_dept_3_0",  # 网络视听司党支部
        "学思想悟思想用思想，全力推动网络视听高质量发展",
        "通过展示党员干部学思想悟思想用思想，交流了支部工作在全力推动网络视听高质量发展的取胜"
        "之因、致胜之形。",
    ),
    (
        "nrta_dept_4_0",  # 规划财务司党支部
        "创新支部工作机制，推动广电“十四五”发展规划落实落地",
        "介绍了支部创新工作机制，以实际行动推动广电“十四五”发展规划落实落地的经验做法。",
    ),
    (
        "nrta_aff_4_0",  # 北京地球站节目平台机房党支部
        "“党群零距离”谈心谈话机制与“党员+骨干”双向培养工程",
        "分享建立“党群零距离”谈心谈话机制、“党员+骨干”双向培养工程，创建“四强”党支部建设的故事。",
    ),
    (
        "nrta_aff_0_0",  # 监管中心信息安全处党支部
        "一名党员就是一面旗帜，有力维护国家意识形态安全",
        "聚焦一名党员就是一面旗帜，讲述支部在有力维护国家意识形态安全方面发挥的战斗堡垒作用。",
    ),
    (
        "nrta_aff_1_0",  # 广科院电视技术研究所党支部
        "结合“四强”，在科技创新中彰显政治本色",
        "结合“四强”，展示了支部在科技创新中彰显政治本色的经验做法。",
    ),
    (
        "nrta_aff_2_0",  # 机关服务局技术保障部党支部
        "17年初心不改，用优质高效的技术服务助力广播电视高质量发展",
        "讲述了支部全体党员17年来初心不改，用优质高效的技术服务助力广播电视高质量发展的故事。",
    ),
    (
        "nrta_aff_3_0",  # 中广公司工程事业部党支部
        "以党员视角分享推进海外工程中与支部共同成长的经历",
        "以党员视角，分享了在推进海外工程有关工作中与支部共同成长的真实经历和收获。",
    ),
)
# Which of them the office marked as exemplary cases (the demo's choice), and why.
EXEMPLARY = {
    "nrta_dept_0_2": "以创建“四强”党支部推动决策部署落实，经验可复制可推广。",
    "nrta_dept_2_0": "党建与业务深度融合，打造精品电视剧的做法具有示范意义。",
    "nrta_aff_4_0": "谈心谈话与双向培养机制实用有效，适合基层支部借鉴。",
    "nrta_aff_2_0": "长期坚守技术服务一线，体现党员初心本色。",
}

# The seed campaign's reporting requirements: key, title, description, due date.
SEED_REQUIREMENTS = (
    (
        "training",
        f"组织党员参加“{THEME_TRAINING}”专题培训",
        "各党支部组织党员参加总局举办的专题培训，报送参训情况。",
        datetime.date(2023, 6, 15),
    ),
    (
        "party_day",
        f"开展“{THEME_PARTY_DAY}”主题党日并报送",
        f"各党支部围绕“{THEME_PARTY_DAY}”开展一次主题党日活动，活动后及时报送活动记录"
        "（时间、地点、参加人数、活动内容）和照片。",
        datetime.date(2023, 6, 30),
    ),
    (
        "showcase",
        f"报送“{THEME_SHOWCASE}”成果交流展示材料",
        "各党支部总结围绕中心破解难题、服务群众的工作成果，报送成果交流展示材料。",
        datetime.date(2023, 8, 15),
    ),
)
# key → (share of the ledger branches that reported, share of the reported accepted).
SEED_FILL = {"training": (0.85, 0.8), "party_day": (0.8, 0.7), "showcase": (0.55, 0.5)}
RETURN_REASON = "主题党日记录缺少参加人数和活动照片，请补充完整后重新报送。"
ACCEPT_COMMENTS = ("", "", "材料齐全，予以通过。", "活动扎实，记录完整。")
PARTY_DAY_SUMMARY = (
    "支部围绕“我为广电勇担当”主题，组织党员重温入党誓词，结合岗位职责交流如何在推动广播电视"
    "和网络视听高质量发展中勇于担当作为。"
)
SHOWCASE_SUMMARY = "支部梳理围绕中心工作破解难题、服务群众的成果，形成交流展示材料。"
VENUES = ("支部活动室", "党员活动室", "单位会议室", "党建活动中心")

# The current year's four-strong creation campaign (synthetic).
CURRENT_GOALS = "以创建“四强”党支部为抓手，推动支部政治功能和组织功能进一步增强。"
CURRENT_NOTICE = (
    "机关党委关于开展年度“四强”党支部创建工作的通知：各党支部按要求开展创建活动并按期报送。"
)

EVIDENCE = {
    "": (
        "见支部年度工作台账及相关会议记录。",
        "附学习记录、活动照片和工作总结。",
        "详见支部工作总结第二部分。",
        "有关材料已上传支部工作台账。",
    ),
    "computed": "平台数据暂缺，按支部台账自评。",
}
REVIEW_COMMENTS = (
    "材料完整，评分属实。",
    "部分指标佐证材料不足，酌情扣分。",
    "经复核，同意机关党委办公室评分。",
)
OBJECTION_TEXT = "该支部年度组织生活会召开时间晚于计划，请予核实。"
OBJECTION_ANSWER = "经核实，组织生活会因专项任务推迟两周召开，已报备，不影响评定。"

# ---------------------------------------------------------------------------
# Trainings
# ---------------------------------------------------------------------------

SEED_TRAINING_DAY = datetime.date(2023, 5, 25)
# Organ-level trainings of the last two years: title, kind, capabilities, hours.
ORGAN_TRAININGS = (
    (
        "学习贯彻习近平新时代中国特色社会主义思想专题培训",
        TrainingKind.SPECIAL_TRAINING,
        (C.POLITICAL,),
        "6",
    ),
    ("调查研究方法与实践专题讲座", TrainingKind.LECTURE, (C.RESEARCH,), "3"),
    ("科学决策与依法行政专题讲座", TrainingKind.LECTURE, (C.DECISION,), "2.5"),
    ("深化广电领域改革专题辅导", TrainingKind.LECTURE, (C.REFORM, C.DECISION), "3"),
    ("安全播出与应急处置专题培训", TrainingKind.SPECIAL_TRAINING, (C.EMERGENCY,), "4"),
    ("新时代群众工作方法专题讲座", TrainingKind.LECTURE, (C.MASS_WORK,), "2"),
    ("抓落实能力提升专题培训", TrainingKind.SPECIAL_TRAINING, (C.IMPLEMENTATION,), "3"),
    ("意识形态工作责任制专题培训", TrainingKind.SPECIAL_TRAINING, (C.POLITICAL, C.EMERGENCY), "3"),
    ("党纪学习教育专题辅导", TrainingKind.LECTURE, (C.POLITICAL,), "2"),
    ("网络视听新技术新业态网络课程", TrainingKind.ONLINE_COURSE, (C.RESEARCH, C.REFORM), "8"),
)
BRANCH_TRAININGS = (
    ("专题党课：做新时代合格党员", TrainingKind.PARTY_LECTURE, (C.POLITICAL,)),
    ("支部专题学习：大兴调查研究", TrainingKind.LECTURE, (C.RESEARCH, C.IMPLEMENTATION)),
    ("专题党课：密切联系群众", TrainingKind.PARTY_LECTURE, (C.MASS_WORK, C.POLITICAL)),
    ("支部专题学习：抓落实、勇担当", TrainingKind.LECTURE, (C.IMPLEMENTATION,)),
    ("支部专题学习：应急处突案例研讨", TrainingKind.LECTURE, (C.EMERGENCY, C.DECISION)),
)


@dataclass
class CampaignsResult:
    campaigns: int = 0
    planned_activities: int = 0
    requirements: int = 0
    activities: int = 0
    presentations: int = 0
    submissions: int = 0
    party_day_meetings: int = 0
    cycles: int = 0
    assessments: int = 0
    trainings: int = 0
    training_attendances: int = 0


def _quantize(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


class ComputedShares:
    """The four-strong computed indicators (``fourstrong.computed``) of many branches at once.

    ``computed.compute`` takes 5-25 ms a branch and key (its selectors work on
    one subtree); the demo scores ~60 branches twice, so it reads each key for
    all branches in a few queries, with the same definitions.
    tests/core/test_demo_campaigns.py checks both give the same shares.
    """

    def __init__(self, *, user, scope: Organization, today: datetime.date):
        self.user = user
        self.scope = scope
        self.today = today
        self.tz = timezone.get_current_timezone()

    def shares(self, keys, branches, year: int) -> dict[tuple[int, str], float | None]:
        """{(branch id, computed key): share} for ``branches`` below the scope."""
        last = min(self.today, datetime.date(year, 12, 31))
        batched = {
            ComputedKey.LIFE_COMPLIANCE: self._life_compliance,
            ComputedKey.STUDY_PROMPTNESS: self._promptness,
            ComputedKey.TASK_ON_TIME: self._task_on_time,
            ComputedKey.CAMPAIGN_REPORTING: self._campaign_reporting,
            ComputedKey.TRAINING_HOURS: self._training_hours,
        }
        out: dict[tuple[int, str], float | None] = {}
        for key in sorted(keys):
            if key in batched:
                shares = batched[key](branches, year, last)
                out.update({(pk, key): share for pk, share in shares.items()})
                continue
            for branch in branches:
                out[(branch.pk, key)] = computed.compute(
                    key, user=self.user, branch=branch, year=year
                )
        return out

    def _life_compliance(self, branches, year: int, last: datetime.date):
        """Share of the life rules met in the periods containing the year's last day."""
        ids = {b.pk for b in branches}
        out = {}
        for row in life_compliance(user=self.user, day=last, root=self.scope).rows:
            if row.organization.pk in ids:
                cells = [c for c in row.cells if c is not None]
                out[row.organization.pk] = sum(c.ok for c in cells) / len(cells) if cells else None
        return out

    def _task_on_time(self, branches, year: int, last: datetime.date):
        """Share of the led tasks due in the year (and already due) closed by their deadline."""
        from dangjian.tasks.models import Task, TaskStatus

        today = timezone.localdate()
        counts = defaultdict(lambda: [0, 0])  # branch id → [due, on time]
        rows = (
            Task.objects.restrict(self.user, Action.TASK_VIEW)
            .filter(lead_organization__in=[b.pk for b in branches], deadline__year=year)
            .values_list("lead_organization_id", "status", "deadline", "closed_at")
        )
        for org_id, status, deadline, closed_at in rows:
            closed = status == TaskStatus.CLOSED and closed_at is not None
            if closed and timezone.localtime(closed_at).date() <= deadline:
                counts[org_id][0] += 1
                counts[org_id][1] += 1
            elif closed or deadline < today:
                counts[org_id][0] += 1
        return {b.pk: (on / due if due else None) for b in branches for due, on in [counts[b.pk]]}

    def _campaign_reporting(self, branches, year: int, last: datetime.date):
        """Share of the requirements due in the year (and already due) reported by their due
        date and not returned, over the campaigns covering each branch."""
        campaigns = Campaign.objects.restrict(self.user, Action.MEETING_VIEW)
        requirements = list(
            Requirement.objects.filter(campaign__in=campaigns, due_on__year=year).select_related(
                "campaign__covered"
            )
        )
        submissions = {
            (s.requirement_id, s.organization_id): s
            for s in Submission.objects.filter(
                requirement__in=[r.pk for r in requirements],
                organization__in=[b.pk for b in branches],
            )
        }
        today = timezone.localdate()
        out = {}
        for branch in branches:
            due = met = 0
            for r in requirements:
                if not branch.path.startswith(r.campaign.covered.path) or not r.applies_to(branch):
                    continue
                s = submissions.get((r.pk, branch.pk))
                reported = s is not None and s.status != Submission.Status.RETURNED
                if (
                    reported
                    and s.reported_at is not None
                    and timezone.localtime(s.reported_at).date() <= r.due_on
                ):
                    met += 1
                    due += 1
                elif reported or r.due_on < today:
                    due += 1
            out[branch.pk] = met / due if due else None
        return out

    def _training_hours(self, branches, year: int, last: datetime.date):
        """Members' average hours in the year (each attendance once) against the yearly
        target, capped at 1; members and hours of the branch's whole subtree."""
        by_path = {b.path: b.pk for b in branches}

        def branch_of(path: str) -> int | None:
            for end in range(STEP, len(path) + 1, STEP):
                if path[:end] in by_path:
                    return by_path[path[:end]]
            return None

        members: dict[int, int] = defaultdict(int)
        counts = (
            Member.objects.current()
            .filter(organization__path__startswith=self.scope.path)
            .values_list("organization__path")
            .annotate(n=Count("id"))
            .order_by()
        )
        for path, n in counts:
            members[branch_of(path)] += n
        hours: dict[int, Decimal] = defaultdict(Decimal)
        sums = (
            TrainingAttendance.objects.filter(
                training__date__year=year,
                member__organization__path__startswith=self.scope.path,
            )
            .values_list("member__organization__path")
            .annotate(total=Sum("hours"))
            .order_by()
        )
        for path, total in sums:
            hours[branch_of(path)] += total
        target = computed.training_target()
        return {
            b.pk: (
                float(min(Decimal(1), hours[b.pk] / members[b.pk] / target))
                if members[b.pk]
                else None
            )
            for b in branches
        }

    def _promptness(self, branches, year: int, last: datetime.date):
        """Share of the year's topics (at least 30 days old) each branch studied within 30 days
        (``study.selectors.coverage_overview`` with one window, for all branches at once)."""
        from dangjian.meetings.models import AgendaItem, Meeting
        from dangjian.study.models import Topic

        topics = dict(
            Topic.objects.restrict(self.user, Action.MEETING_VIEW)
            .filter(given_on__gte=datetime.date(year, 1, 1), given_on__lte=last)
            .values_list("pk", "given_on")
        )
        due = {pk: given for pk, given in topics.items() if (last - given).days >= 30}
        first = defaultdict(dict)
        rows = (
            AgendaItem.topics.through.objects.filter(
                topic_id__in=list(due),
                agendaitem__meeting__in=Meeting.objects.restrict(
                    self.user, Action.MEETING_VIEW
                ).held(),
                agendaitem__meeting__organization_id__in=[b.pk for b in branches],
            )
            .values("topic_id", "agendaitem__meeting__organization_id")
            .annotate(first=Min("agendaitem__meeting__starts_at"))
            .order_by()
        )
        for r in rows:
            day = timezone.localdate(r["first"], self.tz)
            first[r["agendaitem__meeting__organization_id"]][r["topic_id"]] = day
        out = {}
        for branch in branches:
            studied = first.get(branch.pk, {})
            within = sum(
                1 for pk, given in due.items() if pk in studied and (studied[pk] - given).days <= 30
            )
            out[branch.pk] = within / len(due) if due else None
        return out


class _Loader:
    def __init__(self, *, orgs, units, seed: int, today: datetime.date):
        from dangjian.core.demo import DEMO_BRANCH, _Table  # the demo's fast inserter

        self.orgs = orgs
        self.units = units
        self.today = today
        self.rng = random.Random(seed * 1_000_003 + SEED_SALT)
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.table = lambda model, cols: _Table(model, cols, now=self.now)
        self.result = CampaignsResult()
        self.users = {u.username: u for u in get_user_model().objects.all()}
        self.office = self.users["jiguan"]
        self.committee = orgs["nrta_committee"]
        self.demo_branch = orgs[DEMO_BRANCH]
        branches = list(
            Organization.objects.active()
            .filter(path__startswith=self.committee.path, kind=K.BRANCH)
            .select_related("parent")
            .order_by("path")
        )
        self.branches = branches
        self.ledger_branches = branches[:LEDGER_BRANCHES]
        self.presenting = {orgs[key].pk for key, _t, _s in PRESENTATIONS}
        secretaries = PostAssignment.objects.filter(
            ended_on__isnull=True, title=PostTitle.SECRETARY
        ).values_list("organization_id", "member__name")
        self.secretary = dict(secretaries.order_by("-id"))

    def at(self, day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
        moment = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(hour, minute)), self.tz
        )
        return min(moment, self.now)

    def _between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        if last <= first:
            return first
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    # -- campaigns ------------------------------------------------------------

    def seed_campaign(self) -> None:
        nrta = self.orgs["nrta"]
        parent = Campaign(
            name=THEME_EDUCATION,
            organization=nrta,
            covered=nrta,
            notice="总局党组按照党中央部署，在总局系统开展学习贯彻习近平新时代中国特色社会主义思想"
            "主题教育。",
            starts_on=THEME_EDUCATION_PERIOD[0],
            ends_on=THEME_EDUCATION_PERIOD[1],
            capabilities=[C.POLITICAL.value],
            goals=THEME_EDUCATION_GOALS,
        )
        parent.full_clean()
        parent.save()
        # The notice came from the theme education leading group office by decision of
        # 总局党组 (the issuing organization); 机关党委 runs the campaign's ledger below it.
        campaign = Campaign(
            name=CAMPAIGN_NAME,
            parent=parent,
            organization=nrta,
            issued_by_text=CAMPAIGN_ISSUED_BY,
            superior_body=SUPERIOR_BODY,
            covered=self.committee,
            notice=CAMPAIGN_NOTICE,
            starts_on=CAMPAIGN_PERIOD[0],
            ends_on=CAMPAIGN_PERIOD[1],
            capabilities=list(CAPABILITY_CODES),
            main_capability=C.POLITICAL.value,
            goals=CAMPAIGN_GOALS,
        )
        campaign.full_clean()
        campaign.save()
        self.campaign = campaign
        planned = []
        for kind, theme, owner, (start, end) in PLANNED:
            row = PlannedActivity(campaign=campaign, type=kind, theme=theme, starts_on=start)
            row.ends_on = end
            if owner.startswith("unit:"):
                row.owner_unit = self.units[owner[5:]]
            else:
                row.owner_organization = self.orgs[owner]
            row.full_clean()
            planned.append(row)
        PlannedActivity.objects.bulk_create(planned)
        self.result.campaigns += 2
        self.result.planned_activities += len(planned)

        # The launch ceremony and the forum: one event of two kinds, as the report names it.
        forum = Activity(
            type=T.LAUNCH_CEREMONY,
            types=[T.LAUNCH_CEREMONY.value, T.FORUM.value],
            title=SEED_EVENT_TITLE,
            theme=CAMPAIGN_NAME,
            summary=CEREMONY_SUMMARY + FORUM_SUMMARY,
            held_on=SEED_DAY,
            venue=SEED_VENUE,
            organization=self.committee,
            organizer_text=SEED_ORGANIZER,
            campaign=campaign,
            leaders=LEADERS,
            participant_groups=PARTICIPANT_GROUPS,
        )
        forum.full_clean()
        forum.save()
        # The special training is one Training (hours per member and capability); the
        # branches' ledger entries point at it, no activity repeats it.
        self.seed_training = Training(
            organization=self.committee,
            kind=TrainingKind.SPECIAL_TRAINING,
            title=PLANNED[0][1],
            date=SEED_TRAINING_DAY,
            hours=Decimal("6"),
            capabilities=list(CAPABILITY_CODES),
            summary=f"{CAMPAIGN_NAME}系列活动之一。",
            created_by=self.office,
        )
        self.seed_training.full_clean()
        self.seed_training.save()
        presentations = []
        for order, (key, topic, summary) in enumerate(PRESENTATIONS, start=1):
            org = self.orgs[key]
            # The department, or the directly affiliated unit above the division, that
            # recommended the branch (办公厅等10个部门单位推荐的党支部).
            unit = org.unit
            recommended = unit.parent if unit.kind == UnitKind.DIVISION else unit
            row = Presentation(
                activity=forum,
                order=order,
                organization=org,
                unit=unit,
                recommended_by_unit=recommended,
                topic=topic,
                summary=summary,
                exemplary=key in EXEMPLARY,
                exemplary_note=EXEMPLARY.get(key, ""),
            )
            row.full_clean()
            presentations.append(row)
        Presentation.objects.bulk_create(presentations)
        self.result.activities += 1
        self.result.presentations += len(presentations)

        requirements = {}
        for key, title, description, due in SEED_REQUIREMENTS:
            row = Requirement(
                campaign=campaign,
                title=title,
                description=description,
                organization_kinds=[K.BRANCH.value],
                due_on=due,
                # Met by what the branches record anyway: the training, their 主题党日.
                training_kind=TrainingKind.SPECIAL_TRAINING if key == "training" else "",
                meeting_kind=MK.THEMED_PARTY_DAY if key == "party_day" else "",
            )
            row.full_clean()
            row.save()
            requirements[key] = row
        self.result.requirements += len(requirements)
        self._seed_ledger(requirements)

    def _seed_ledger(self, requirements: dict[str, Requirement]) -> None:
        """Some branches reported (some accepted), exactly one returned, the rest late."""
        demo = self.demo_branch.pk
        # The one returned submission: the first branch that neither presented nor is zhibu's.
        returned = next(
            (b.pk for b in self.ledger_branches if b.pk != demo and b.pk not in self.presenting),
            None,
        )
        plan = []  # (requirement, branch, status)
        for key, requirement in requirements.items():
            reported_share, accepted_share = SEED_FILL[key]
            for branch in self.ledger_branches:
                if branch.pk == demo:
                    status = None if key == "showcase" else Submission.Status.ACCEPTED
                elif key == "party_day" and branch.pk == returned:
                    status = Submission.Status.RETURNED
                elif branch.pk in self.presenting and key != "showcase":
                    status = Submission.Status.ACCEPTED
                elif self.rng.random() < reported_share:
                    accepted = self.rng.random() < accepted_share
                    status = Submission.Status.ACCEPTED if accepted else Submission.Status.REPORTED
                else:
                    status = None
                if status is not None:
                    plan.append((key, requirement, branch, status))
        records, party_days = [], []
        for key, requirement, branch, _status in plan:
            if key == "training":
                records.append(self.seed_training)
                continue
            window = PLANNED[1][3] if key == "party_day" else PLANNED[3][3]
            day = self._between(window[0], min(window[1], requirement.due_on))
            if key == "party_day":
                # A 主题党日 is a branch meeting: it counts for 三会一课, the four-strong
                # indicators and, reported once, for this ledger.
                meeting = Meeting(
                    organization=branch,
                    kind=MK.THEMED_PARTY_DAY,
                    title=f"{day.year}年{day.month}月主题党日：{THEME_PARTY_DAY}",
                    starts_at=self.at(day, 14, 30),
                    ends_at=self.at(day, 17, 0),
                    venue=self.rng.choice(VENUES),
                    status=Meeting.Status.HELD,
                    chair_name=self.secretary.get(branch.pk, ""),
                    summary=PARTY_DAY_SUMMARY,
                )
                party_days.append(meeting)
                records.append(meeting)
                continue
            records.append(
                Activity(
                    type=T.RESULTS_SHOWCASE,
                    types=[T.RESULTS_SHOWCASE.value],
                    title=f"{branch.name}“{THEME_SHOWCASE}”工作成果",
                    theme=THEME_SHOWCASE,
                    held_on=day,
                    venue=self.rng.choice(VENUES),
                    organization=branch,
                    campaign=self.campaign,
                    summary=SHOWCASE_SUMMARY,
                )
            )
        Meeting.objects.bulk_create(party_days)
        self._attend(party_days)
        self.result.party_day_meetings += len(party_days)
        new = [a for a in records if isinstance(a, Activity)]
        Activity.objects.bulk_create(new)
        self.result.activities += len(new)
        self._write_submissions(plan, records, reason_for=RETURN_REASON)

    def _attend(self, meetings: list[Meeting]) -> None:
        """Every current member who had joined by then attended the campaign's 主题党日."""
        members: dict[int, list[tuple[int, datetime.date | None]]] = defaultdict(list)
        for pk, org_id, joined in (
            Member.objects.current()
            .filter(organization_id__in={m.organization_id for m in meetings})
            .values_list("id", "organization_id", "joined_party_on")
        ):
            members[org_id].append((pk, joined))
        rows = [
            (m.pk, pk, AttendanceStatus.PRESENT)
            for m in meetings
            for pk, joined in members[m.organization_id]
            if joined is None or joined <= m.starts_at.date()
        ]
        self.table(Attendance, ("meeting_id", "member_id", "status")).insert(rows)

    def _write_submissions(self, plan, records, *, reason_for: str) -> None:
        rows = []
        for (_key, requirement, branch, status), record in zip(plan, records, strict=True):
            if isinstance(record, Meeting):
                held_on = timezone.localdate(record.starts_at)
            elif isinstance(record, Training):
                held_on = record.date
            else:
                held_on = record.held_on
            reported = max(held_on, requirement.campaign.starts_on) + datetime.timedelta(
                days=self.rng.randint(1, 6)
            )
            reported = min(reported, self.today)
            reported_at = self.at(reported, 9 + self.rng.randint(0, 8), self.rng.randint(0, 59))
            reviewer, reviewed_at, comment = None, None, ""
            if status != Submission.Status.REPORTED:
                reviewed = min(
                    reported + datetime.timedelta(days=self.rng.randint(1, 8)), self.today
                )
                reviewer = self.office.pk
                reviewed_at = max(self.at(reviewed, 15, self.rng.randint(0, 59)), reported_at)
                comment = (
                    reason_for
                    if status == Submission.Status.RETURNED
                    else self.rng.choice(ACCEPT_COMMENTS)
                )
            rows.append(
                (
                    requirement.pk,
                    branch.pk,
                    record.pk if isinstance(record, Activity) else None,
                    record.pk if isinstance(record, Meeting) else None,
                    record.pk if isinstance(record, Training) else None,
                    status,
                    comment,
                    reported_at,
                    reviewer,
                    reviewed_at,
                    reported_at,
                    reviewed_at or reported_at,
                )
            )
        self.table(
            Submission,
            (
                "requirement_id",
                "organization_id",
                "activity_id",
                "meeting_id",
                "training_id",
                "status",
                "comment",
                "reported_at",
                "reviewer_id",
                "reviewed_at",
                "created_at",
                "updated_at",
            ),
        ).insert(rows)
        self.result.submissions += len(rows)

    def current_campaign(self) -> None:
        """This year's four-strong creation: one requirement past due, one still open."""
        today = self.today
        year = today.year
        starts = min(datetime.date(year, 1, 1), today - datetime.timedelta(days=90))
        ends = datetime.date(year, 12, 31)
        campaign = Campaign(
            name=f"{year}年“四强”党支部创建活动",
            organization=self.committee,
            covered=self.committee,
            notice=CURRENT_NOTICE,
            starts_on=starts,
            ends_on=ends,
            capabilities=[C.POLITICAL.value, C.IMPLEMENTATION.value],
            goals=CURRENT_GOALS,
        )
        campaign.full_clean()
        campaign.save()
        self.current = campaign
        self.result.campaigns += 1
        past_due = today - datetime.timedelta(days=45)
        open_due = min(today + datetime.timedelta(days=21), ends)
        party_day = Requirement(
            campaign=campaign,
            title="开展“四强”党支部创建主题党日并报送",
            description="各党支部开展一次以创建“四强”党支部为主题的主题党日，报送活动记录。",
            organization_kinds=[K.BRANCH.value],
            due_on=past_due,
            meeting_kind=MK.THEMED_PARTY_DAY,
        )
        review = Requirement(
            campaign=campaign,
            title="开展“四强”党支部创建互学互评并报送",
            description="各党支部对照“四强”标准开展互学互评，报送活动记录和整改清单。",
            organization_kinds=[K.BRANCH.value],
            due_on=open_due,
        )
        for row in (party_day, review):
            row.full_clean()
            row.save()
        self.result.requirements += 2
        demo = self.demo_branch.pk
        # The 主题党日 the branches held (the meeting history) meet the first requirement:
        # most were reported from the ledger with one click; zhibu's is ready to submit.
        held: dict[int, Meeting] = {}
        for meeting in Meeting.objects.filter(
            organization__in=self.ledger_branches,
            kind=MK.THEMED_PARTY_DAY,
            status=Meeting.Status.HELD,
            starts_at__date__gte=starts,
            starts_at__date__lte=past_due,
        ).order_by("starts_at", "id"):
            held[meeting.organization_id] = meeting
        plan, records = [], []
        for branch in self.ledger_branches:
            meeting = held.get(branch.pk)
            if branch.pk == demo or meeting is None or self.rng.random() >= 0.75:
                continue
            accepted = self.rng.random() < 0.7
            status = Submission.Status.ACCEPTED if accepted else Submission.Status.REPORTED
            plan.append((None, party_day, branch, status))
            records.append(meeting)
        activities = []
        first, last = past_due, today - datetime.timedelta(days=1)
        for branch in self.ledger_branches:
            if branch.pk == demo or self.rng.random() >= 0.3:
                continue
            plan.append((None, review, branch, Submission.Status.REPORTED))
            activity = Activity(
                type=T.OTHER,
                types=[T.OTHER.value],
                title=f"{branch.name}“四强”党支部创建互学互评",
                theme="创建“四强”党支部",
                held_on=self._between(first, max(first, last)),
                venue=self.rng.choice(VENUES),
                organization=branch,
                campaign=campaign,
                summary="支部对照“四强”标准查找差距，明确创建措施。",
                participant_groups="支部全体党员",
                participants=max(1, branch.member_count - self.rng.randint(0, 2)),
            )
            activities.append(activity)
            records.append(activity)
        Activity.objects.bulk_create(activities)
        self.result.activities += len(activities)
        self._write_submissions(plan, records, reason_for="")

    # -- trainings ------------------------------------------------------------

    def trainings(self) -> None:
        rng = self.rng
        first = self.today - datetime.timedelta(days=730)
        branches = self.branches[:TRAINING_BRANCHES]
        province = self.orgs["province_committee"]
        province_branches = list(
            Organization.objects.active()
            .filter(path__startswith=province.path, kind=K.BRANCH)
            .order_by("path")[:TRAINING_BRANCHES]
        )
        members: dict[int, list[tuple[int, datetime.date | None]]] = defaultdict(list)
        for pk, org_id, joined in (
            Member.objects.current()
            .filter(organization_id__in=[b.pk for b in branches + province_branches])
            .order_by("id")
            .values_list("id", "organization_id", "joined_party_on")
        ):
            members[org_id].append((pk, joined))

        def present(orgs, day, share):
            out = []
            for org in orgs:
                for pk, joined in members.get(org.pk, ()):
                    if (joined is None or joined <= day) and rng.random() < share:
                        out.append(pk)
            return out

        plans = []  # (Training, [member ids])
        # The seed's special training (2023), credited to all seven capabilities.
        plans.append((self.seed_training, present(branches, SEED_TRAINING_DAY, 0.6)))
        # Organ-level trainings: about one a month for 广电总局, one a quarter for 省广电局.
        day, n = first + datetime.timedelta(days=10), 0
        while day < self.today:
            title, kind, capabilities, hours = ORGAN_TRAININGS[n % len(ORGAN_TRAININGS)]
            plans.append(
                (
                    Training(
                        organization=self.committee,
                        kind=kind,
                        title=f"{title}（{day.year}年第{n // len(ORGAN_TRAININGS) + 1}期）",
                        date=day,
                        hours=Decimal(hours),
                        capabilities=[c.value for c in capabilities],
                        created_by=self.office,
                    ),
                    present(branches, day, rng.uniform(0.2, 0.4)),
                )
            )
            if n % 3 == 0:
                plans.append(
                    (
                        Training(
                            organization=province,
                            kind=kind,
                            title=f"局机关{title}",
                            date=day + datetime.timedelta(days=3),
                            hours=Decimal(hours),
                            capabilities=[c.value for c in capabilities],
                        ),
                        present(province_branches, day, rng.uniform(0.3, 0.6)),
                    )
                )
            day += datetime.timedelta(days=rng.randint(26, 35))
            n += 1
        # Each branch: a training of its own about every eight months.
        for b_index, branch in enumerate(branches + province_branches):
            day = first + datetime.timedelta(days=rng.randint(20, 200))
            while day < self.today:
                title, kind, capabilities = BRANCH_TRAININGS[
                    (b_index + day.month) % len(BRANCH_TRAININGS)
                ]
                plans.append(
                    (
                        Training(
                            organization=branch,
                            kind=kind,
                            title=title,
                            date=day,
                            hours=Decimal(rng.choice(("1.5", "2", "2"))),
                            capabilities=[c.value for c in capabilities],
                        ),
                        present([branch], day, rng.uniform(0.75, 0.95)),
                    )
                )
                day += datetime.timedelta(days=rng.randint(200, 280))
        Training.objects.bulk_create([p[0] for p in plans if p[0].pk is None])
        trainings = [p[0] for p in plans]
        rows = []
        for training, attendees in zip(trainings, (p[1] for p in plans), strict=True):
            for pk in attendees:
                partial = rng.random() < 0.05 and training.hours > 1
                hours = training.hours - 1 if partial else training.hours
                rows.append((training.pk, pk, hours))
        self.table(TrainingAttendance, ("training_id", "member_id", "hours")).insert(rows)
        self.result.trainings = len(trainings)
        self.result.training_attendances = len(rows)

    # -- four-strong ----------------------------------------------------------

    def indicator_system(self) -> IndicatorSystem:
        """A published system if the database has one, else the app's standard system
        (``fourstrong.services.DEFAULT_INDICATORS``), written here without audit rows."""
        system = (
            IndicatorSystem.objects.filter(status=SystemStatus.PUBLISHED).order_by("id").first()
        )
        if system is not None:
            return system
        from dangjian.fourstrong import services

        system = IndicatorSystem.objects.create(
            name=services.DEFAULT_SYSTEM_NAME, status=SystemStatus.PUBLISHED, created_by=self.office
        )
        indicators = []
        for order, (dimension, title, weight, top, key, rule) in enumerate(
            services.DEFAULT_INDICATORS
        ):
            indicator = Indicator(
                system=system,
                dimension=dimension,
                name=title,
                weight=Decimal(weight),
                max_score=Decimal(top),
                rule=rule,
                source=Source.COMPUTED if key else Source.REVIEWED,
                computed_key=key,
                order=order,
            )
            indicator.full_clean()
            indicators.append(indicator)
        Indicator.objects.bulk_create(indicators)
        return system

    def _shares(self, indicators, branches, year: int):
        keys = {i.computed_key for i in indicators if i.source == Source.COMPUTED}
        batch = ComputedShares(user=self.office, scope=self.committee, today=self.today)
        return batch.shares(keys, branches, year)

    def cycles(self) -> None:
        system = self.indicator_system()
        indicators = list(system.indicators.order_by("dimension", "order", "id"))
        year = self.today.year
        scored = self.branches[:LEDGER_BRANCHES]
        self._previous_cycle(system, indicators, year - 1, scored)
        self._current_cycle(system, indicators, year, scored)

    def _scores(self, assessment, indicators, shares, quality, *, self_done, final_done):
        """Score rows of one assessment; returns them (unsaved)."""
        rng = self.rng
        rows = []
        for indicator in indicators:
            top = indicator.max_score
            suggested = None
            if indicator.source == Source.COMPUTED:
                share = shares.get((assessment.branch_id, indicator.computed_key))
                if share is not None:
                    suggested = _quantize(top * Decimal(str(share)))
            self_score, evidence = suggested, ""
            if self_done and (suggested is None or indicator.source == Source.REVIEWED):
                level = min(1.0, max(0.4, quality + rng.uniform(-0.05, 0.08)))
                self_score = _quantize(top * Decimal(str(round(level * 2, 1) / 2)))
                evidence = (
                    EVIDENCE["computed"]
                    if indicator.source == Source.COMPUTED
                    else rng.choice(EVIDENCE[""])
                )
            final = None
            if final_done and self_score is not None:
                cut = Decimal(str(round(rng.uniform(0, 0.1), 2))) if suggested is None else 0
                final = max(Decimal("0"), _quantize(self_score - top * cut))
            elif suggested is not None:
                final = suggested
            rows.append(
                Score(
                    assessment=assessment,
                    indicator=indicator,
                    suggested=suggested,
                    self_score=self_score,
                    final_score=final,
                    evidence=evidence,
                )
            )
        return rows

    def _actor(self, branch: Organization, step: str) -> tuple[int | None, str]:
        """Who took a step: the accounts where the demo has one, else the secretary's name."""
        if step in ("started", "reviewed", "public_notice", "named", "not_named", "revoked"):
            return self.office.pk, self.office.get_username()
        if step in ("objection_answered",):
            return self.office.pk, self.office.get_username()
        if step == "recommended":
            parent = branch.parent
            if parent is not None and parent.pk == self.committee.pk:
                return self.office.pk, self.office.get_username()
            return None, self.secretary.get(parent.pk if parent else None, "")
        if branch.pk == self.demo_branch.pk and "zhibu" in self.users:
            return self.users["zhibu"].pk, "zhibu"
        return None, self.secretary.get(branch.pk, "")

    def _write_cycle(self, system, indicators, year, scored, statuses, steps, shares, quality):
        """Assessments with their scores and dated events; ``statuses``: {branch id: status},
        ``steps``: {status: [(step, day)]} the steps leading to it."""
        cycle = Cycle.objects.create(
            year=year, system=system, scope=self.committee, created_by=self.office
        )
        assessments = Assessment.objects.bulk_create(
            Assessment(cycle=cycle, branch=b, status=statuses.get(b.pk, S.SELF_ASSESSMENT))
            for b in self.branches
        )
        scores, events = [], []
        scored_ids = {b.pk for b in scored}
        for a in assessments:
            started = a.status != S.SELF_ASSESSMENT or a.branch_id in self.self_started
            reviewed = a.status in (S.REVIEWED, S.PUBLIC_NOTICE, S.NAMED, S.NOT_NAMED, S.REVOKED)
            if a.branch_id in scored_ids:
                rows = self._scores(
                    a,
                    indicators,
                    shares,
                    quality.get(a.branch_id, 0.8),
                    self_done=started,
                    final_done=reviewed,
                )
            else:
                rows = [Score(assessment=a, indicator=i) for i in indicators]
            scores.extend(rows)
            if reviewed:
                a.total = weighted_total(rows)
            branch = a.branch
            for n, (step, day) in enumerate(steps.get(a.status, [("started", steps["start"])])):
                actor_id, actor_name = self._actor(branch, step)
                comment = ""
                if step == "reviewed":
                    comment = self.rng.choice(REVIEW_COMMENTS)
                events.append(
                    (a.pk, actor_id, actor_name, self.at(day, 9 + n, branch.pk % 60), step, comment)
                )
        Score.objects.bulk_create(scores)
        Assessment.objects.bulk_update([a for a in assessments if a.total is not None], ["total"])
        self.table(AssessmentEvent, EVENT_COLUMNS).insert(events)
        self.result.cycles += 1
        self.result.assessments += len(assessments)
        return cycle, assessments

    def _previous_cycle(self, system, indicators, year, scored) -> None:
        rng = self.rng
        quality = {b.pk: rng.uniform(0.62, 0.97) for b in self.branches}
        self.self_started = {b.pk for b in self.branches}
        shares = self._shares(indicators, scored, year)
        d = datetime.date
        start, notice = d(year, 10, 9), (d(year, 12, 4), d(year, 12, 10))
        path = [
            ("started", start),
            ("submitted", d(year, 10, 27)),
            ("recommended", d(year, 11, 8)),
            ("reviewed", d(year, 11, 24)),
            ("public_notice", notice[0]),
        ]
        statuses = {b.pk: S.NAMED for b in scored}
        steps = {
            "start": start,
            S.NAMED: [*path, ("named", d(year, 12, 15))],
            S.SELF_ASSESSMENT: [("started", start)],
        }
        cycle, assessments = self._write_cycle(
            system, indicators, year, scored, statuses, steps, shares, quality
        )
        # Named: the best third by total; the others were decided "not named".
        ranked = sorted(
            (a for a in assessments if a.total is not None), key=lambda a: (-a.total, a.pk)
        )
        not_named = {a.pk for a in ranked[max(1, len(ranked) // 3) :]}
        Assessment.objects.filter(pk__in=not_named).update(status=S.NOT_NAMED)
        AssessmentEvent.objects.filter(assessment__in=not_named, step="named").update(
            step="not_named"
        )
        for a in assessments:
            if a.pk in not_named:
                a.status = S.NOT_NAMED
        Assessment.objects.filter(cycle=cycle, status__in=(S.NAMED, S.NOT_NAMED)).update(
            notice_start=notice[0], notice_end=notice[1]
        )
        cycle.status = CycleStatus.CLOSED
        cycle.save(update_fields=["status", "updated_at"])
        # One objection during the notice, answered before the decision.
        target = next((a for a in assessments if a.status == S.NAMED), None)
        if target is not None:
            Objection.objects.create(
                assessment=target,
                text=OBJECTION_TEXT,
                submitted_on=d(year, 12, 8),
                answer=OBJECTION_ANSWER,
                answered_by=self.office,
                answered_at=self.at(d(year, 12, 12), 11),
            )
            self.table(AssessmentEvent, EVENT_COLUMNS).insert(
                [
                    (target.pk, None, "", self.at(d(year, 12, 8), 16), "objection", ""),
                    (
                        target.pk,
                        self.office.pk,
                        self.office.get_username(),
                        self.at(d(year, 12, 12), 11),
                        "objection_answered",
                        OBJECTION_ANSWER,
                    ),
                ]
            )
        self.quality = quality

    def _current_cycle(self, system, indicators, year, scored) -> None:
        rng = self.rng
        today = self.today
        start = max(datetime.date(year, 1, 5), today - datetime.timedelta(days=50))
        start = min(start, today)

        def step_day(days: int) -> datetime.date:
            return min(start + datetime.timedelta(days=days), today)

        others = [b for b in scored if b.pk != self.demo_branch.pk]
        rng.shuffle(others)
        n = len(others)
        quotas = (
            (S.PUBLIC_NOTICE, 1),
            (S.REVIEWED, max(1, round(n * 0.15))),
            (S.RECOMMENDED, max(1, round(n * 0.2))),
            (S.SUBMITTED, max(1, round(n * 0.2))),
        )
        statuses, i = {}, 0
        for status, count in quotas:
            for branch in others[i : i + count]:
                statuses[branch.pk] = status
            i += count
        # Branches still at the self-assessment: half of them have started scoring.
        self.self_started = {b.pk for b in others[i:] if rng.random() < 0.5}
        self.self_started |= {b.pk for b in others[:i]} | {self.demo_branch.pk}
        shares = self._shares(indicators, scored, year)
        path = [
            ("started", start),
            ("submitted", step_day(20)),
            ("recommended", step_day(30)),
            ("reviewed", step_day(40)),
            ("public_notice", step_day(45)),
        ]
        steps = {
            "start": start,
            S.SELF_ASSESSMENT: path[:1],
            S.SUBMITTED: path[:2],
            S.RECOMMENDED: path[:3],
            S.REVIEWED: path[:4],
            S.PUBLIC_NOTICE: path,
        }
        quality = {
            b.pk: min(0.97, max(0.55, self.quality.get(b.pk, 0.8) + rng.uniform(-0.08, 0.08)))
            for b in self.branches
        }
        cycle, _assessments = self._write_cycle(
            system, indicators, year, scored, statuses, steps, shares, quality
        )
        notice_start = step_day(45)
        Assessment.objects.filter(cycle=cycle, status=S.PUBLIC_NOTICE).update(
            notice_start=notice_start, notice_end=notice_start + datetime.timedelta(days=7)
        )


def load(*, orgs: dict[str, Organization], units: dict, seed: int, today: datetime.date):
    """Write seed 000's campaign, the current campaign, trainings and the four-strong cycles."""
    loader = _Loader(orgs=orgs, units=units, seed=seed, today=today)
    loader.seed_campaign()
    loader.current_campaign()
    loader.trainings()  # before the cycles: training hours may be one of their indicators
    loader.cycles()
    return loader.result
