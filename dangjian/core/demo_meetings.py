"""Demo meetings, topics and tasks: seed 002's meeting in full, plus two years of history.

Called by :func:`dangjian.core.demo.load_demo` once the organizations, members
and accounts exist, inside the same transaction. Everything is written with
the demo's fast inserter (``demo._Table``: no per-row service call, explicit
``created_at``/``occurred_at`` so the history carries its own dates), and is
generated from ``seed`` so the same seed gives the same rows.

Seed 002 (省广电局党组, 27 December 2023: 130th anniversary of Mao Zedong's birth
was 26 December 2023) is recorded as the report states it: chair 张新文,
attending 王育宏 and 卓玛才让, the first item studying the six topics the
report lists in its order (the anniversary speech first) and the two it names
only inside a block (青海工作, 积石山), then the report's four blocks
(SEED_BLOCKS: 会议指出 / 要求 / 认为 / 指出, each with its topics, its prose
verbatim and its measures, numbered 一要… or not); the seven numbered
measures are seven tasks pointing at them (the sixth split into three
sub-tasks). The report gives no dates for the topics nor venue, recorder,
departments or deadlines: those are the demo's plausible choices. Exactly one
of the seven is overdue (乡村振兴, deadline
2024-12-31, still in progress); one (民族团结) is closed after a return,
with its whole event trail.

The synthetic history covers the two years up to ``today``:

- ~2 topics a month (``TOPIC_TEMPLATES``);
- each leading group: meetings about twice a month and a theory study group
  session monthly, the first item studying the topics given since its last
  study; some meetings issue tasks to departments (mixed statuses, some overdue);
- each branch: 支部委员会 and 主题党日 monthly, 党员大会 and 党课 quarterly,
  组织生活会 yearly, each held with the branch's own compliance rate (gaps);
  party groups meet monthly (no attendance rows). A branch studies a topic
  at its first meeting after the topic was given + its own delay (prompt
  branches within a week, slow ones a month or more), never before its
  leading group did, and some topics never;
- attendance rows for every held meeting of the branches with full history.

Bounded volume: branches beyond ``FULL_HISTORY_BRANCHES`` (only at large
``--size``) get the last ``LIGHT_HISTORY_MONTHS`` months of meetings and no
attendance rows. The real people of the reports appear in synthetic
leading-group meetings only as chair (the secretary) and present attendees.
"""

from __future__ import annotations

import bisect
import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from dangjian.meetings.models import (
    AgendaItem,
    AgendaItemTopic,
    Attendance,
    AttendanceStatus,
    Measure,
    Meeting,
    MeetingKind,
    StatementBlock,
    StatementKind,
)
from dangjian.meetings.statements import measure_number
from dangjian.organizations.models import Organization, OrganizationKind
from dangjian.people.models import Member, PostAssignment, PostTitle
from dangjian.study.models import Topic, TopicKind
from dangjian.study.search import index_text
from dangjian.tasks.models import ProgressReport, Task, TaskEvent, TaskPriority, TaskStatus

K = OrganizationKind
MK = MeetingKind
SK = StatementKind
TS = TaskStatus
EV = TaskEvent.Kind
A = AttendanceStatus

HISTORY_DAYS = 730
FULL_HISTORY_BRANCHES = 150
LIGHT_HISTORY_MONTHS = 6
SEED_SALT = 0x002D  # the history's RNG is seeded apart from the members'

# ---------------------------------------------------------------------------
# Seed 002
# ---------------------------------------------------------------------------

SEED_DATE = datetime.date(2023, 12, 27)
SEED_TITLE = (
    "省广电局召开党组会传达学习习近平总书记在中共中央纪念毛泽东同志诞辰130周年"
    "座谈会上的重要讲话精神"
)
# kind, title, speaker, given_on (the report gives none: plausible dates before the meeting),
# source, short text (the report's own words about it).
SEED_TOPICS = (
    (
        TopicKind.SPEECH,
        "习近平总书记在纪念毛泽东同志诞辰130周年座谈会上的重要讲话",
        "习近平",
        datetime.date(2023, 12, 26),
        "新华社",
        "坚持全面正确的历史观，充分认识毛泽东同志不可磨灭的历史功勋、光耀千秋的历史贡献，"
        "永远高举毛泽东思想伟大旗帜。",
    ),
    (
        TopicKind.SPEECH,
        "习近平总书记在广西考察时的重要讲话",
        "习近平",
        datetime.date(2023, 12, 15),
        "新华社",
        "加快推进乡村振兴，铸牢中华民族共同体意识，巩固拓展主题教育成果。",
    ),
    (
        TopicKind.INSTRUCTION,
        "习近平总书记对低温雨雪冰冻灾害防范应对工作作出的重要指示",
        "习近平",
        datetime.date(2023, 12, 20),
        "新华社",
        "坚持底线思维、极限思维，做好极端天气的防范应对。",
    ),
    (
        TopicKind.CONFERENCE,
        "中央农村工作会议精神",
        "中共中央",
        datetime.date(2023, 12, 20),
        "新华社",
        "学习运用“千万工程”经验，全面落实“四个不摘”要求，巩固拓展脱贫攻坚成果。",
    ),
    (
        TopicKind.CONFERENCE,
        "中共中央政治局专题民主生活会精神",
        "中共中央政治局",
        datetime.date(2023, 12, 22),
        "新华社",
        "深刻领悟“两个确立”的决定性意义，增强推动“两个维护”再上新台阶的思想自觉、"
        "政治自觉和行动自觉。",
    ),
    (
        TopicKind.INSTRUCTION,
        "李强总理在甘肃、青海地震灾区检查指导受灾群众过冬安置和灾后恢复重建等工作时的部署要求",
        "李强",
        datetime.date(2023, 12, 24),
        "新华社",
        "坚持人民至上、生命至上，做好受灾群众过冬安置和灾后恢复重建。",
    ),
)
# Topics the report names only inside a block (会议认为 … 青海工作; 会议指出 … 积石山), after
# the six it lists as studied.
SEED_BLOCK_TOPICS = (
    (
        TopicKind.INSTRUCTION,
        "习近平总书记关于青海工作的重要指示批示",
        "习近平",
        datetime.date(2021, 6, 9),
        "新华社",
        "坚持以人民为中心，扎实推进青海高质量发展。",
    ),
    (
        TopicKind.INSTRUCTION,
        "习近平总书记对甘肃临夏州积石山县6.2级地震作出的重要指示",
        "习近平",
        datetime.date(2023, 12, 19),
        "新华社",
        "全力开展搜救，及时救治受伤人员，最大限度减少人员伤亡，妥善做好善后工作。",
    ),
)
# The four blocks of seed 002, verbatim: (kind, indexes of SEED_TOPICS answered, prose,
# measures). A numbered measure (一要……) follows the prose; an unnumbered one is words of it.
SEED_BLOCKS = (
    (
        SK.POINTED_OUT,
        (0,),
        (
            "全局上下要认真学习习近平总书记在中共中央纪念毛泽东同志诞辰130周年座谈会上"
            "的重要讲话精神，坚持全面正确的历史观，充分认识毛泽东同志不可磨灭的历史功勋、"
            "光耀千秋的历史贡献，始终牢记我们党的历史和本源，永远高举毛泽东思想伟大旗帜，"
            "以他的崇高精神风范激励我们前进，以他的科学思想指导我们的行动。要深学笃行习近"
            "平新时代中国特色社会主义思想这一当代中国马克思主义、二十一世纪马克思主义，继"
            "承和发扬毛泽东同志等老一辈革命家的优良作风和光荣传统，大力弘扬伟大建党精神，"
            "教育引导局系统全体党员干部矢志不渝为以中国式现代化全面推进强国建设、民族复兴"
            "伟业而努力奋斗。要在推进全省广电事业发展进程中坚持和运用毛泽东思想活的灵魂，"
            "坚持实事求是、群众路线和独立自主，持之以恒地把我们党建设好，把我们的事业发展"
            "好。要在实践中增强“四个自信”，激发干部职工的历史主动精神，走好党的群众路线"
            "，深入开展作风建设专项行动，为推动全省广播电视和网络视听工作高质量发展提供坚"
            "强保障。"
        ),
        ("深入开展作风建设专项行动",),
    ),
    (
        SK.REQUIRED,
        (1, 3),
        (
            "局系统各部门各单位要深入学习领会习近平总书记在广西考察时发表的重要讲话精神，"
            "深刻领会中央农村工作会议精神，坚定不移抓好贯彻落实。"
        ),
        (
            (
                "一要加快推进乡村振兴，大力弘扬脱贫攻坚精神，全面落实“四个不摘”要求，学习运"
                "用“千万工程”经验，扎实做好今年我局巩固拓展脱贫攻坚成果同乡村振兴有效衔接问"
                "题整改工作，结合行业实际，认真谋划明年乡村振兴各项工作，把广电的各项惠民工程"
                "任务落到实处，更好地带动定点帮扶村困难群众就业增收，以钉钉子精神把党中央和省"
                "委省政府关于乡村振兴和“三农”工作的各项决策部署落到实处。"
            ),
            (
                "二要紧紧围绕铸牢中华民族共同体意识这条工作主线，坚定不移开展民族团结进步创建"
                "工作，在民族团结主题影视精品创作、加强民族团结进步宣传教育、创建民族团结示范"
                "单位等方面持续发力，引导局系统各族干部职工进一步增强“五个认同”。"
            ),
            (
                "三要巩固拓展主题教育成果，全面落实“四个以学”重要要求，持续加强政治机关建设"
                "，全面提升局系统基层党组织政治功能和组织功能，纵深推进全面从严治党，持续用力"
                "加强作风建设和党风廉政建设，提高干部队伍素质和能力，不断巩固和提升风清气正、"
                "干事创业的良好政治生态。"
            ),
            (
                "四要持续用心用情用力开展“我为群众办实事”实践活动，慎终如始抓好行业安全生产"
                "工作，切实维护全行业和谐稳定。"
            ),
        ),
    ),
    (
        SK.HELD,
        (4, 6),
        (
            "中共中央政治局召开专题民主生活会，为各级领导班子作出了表率。要深入学习贯彻习"
            "近平总书记重要讲话精神，进一步深刻领悟“两个确立”的决定性意义，增强推动“两"
            "个维护”再上新台阶的思想自觉、政治自觉和行动自觉。"
        ),
        (
            (
                "一要自觉对标对表习近平总书记重要讲话精神，在巩固拓展主题教育成果上下更大功夫"
                "，与习近平总书记关于青海工作的重要指示批示精神学习贯彻工作结合起来，持续做好"
                "学习贯彻习近平新时代中国特色社会主义思想的深化、内化、转化工作，做到以理论强"
                "化促进能力提升。"
            ),
            (
                "二要增强政治敏锐性，树牢造福人民的政绩观，密切联系群众，聚焦高质量发展这一首"
                "要任务，凝心聚力、团结奋斗，扎实推进全省广电发展实践。要持续巩固壮大主流思想"
                "舆论，不断创新领袖思想宣传阐释，让领袖思想传播得更立体、更精准；要进一步统筹"
                "发展与安全，持续提升意识形态风险防范化解能力，抓紧抓实行业安全风险防控，持续"
                "夯实行业安全发展基础；要突出重点、把握关键，系统谋划2024年重点工作，推动"
                "各项工作早谋划、早部署、早行动、早落实。"
            ),
            (
                "三要持之以恒正风肃纪，持续强化政治监督，扎实提高一体推进“三不腐”能力和水平"
                "。严守党的政治纪律和政治规矩，不折不扣地贯彻民主集中制，持续加固中央八项规定"
                "堤坝，巩固风清气正的政治生态。"
            ),
        ),
    ),
    (
        SK.POINTED_OUT,
        (7, 5, 2),
        (
            "全局上下要深入学习领会习近平总书记对甘肃临夏州积石山县6.2级地震作出重要指"
            "示精神，认真贯彻李强总理检查指导地震灾区关于受灾群众过冬安置和灾后恢复重建的"
            "部署要求，坚持人民至上、生命至上，立足广电行业职责，发挥广电行业优势，按照省"
            "委省政府的决策部署和工作要求，全力做好抗震救灾舆论引导、对外宣传、线路抢修及"
            "行业受损情况摸排统计等各项工作。同时，要认真学习领会习近平总书记对低温雨雪冰"
            "冻灾害防范应对工作的重要指示要求，坚持底线思维、极限思维，做好极端天气的防范"
            "应对，细化防范行业安全生产措施，深入排查风险隐患，全力确保广电行业安全。"
        ),
        (
            "全力做好抗震救灾舆论引导、对外宣传、线路抢修及行业受损情况摸排统计等各项工作",
            "做好极端天气的防范应对，细化防范行业安全生产措施，深入排查风险隐患",
        ),
    ),
)
SEED_ITEM_TITLE = (
    "传达学习习近平总书记在纪念毛泽东同志诞辰130周年座谈会上的重要讲话等重要讲话、"
    "重要指示精神和会议精神，研究贯彻落实举措"
)
SEED_MINUTES = (
    "会议指出，全局上下要认真学习习近平总书记在中共中央纪念毛泽东同志诞辰130周年座谈会上的"
    "重要讲话精神，坚持全面正确的历史观。会议要求，局系统各部门各单位要深入学习领会习近平总书记"
    "在广西考察时发表的重要讲话精神，深刻领会中央农村工作会议精神，坚定不移抓好贯彻落实。"
    "会议认为，中共中央政治局召开专题民主生活会，为各级领导班子作出了表率。会议指出，全局上下"
    "要认真贯彻李强总理检查指导地震灾区的部署要求，认真学习领会习近平总书记对低温雨雪冰冻灾害"
    "防范应对工作的重要指示要求，全力确保广电行业安全。"
)
# The seven numbered requirements: ((block, measure) in SEED_BLOCKS, task title, lead unit key
# or None, lead org key,
# co-operating unit keys, plan). Unit keys are the demo's (province_dept_i: 办公室,
# 宣传管理处, 传媒机构管理处, 网络视听节目管理处, 规划财务处, 科技处).
OFFICE, PUBLICITY, MEDIA, ONLINE, FINANCE, TECH = (f"province_dept_{i}" for i in range(6))
SEED_REQUIREMENTS = (
    (
        (1, 0),
        "加快推进乡村振兴，做好巩固拓展脱贫攻坚成果同乡村振兴有效衔接问题整改",
        FINANCE,
        (OFFICE,),
        "overdue",
    ),
    (
        (1, 1),
        "铸牢中华民族共同体意识，开展民族团结进步创建",
        PUBLICITY,
        (ONLINE,),
        "closed_after_return",
    ),
    (
        (1, 2),
        "巩固拓展主题教育成果，持续加强政治机关建设",
        "committee",
        (OFFICE,),
        "long_term",
    ),
    (
        (1, 3),
        "开展“我为群众办实事”实践活动，抓好行业安全生产",
        TECH,
        (OFFICE,),
        "closed",
    ),
    (
        (2, 0),
        "对标对表习近平总书记重要讲话精神，做好深化、内化、转化工作",
        OFFICE,
        (),
        "closed",
    ),
    (
        (2, 1),
        "增强政治敏锐性，扎实推进全省广电发展实践",
        OFFICE,
        (PUBLICITY, ONLINE, TECH),
        "parent",
    ),
    (
        (2, 2),
        "持之以恒正风肃纪，一体推进“三不腐”",
        "committee",
        (OFFICE,),
        "closure_requested",
    ),
)
# The sixth requirement's three parts: (title, lead unit key, weight, plan).
SEED_SUBTASKS = (
    ("持续巩固壮大主流思想舆论，创新领袖思想宣传阐释", PUBLICITY, 2, "closed"),
    ("提升意识形态风险防范化解能力，抓实行业安全风险防控", ONLINE, 2, "long_term"),
    ("系统谋划2024年重点工作", OFFICE, 1, "closed_early"),
)

# ---------------------------------------------------------------------------
# Synthetic history
# ---------------------------------------------------------------------------

# (kind, title, speaker, source, tags); "{year}" is the year the topic is given.
TOPIC_TEMPLATES = (
    (
        TopicKind.SPEECH,
        "习近平总书记关于党的建设的重要思想有关论述",
        "习近平",
        "《求是》杂志",
        ["党的建设"],
    ),
    (TopicKind.CONFERENCE, "{year}年全国两会精神", "", "新华社", []),
    (TopicKind.SPEECH, "习近平总书记在中央政治局集体学习时的重要讲话", "习近平", "新华社", []),
    (
        TopicKind.INSTRUCTION,
        "习近平总书记关于网络视听内容建设的重要指示",
        "习近平",
        "新华社",
        ["广电行业"],
    ),
    (TopicKind.DOCUMENT, "《中国共产党纪律处分条例》", "中共中央", "新华社", ["纪律建设"]),
    (
        TopicKind.SPEECH,
        "习近平总书记在文化传承发展座谈会上的重要讲话",
        "习近平",
        "《求是》杂志",
        ["宣传思想文化"],
    ),
    (TopicKind.CONFERENCE, "全国宣传部长会议精神", "", "人民日报", ["宣传思想文化"]),
    (TopicKind.INSTRUCTION, "习近平总书记关于安全生产的重要指示", "习近平", "新华社", ["安全"]),
    (
        TopicKind.SPEECH,
        "习近平总书记在中央和国家机关党的建设工作会议上的重要讲话",
        "习近平",
        "《求是》杂志",
        ["党的建设"],
    ),
    (
        TopicKind.DOCUMENT,
        "关于推动广播电视和网络视听高质量发展的意见",
        "国家广播电视总局",
        "国家广播电视总局",
        ["广电行业"],
    ),
    (
        TopicKind.SPEECH,
        "习近平总书记在庆祝中国共产党成立周年大会上的重要讲话精神",
        "习近平",
        "新华社",
        [],
    ),
    (
        TopicKind.CONFERENCE,
        "全国广播电视和网络视听工作会议精神",
        "",
        "国家广播电视总局",
        ["广电行业"],
    ),
    (TopicKind.INSTRUCTION, "习近平总书记关于防汛救灾工作的重要指示", "习近平", "新华社", ["安全"]),
    (
        TopicKind.SPEECH,
        "习近平总书记关于全面从严治党的重要论述",
        "习近平",
        "《求是》杂志",
        ["纪律建设"],
    ),
    (TopicKind.DOCUMENT, "《习近平谈治国理政》有关篇目", "", "外文出版社", []),
    (TopicKind.CONFERENCE, "中央经济工作会议精神", "", "新华社", []),
    (
        TopicKind.SPEECH,
        "习近平总书记关于文艺工作的重要论述",
        "习近平",
        "《求是》杂志",
        ["宣传思想文化"],
    ),
    (
        TopicKind.INSTRUCTION,
        "习近平总书记关于网络安全和信息化工作的重要指示",
        "习近平",
        "新华社",
        ["安全"],
    ),
    (TopicKind.CONFERENCE, "中央农村工作会议精神", "", "新华社", []),
    (
        TopicKind.DOCUMENT,
        "关于加强新时代机关党的建设的意见",
        "中共中央办公厅",
        "新华社",
        ["党的建设"],
    ),
    (
        TopicKind.SPEECH,
        "习近平总书记关于意识形态工作的重要论述",
        "习近平",
        "《求是》杂志",
        ["宣传思想文化"],
    ),
    (TopicKind.CONFERENCE, "二十届中央纪委全会精神", "", "新华社", ["纪律建设"]),
    (
        TopicKind.INSTRUCTION,
        "习近平总书记关于铸牢中华民族共同体意识的重要指示",
        "习近平",
        "新华社",
        [],
    ),
    (
        TopicKind.OTHER,
        "国家广播电视总局党组关于加强行业作风建设的部署要求",
        "",
        "国家广播电视总局",
        ["广电行业"],
    ),
    (
        TopicKind.SPEECH,
        "习近平总书记关于树立和践行正确政绩观的重要论述",
        "习近平",
        "《求是》杂志",
        [],
    ),
)
TOPICS_PER_MONTH = 2
# Columns the library derives from title, text and tags.
TOPIC_DERIVED = tuple(
    name
    for name in ("search_text", "search_words", "tag_index")
    if any(f.name == name for f in Topic._meta.concrete_fields)
)

BRANCH_SCHEDULE = (
    # kind, months it falls in (1-12; "quarter": a month of each quarter drawn per branch),
    # day range
    (MK.BRANCH_COMMITTEE, range(1, 13), (1, 10)),
    (MK.THEMED_PARTY_DAY, range(1, 13), (14, 26)),
    (MK.BRANCH_ASSEMBLY, "quarter", (5, 25)),
    (MK.PARTY_LECTURE, "quarter", (5, 25)),
    (MK.ORGANIZATIONAL_LIFE, (1,), (8, 28)),
)
KIND_TITLES = {
    MK.BRANCH_COMMITTEE: "{y}年{m}月支部委员会会议",
    MK.THEMED_PARTY_DAY: "{y}年{m}月主题党日：{theme}",
    MK.BRANCH_ASSEMBLY: "{y}年第{q}季度支部党员大会",
    MK.PARTY_LECTURE: "党课：{theme}",
    MK.ORGANIZATIONAL_LIFE: "{y0}年度组织生活会",
    MK.GROUP_MEETING: "{y}年{m}月党小组会",
    MK.LEADING_GROUP_MEETING: "{y}年第{n}次党组会议",
    MK.THEORY_STUDY_GROUP: "{y}年{m}月党组理论学习中心组集体学习",
    MK.DEMOCRATIC_LIFE: "{y0}年度领导班子民主生活会",
}
THEMES = (
    "重温入党誓词",
    "学习党章党规",
    "参观红色教育基地",
    "志愿服务进社区",
    "廉政警示教育",
    "讲好广电故事",
    "弘扬伟大建党精神",
    "践行“我为群众办实事”",
    "加强政治机关建设",
    "提升七种能力",
)
LEAVE_REASONS = ("出差", "公务外出", "参加培训", "病假", "事假", "下乡调研")
LG_ITEMS = (
    ("研究部署意识形态工作", "宣传"),
    ("研究行业安全播出保障工作", "安全"),
    ("研究全面从严治党工作", "党建"),
    ("研究重点节目创作生产工作", "创作"),
    ("研究年度预算执行情况", "财务"),
    ("研究干部教育培训工作", "人事"),
    ("研究网络视听节目管理工作", "网络"),
)
# Which departments lead the tasks of each kind of item, per organ (index into the organ's list).
TASK_TEXTS = (
    "制定工作方案并组织实施",
    "开展专项检查，形成报告报党组",
    "建立工作台账，按月报送进展",
    "完善制度机制，印发实施",
)
REPORT_TEXTS = (
    "已制定工作方案，明确责任分工和时间节点。",
    "按方案推进，已完成阶段性工作。",
    "主体工作基本完成，正在总结评估。",
    "已全部完成，形成总结报告。",
)


@dataclass
class MeetingsResult:
    topics: int = 0
    meetings: int = 0
    agenda_items: int = 0
    attendances: int = 0
    tasks: int = 0
    progress_reports: int = 0
    task_events: int = 0


@dataclass
class _Meeting:
    org: Organization
    kind: str
    day: datetime.date
    title: str
    hour: int = 9
    chair_id: int | None = None
    recorder_id: int | None = None
    created_by_id: int | None = None
    summary: str = ""
    study_title: str = ""
    topics: list[int] = field(default_factory=list)  # indexes into the topic list
    items: list[tuple[str, str, str, list]] = field(default_factory=list)  # kind, title, minutes
    attendees: list[int] = field(default_factory=list)
    present_all: bool = False
    attendance_rate: float = 0.9
    tasks: list[dict] = field(default_factory=list)
    pk: int | None = None


def _aware(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)), _TZ[0])


_TZ = [None]  # the current time zone, looked up once per load (thousands of datetimes)


def _month_starts(first: datetime.date, last: datetime.date):
    day = first.replace(day=1)
    while day <= last:
        yield day
        day = (day + datetime.timedelta(days=32)).replace(day=1)


def _days_in_month(day: datetime.date) -> int:
    return ((day + datetime.timedelta(days=32)).replace(day=1) - day.replace(day=1)).days


class _History:
    def __init__(self, *, orgs: dict[str, Organization], units: dict, seed: int, today):
        from dangjian.core.demo import _Table  # the demo's fast inserter

        self.orgs = orgs
        self.units = units
        self.rng = random.Random(seed * 1_000_003 + SEED_SALT)
        self.today = today
        self.first = today - datetime.timedelta(days=HISTORY_DAYS)
        self.now = timezone.now()
        self.table = lambda model, cols: _Table(model, cols, now=self.now)
        self.result = MeetingsResult()
        self.topics: list[dict] = []  # {"given_on", "pk", ...}
        self.meetings: list[_Meeting] = []
        self.users = {u.username: u for u in get_user_model().objects.all()}
        self._load_people()

    # -- people ---------------------------------------------------------------

    def _load_people(self) -> None:
        self.members: dict[int, list[tuple[int, datetime.date | None]]] = {}
        self.real_people: set[int] = set()
        for pk, org_id, joined in (
            Member.objects.current()
            .order_by("id")
            .values_list("id", "organization_id", "joined_party_on")
        ):
            self.members.setdefault(org_id, []).append((pk, joined))
            if joined is None:  # the people of the reports: nothing about them is invented
                self.real_people.add(pk)
        self.posts: dict[int, dict[str, list[int]]] = {}
        for member_id, org_id, title in (
            PostAssignment.objects.filter(ended_on__isnull=True)
            .order_by("id")
            .values_list("member_id", "organization_id", "title")
        ):
            self.posts.setdefault(org_id, {}).setdefault(title, []).append(member_id)
        self.account_orgs: dict[int, int] = {}  # organization id → user id of its secretary account
        for user in self.users.values():
            grant = user.grants.filter(organization__isnull=False).first()
            if grant and user.username in ("zhibu", "dangzu", "jiguan"):
                self.account_orgs.setdefault(grant.organization_id, user.pk)

    def secretary(self, org: Organization) -> int | None:
        posts = self.posts.get(org.pk, {})
        for title in (PostTitle.SECRETARY, PostTitle.LEADING_GROUP_SECRETARY):
            if posts.get(title):
                return posts[title][0]
        return None

    def committee(self, org: Organization) -> list[int]:
        return [m for ids in self.posts.get(org.pk, {}).values() for m in ids]

    def leading_group_members(self, org: Organization) -> list[int]:
        posts = self.posts.get(org.pk, {})
        titles = (
            PostTitle.LEADING_GROUP_SECRETARY,
            PostTitle.LEADING_GROUP_DEPUTY,
            PostTitle.LEADING_GROUP_MEMBER,
        )
        return [m for t in titles for m in posts.get(t, [])]

    def branch_members(self, org: Organization, day: datetime.date) -> list[int]:
        return [
            pk for pk, joined in self.members.get(org.pk, ()) if joined is None or joined <= day
        ]

    # -- topics ---------------------------------------------------------------

    def write_topics(self) -> None:
        rows = []
        for kind, title, speaker, given_on, source, text in SEED_TOPICS + SEED_BLOCK_TOPICS:
            rows.append(self._topic_row(kind, title, speaker, given_on, source, text, ["省广电局"]))
        seed_count = len(rows)
        months = list(_month_starts(self.first + datetime.timedelta(days=1), self.today))
        n = 0
        for month in months:
            for _ in range(TOPICS_PER_MONTH):
                kind, title, speaker, source, tags = TOPIC_TEMPLATES[n % len(TOPIC_TEMPLATES)]
                n += 1
                given = month + datetime.timedelta(days=self.rng.randrange(_days_in_month(month)))
                if given >= self.today or given <= self.first:
                    continue
                if n > len(TOPIC_TEMPLATES):  # the second round: a later speech on the same theme
                    title = title.replace("重要论述", "重要讲话精神").replace("有关篇目", "新篇目")
                title = title.format(year=given.year)
                if any(r[1] == title for r in rows):
                    title = f"{title}（{given.year}年{given.month}月）"
                text = f"{title}。要深刻领会精神实质，结合广电工作实际抓好贯彻落实。"
                rows.append(self._topic_row(kind, title, speaker, given, source, text, tags))
        cols = (
            "kind",
            "title",
            "speaker",
            "given_on",
            "source",
            "text",
            "tags",
            *TOPIC_DERIVED,
            "organization_id",
            "added_by_id",
            "created_at",
            "updated_at",
        )
        ids = sorted(r[0] for r in self.table(Topic, cols).insert(rows, returning=("id",)))
        self.topics = [
            {"pk": pk, "given_on": row[3], "title": row[1]}
            for pk, row in zip(ids, rows, strict=True)
        ]
        self.seed_topics = self.topics[: len(SEED_TOPICS)]
        self.seed_block_topics = self.topics[len(SEED_TOPICS) : seed_count]
        self.topic_titles = {t["pk"]: t["title"] for t in self.topics}
        self.history_topics = sorted(
            self.topics[seed_count:], key=lambda t: (t["given_on"], t["pk"])
        )
        self.result.topics = len(rows)

    def _topic_row(self, kind, title, speaker, given_on, source, text, tags):
        # The derived columns as the library's own service computes them, when it exists.
        scratch = Topic(title=title, text=text, tags=tags)
        try:
            from dangjian.study.services import refresh_search_columns
        except ImportError:
            scratch.search_text, scratch.search_words = index_text(title, text)
        else:
            refresh_search_columns(scratch)
        derived = tuple(getattr(scratch, name) for name in TOPIC_DERIVED)
        added = min(_aware(given_on + datetime.timedelta(days=1), 10), self.now)
        user = self.users.get("dangzu")
        return (
            kind,
            title,
            speaker,
            given_on,
            source,
            text,
            tags,
            *derived,
            self.orgs["nrta"].pk,  # the 党组 office (dangzu) adds the library's topics
            user.pk if user else None,
            added,
            added,
        )

    # -- the seed meeting -----------------------------------------------------

    def seed_meeting(self) -> _Meeting:
        lg = self.orgs["province"]
        members = self.leading_group_members(lg)
        meeting = _Meeting(
            org=lg,
            kind=MK.LEADING_GROUP_MEETING,
            day=SEED_DATE,
            title=SEED_TITLE,
            chair_id=self.secretary(lg),
            summary="集中学习习近平总书记重要讲话、重要指示精神和会议精神，研究贯彻落实举措。",
            attendees=members,
            present_all=True,
        )
        meeting.topics = [t["pk"] for t in self.seed_topics]
        meeting.items.append(
            (
                AgendaItem.Kind.STUDY,
                SEED_ITEM_TITLE,
                SEED_MINUTES,
                [text for _kind, _topics, _prose, measures in SEED_BLOCKS for text in measures],
            )
        )
        self.meetings.append(meeting)
        self.seed = meeting
        # The province's branches convey the six in January 2024 (three weeks, one never).
        return meeting

    # -- schedules ------------------------------------------------------------

    def leading_group_history(self, key: str, per_month: int) -> None:
        lg = self.orgs[key]
        members = self.leading_group_members(lg)
        chair = self.secretary(lg)
        created_by = (
            self.users.get("dangzu").pk if key == "nrta" and "dangzu" in self.users else None
        )
        studied = 0  # index into history_topics of the first topic not yet studied
        numbers: dict[int, int] = {}
        plans = []
        for month in _month_starts(self.first, self.today):
            days = _days_in_month(month)
            slots = (8, 22) if per_month == 2 else (15,)
            for slot in slots:
                if self.rng.random() < 0.08:
                    continue
                plans.append(
                    (
                        month.replace(day=min(days, slot + self.rng.randint(-3, 3))),
                        MK.LEADING_GROUP_MEETING,
                    )
                )
            plans.append(
                (month.replace(day=min(days, 26 + self.rng.randint(-2, 2))), MK.THEORY_STUDY_GROUP)
            )
            if month.month == 1:
                plans.append((month.replace(day=20), MK.DEMOCRATIC_LIFE))
        plans.sort()
        for day, kind in plans:
            if day <= self.first:
                continue
            numbers[day.year] = numbers.get(day.year, 0) + (kind == MK.LEADING_GROUP_MEETING)
            title = KIND_TITLES[kind].format(
                y=day.year, m=day.month, n=numbers[day.year], y0=day.year - 1
            )
            m = _Meeting(
                org=lg,
                kind=kind,
                day=day,
                title=title,
                chair_id=chair,
                created_by_id=created_by,
                attendees=members,
                present_all=True,
                hour=9 if kind != MK.THEORY_STUDY_GROUP else 15,
            )
            if kind in (MK.LEADING_GROUP_MEETING, MK.THEORY_STUDY_GROUP):
                new = []
                while (
                    studied < len(self.history_topics)
                    and self.history_topics[studied]["given_on"] < day
                ):
                    new.append(self.history_topics[studied])
                    studied += 1
                if new:
                    m.topics = [t["pk"] for t in new]
                    titles = "、".join(t["title"] for t in new)
                    m.items.append((AgendaItem.Kind.STUDY, f"传达学习{titles}"[:300], "", []))
                    for t in new:
                        if day < self.today:
                            t.setdefault("lg_studied", {})[lg.pk] = day
                else:
                    m.items.append(
                        (
                            AgendaItem.Kind.STUDY,
                            "集中学习习近平新时代中国特色社会主义思想有关论述",
                            "",
                            [],
                        )
                    )
            if kind == MK.LEADING_GROUP_MEETING:
                item, area = self.rng.choice(LG_ITEMS)
                decisions = []
                # Some meetings issue tasks; every meeting of the last month does, so
                # the board always has fresh ones.
                recent = day >= self.today - datetime.timedelta(days=30)
                if day < self.today - datetime.timedelta(days=3) and (
                    self.rng.random() < 0.4 or recent
                ):
                    for _ in range(self.rng.randint(1, 3)):
                        text = f"{area}方面：{self.rng.choice(TASK_TEXTS)}"
                        decisions.append(text)
                        m.tasks.append(
                            {"title": f"{item[2:]}：{text.split('：')[1]}", "details": text}
                        )
                m.items.append((AgendaItem.Kind.DELIBERATION, item, "", decisions))
            if kind == MK.DEMOCRATIC_LIFE:
                m.items.append((AgendaItem.Kind.OTHER, "开展批评和自我批评", "", []))
            self.meetings.append(m)

    def committee_history(self, org: Organization) -> None:
        """A party committee's theory study group: monthly, studying what came out since."""
        rng = self.rng
        lag = rng.choice((2, 5, 10))
        members = self.committee(org)
        chair = self.secretary(org)
        studied = 0
        for month in _month_starts(self.first, self.today):
            if rng.random() < 0.1:
                continue
            day = month.replace(day=min(_days_in_month(month), 18 + rng.randint(-5, 5)))
            if day <= self.first:
                continue
            m = _Meeting(
                org=org,
                kind=MK.THEORY_STUDY_GROUP,
                day=day,
                hour=14,
                title=KIND_TITLES[MK.THEORY_STUDY_GROUP]
                .format(y=day.year, m=day.month)
                .replace("党组", "党委"),
                chair_id=chair,
                attendees=members,
                attendance_rate=0.95,
            )
            new = []
            while (
                studied < len(self.history_topics)
                and self.history_topics[studied]["given_on"] + datetime.timedelta(days=lag) <= day
            ):
                new.append(self.history_topics[studied])
                studied += 1
            if new:
                m.topics = [t["pk"] for t in new]
                titles = "、".join(t["title"] for t in new)
                m.items.append((AgendaItem.Kind.STUDY, f"传达学习{titles}"[:300], "", []))
            else:
                m.items.append(
                    (
                        AgendaItem.Kind.STUDY,
                        "集中学习习近平新时代中国特色社会主义思想有关论述",
                        "",
                        [],
                    )
                )
            self.meetings.append(m)

    def branch_history(self, branch: Organization, *, full: bool, lg: Organization | None) -> None:
        rng = self.rng
        compliance = rng.choice((0.98, 0.95, 0.92, 0.85, 0.75))
        profile = rng.random()
        prompt = profile < 0.35
        if prompt:
            delay = (1, 5)
        elif profile < 0.7:
            delay = (7, 20)
        else:
            delay = (25, 45)
        never = rng.choice((0.0, 0.0, 0.03, 0.08, 0.15))
        start = (
            self.first if full else self.today - datetime.timedelta(days=30 * LIGHT_HISTORY_MONTHS)
        )
        secretary = self.secretary(branch)
        committee = self.committee(branch) or ([secretary] if secretary else [])
        recorders = [m for m in committee if m != secretary]
        created_by = self.account_orgs.get(branch.pk)
        mine: list[_Meeting] = []
        quarter_months: dict[tuple, int] = {}
        for month in _month_starts(start, self.today):
            for kind, months, (lo, hi) in BRANCH_SCHEDULE:
                if months == "quarter":
                    quarter = (month.year, (month.month - 1) // 3, kind)
                    if quarter not in quarter_months:
                        quarter_months[quarter] = quarter[1] * 3 + 1 + rng.randrange(3)
                    months = (quarter_months[quarter],)
                if month.month not in months or rng.random() > compliance:
                    continue
                day = month.replace(day=min(_days_in_month(month), rng.randint(lo, hi)))
                if day <= start:
                    continue
                theme = rng.choice(THEMES)
                title = KIND_TITLES[kind].format(
                    y=day.year,
                    m=day.month,
                    q=(day.month - 1) // 3 + 1,
                    y0=day.year - 1,
                    theme=theme,
                )
                committee_only = kind == MK.BRANCH_COMMITTEE
                m = _Meeting(
                    org=branch,
                    kind=kind,
                    day=day,
                    title=title,
                    chair_id=secretary,
                    recorder_id=recorders[0] if recorders else None,
                    created_by_id=created_by,
                    hour=rng.choice((9, 10, 14, 15)),
                    attendees=(committee if committee_only else self.branch_members(branch, day))
                    if full
                    else [],
                    attendance_rate=compliance,
                )
                mine.append(m)
        for group in self._groups.get(branch.pk, ()):
            leader = self.committee(group)
            for month in _month_starts(start, self.today):
                if rng.random() > compliance:
                    continue
                day = month.replace(day=min(_days_in_month(month), rng.randint(5, 25)))
                if day > start:
                    mine.append(
                        _Meeting(
                            org=group,
                            kind=MK.GROUP_MEETING,
                            day=day,
                            chair_id=leader[0] if leader else None,
                            title=KIND_TITLES[MK.GROUP_MEETING].format(y=day.year, m=day.month),
                        )
                    )
        mine.sort(key=lambda m: (m.day, m.kind))
        held = [m for m in mine if m.day < self.today and m.kind != MK.GROUP_MEETING]
        days = [m.day for m in held]
        for t in self.history_topics:
            if rng.random() < never:
                continue
            target = t["given_on"] + datetime.timedelta(days=rng.randint(*delay))
            if not prompt and lg is not None and lg.pk in t.get("lg_studied", {}):
                # Others wait until their leading group has conveyed it.
                target = max(target, t["lg_studied"][lg.pk] + datetime.timedelta(days=1))
            i = bisect.bisect_left(days, target)
            if (
                prompt
                and target < self.today
                and target > start
                and (i == len(held) or held[i].day > target + datetime.timedelta(days=5))
            ):
                # A prompt branch studies a new speech at once (第一时间), in a committee
                # meeting called for it.
                m = _Meeting(
                    org=branch,
                    kind=MK.BRANCH_COMMITTEE,
                    day=target,
                    title=f"{target.year}年{target.month}月支部委员会会议（专题学习）",
                    chair_id=secretary,
                    recorder_id=recorders[0] if recorders else None,
                    created_by_id=created_by,
                    hour=rng.choice((9, 14)),
                    attendees=committee if full else [],
                    attendance_rate=compliance,
                )
                mine.append(m)
                held.insert(i, m)
                days.insert(i, target)
            if i < len(held):
                held[i].topics.append(t["pk"])
        if full and branch.pk in self._province_branches and rng.random() >= never * 3:
            # Seed 002's six, conveyed by the province's branches after their leading group.
            day = SEED_DATE + datetime.timedelta(days=rng.randint(*delay))
            m = _Meeting(
                org=branch,
                kind=MK.BRANCH_COMMITTEE,
                day=day,
                chair_id=secretary,
                title=f"{day.year}年{day.month}月支部委员会会议（传达学习局党组会议精神）",
                recorder_id=recorders[0] if recorders else None,
                created_by_id=created_by,
                attendees=committee,
                attendance_rate=compliance,
            )
            m.topics = [t["pk"] for t in self.seed_topics]
            mine.insert(0, m)
        for m in mine:
            if m.topics:
                titles = "、".join(self.topic_titles[pk] for pk in m.topics)
                m.items.append((AgendaItem.Kind.STUDY, f"传达学习{titles}"[:300], "", []))
            other = {
                MK.BRANCH_COMMITTEE: (AgendaItem.Kind.DELIBERATION, "研究支部近期工作"),
                MK.THEMED_PARTY_DAY: (AgendaItem.Kind.OTHER, m.title.split("：", 1)[-1]),
                MK.BRANCH_ASSEMBLY: (AgendaItem.Kind.REPORT, "通报支部工作情况"),
                MK.PARTY_LECTURE: (AgendaItem.Kind.OTHER, m.title),
                MK.ORGANIZATIONAL_LIFE: (AgendaItem.Kind.OTHER, "开展批评和自我批评，民主评议党员"),
                MK.GROUP_MEETING: (AgendaItem.Kind.OTHER, "学习讨论"),
            }[m.kind]
            m.items.append((other[0], other[1], "", []))
        self.meetings.extend(mine)

    def history(self) -> None:
        orgs = list(
            Organization.objects.order_by("path").only(
                "id", "kind", "parent_id", "path", "unit_id", "name"
            )
        )
        by_pk = {o.pk: o for o in orgs}
        roots = {o.pk: o for o in orgs if o.parent_id is None}
        self._groups: dict[int, list[Organization]] = {}
        for o in orgs:
            if o.kind == K.GROUP:
                self._groups.setdefault(o.parent_id, []).append(o)
        province = self.orgs["province"]
        self._province_branches = {
            o.pk for o in orgs if o.kind == K.BRANCH and o.path.startswith(province.path)
        }
        self.leading_group_history("nrta", 2)
        self.leading_group_history("province", 1)
        for org in orgs:
            if org.kind in (K.COMMITTEE, K.ORGAN_COMMITTEE):
                self.committee_history(org)
        branches = [o for o in orgs if o.kind == K.BRANCH]
        demo_branch = self.orgs.get("nrta_dept_0_2")
        # The named branches (the fixed plan) come first in id order; the sample is every n-th.
        if len(branches) > FULL_HISTORY_BRANCHES:
            step = len(branches) / FULL_HISTORY_BRANCHES
            full = {branches[int(i * step)].pk for i in range(FULL_HISTORY_BRANCHES)}
            if demo_branch:
                full.add(demo_branch.pk)
        else:
            full = {b.pk for b in branches}
        for branch in branches:
            root = branch
            while root.parent_id is not None:
                root = by_pk[root.parent_id]
            self.branch_history(branch, full=branch.pk in full, lg=roots.get(root.pk))

    # -- tasks ----------------------------------------------------------------

    def lead_org_for(self, unit_key: str) -> Organization | None:
        """The party organization of a unit: its first branch (the demo branch for 办公厅)."""
        if unit_key == "nrta_dept_0":
            return self.orgs.get("nrta_dept_0_2")
        if unit_key == "committee":
            return None
        return self.orgs.get(f"{unit_key}_0")

    # -- writing --------------------------------------------------------------

    def write(self) -> None:
        meetings = self.meetings
        cols = (
            "organization_id",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "venue",
            "status",
            "chair_id",
            "recorder_id",
            "summary",
            "news_draft",
            "created_by_id",
            "created_at",
            "updated_at",
        )
        rows = []
        for m in meetings:
            start = _aware(m.day, m.hour)
            held = m.day < self.today
            recorded = (
                min(start + datetime.timedelta(days=1), self.now)
                if held
                else start - datetime.timedelta(days=7)
            )
            recorded = min(recorded, self.now)
            venue = "党组会议室" if m.org.kind == K.LEADING_GROUP else "支部活动室"
            rows.append(
                (
                    m.org.pk,
                    m.kind,
                    m.title[:200],
                    start,
                    start + datetime.timedelta(hours=2 if m.kind != MK.THEMED_PARTY_DAY else 3),
                    "" if m is self.seed else venue,
                    Meeting.Status.HELD if held else Meeting.Status.PLANNED,
                    m.chair_id,
                    m.recorder_id,
                    m.summary,
                    "",
                    m.created_by_id,
                    recorded,
                    recorded,
                )
            )
        ids = sorted(r[0] for r in self.table(Meeting, cols).insert(rows, returning=("id",)))
        for m, pk in zip(meetings, ids, strict=True):
            m.pk = pk
        self.result.meetings = len(meetings)
        # Agenda items
        item_rows, owners = [], []
        for m in meetings:
            for order, (kind, title, minutes, decisions) in enumerate(m.items, start=1):
                item_rows.append((m.pk, order, kind, title[:300], minutes, decisions))
                owners.append((m, order))
        ids = sorted(
            r[0]
            for r in self.table(
                AgendaItem, ("meeting_id", "order", "kind", "title", "minutes", "decisions")
            ).insert(item_rows, returning=("id",))
        )
        self.result.agenda_items = len(ids)
        links, item_of = [], {}
        for (m, order), pk in zip(owners, ids, strict=True):
            item_of[(m.pk, order)] = pk
            if order == 1 and m.topics:
                listed = list(dict.fromkeys(m.topics))
                extra = [t["pk"] for t in self.seed_block_topics] if m is self.seed else []
                links.extend(
                    (pk, t, n, n <= len(listed)) for n, t in enumerate(listed + extra, start=1)
                )
        self.table(AgendaItemTopic, ("agendaitem_id", "topic_id", "order", "listed")).insert(links)
        self.item_of = item_of
        self._write_blocks(meetings, owners, ids)
        # Attendance
        rng = self.rng
        att = []
        for m in meetings:
            if m.day >= self.today or not m.attendees:
                continue
            start = _aware(m.day, m.hour)
            qr = m.day > self.today - datetime.timedelta(days=180)
            for member in dict.fromkeys(m.attendees):
                roll = rng.random()
                real = member in self.real_people
                if m.present_all or real or roll < m.attendance_rate - 0.04:
                    status, reason = A.PRESENT, ""
                elif roll < m.attendance_rate:
                    status, reason = A.LATE, ""
                elif roll < m.attendance_rate + (1 - m.attendance_rate) * 0.7:
                    status, reason = A.LEAVE, rng.choice(LEAVE_REASONS)
                else:
                    status, reason = A.ABSENT, ""
                signed = None
                via = False
                if (
                    status in (A.PRESENT, A.LATE)
                    and qr
                    and not m.present_all
                    and not real
                    and rng.random() < 0.6
                ):
                    via = True
                    signed = start + datetime.timedelta(
                        minutes=rng.randint(-15, 2) + (15 if status == A.LATE else 0)
                    )
                att.append((m.pk, member, status, reason, signed, via))
        self.table(
            Attendance, ("meeting_id", "member_id", "status", "reason", "signed_in_at", "via_qr")
        ).insert(att)
        self.result.attendances = len(att)

    def _write_blocks(self, meetings, owners, ids) -> None:
        """Seed 002's four blocks as the report states them; any other item's decisions are
        the measures of one 会议要求 block (as the services would write them)."""
        seed_topics = [t["pk"] for t in self.seed_topics + self.seed_block_topics]
        block_rows, measures_of = [], []
        for (m, order), pk in zip(owners, ids, strict=True):
            decisions = m.items[order - 1][3]
            if m is self.seed and order == 1:
                for n, (kind, topics, prose, measures) in enumerate(SEED_BLOCKS, start=1):
                    block_rows.append((pk, n, kind, prose))
                    measures_of.append((measures, [seed_topics[i] for i in topics], n - 1))
            elif decisions:
                block_rows.append((pk, 1, SK.REQUIRED, ""))
                measures_of.append((decisions, [], None))
        block_ids = sorted(
            r[0]
            for r in self.table(
                StatementBlock, ("agenda_item_id", "order", "kind", "prose")
            ).insert(block_rows, returning=("id",))
        )
        measure_rows, topic_rows, keys = [], [], []
        for block_id, (measures, topics, seed_block) in zip(block_ids, measures_of, strict=True):
            for n, text in enumerate(measures, start=1):
                measure_rows.append((block_id, n, measure_number(text), text))
                keys.append(None if seed_block is None else (seed_block, n - 1))
            topic_rows.extend((block_id, t) for t in topics)
        self.table(StatementBlock.topics.through, ("statementblock_id", "topic_id")).insert(
            topic_rows
        )
        measure_ids = sorted(
            r[0]
            for r in self.table(Measure, ("block_id", "order", "number", "text")).insert(
                measure_rows, returning=("id",)
            )
        )
        # The seed's measures by (block, measure) index, for its tasks.
        self.seed_measures = {
            key: pk for key, pk in zip(keys, measure_ids, strict=True) if key is not None
        }

    def write_tasks(self) -> None:
        tasks: list[dict] = []
        # The seed's seven.
        seed_item = self.item_of[(self.seed.pk, 1)]
        created = SEED_DATE + datetime.timedelta(days=1)
        province = self.orgs["province"]
        committee = self.orgs["province_committee"]
        for n, ((b, i), title, lead, coop, plan) in enumerate(SEED_REQUIREMENTS):
            decision = SEED_BLOCKS[b][3][i]
            measure = self.seed_measures[(b, i)]
            task = self._task(
                title=title,
                details=decision,
                org=province,
                meeting=self.seed,
                item=seed_item,
                lead_unit=None if lead == "committee" else self.units[lead],
                lead_org=committee if lead == "committee" else self.lead_org_for(lead),
                coop=[self.units[c] for c in coop],
                created=created,
                plan=plan,
                priority=TaskPriority.HIGH if n in (0, 1, 6) else TaskPriority.NORMAL,
            )
            task["seed"] = True
            task["measure"] = measure
            tasks.append(task)
            if plan == "parent":
                task["children"] = []
                for sub_title, sub_lead, weight, sub_plan in SEED_SUBTASKS:
                    child = self._task(
                        title=sub_title,
                        details=decision,
                        org=province,
                        meeting=self.seed,
                        item=seed_item,
                        lead_unit=self.units[sub_lead],
                        lead_org=self.lead_org_for(sub_lead),
                        coop=[],
                        created=created,
                        plan=sub_plan,
                        weight=weight,
                        priority=TaskPriority.NORMAL,
                    )
                    child["parent"] = task
                    child["measure"] = measure
                    task["children"].append(child)
                    tasks.append(child)
        # The history's.
        organ_units = {
            # 办公厅 twice: its demo branch (zhibu) gets a fair share of tasks.
            "nrta": ["nrta_dept_0"] + [k for k in self.units if k.startswith("nrta_dept_")],
            "province": [k for k in self.units if k.startswith("province_dept_")],
        }
        roots = {self.orgs["nrta"].pk: "nrta", self.orgs["province"].pk: "province"}
        rng = self.rng
        for m in self.meetings:
            if not m.tasks or m is self.seed:
                continue
            organ = roots[m.org.pk]
            item = self.item_of[(m.pk, len(m.items))]
            for spec in m.tasks:
                unit_key = rng.choice(organ_units[organ])
                created = m.day + datetime.timedelta(days=rng.randint(0, 3))
                deadline = created + datetime.timedelta(days=rng.choice((30, 45, 60, 90, 120, 180)))
                if deadline < self.today:
                    plan = rng.choices(("closed", "overdue", "closed_late"), (70, 20, 10))[0]
                elif created >= self.today - datetime.timedelta(days=21):
                    plan = "fresh"
                else:
                    plan = rng.choices(
                        ("fresh", "progress", "closure_requested", "closed_early"), (15, 60, 10, 15)
                    )[0]
                tasks.append(
                    self._task(
                        title=spec["title"],
                        details=spec["details"],
                        org=m.org,
                        meeting=m,
                        item=item,
                        lead_unit=self.units[unit_key],
                        lead_org=self.lead_org_for(unit_key),
                        coop=[],
                        created=created,
                        plan=plan,
                        deadline=deadline,
                        priority=rng.choice(
                            (
                                TaskPriority.HIGH,
                                TaskPriority.NORMAL,
                                TaskPriority.NORMAL,
                                TaskPriority.LOW,
                            )
                        ),
                    )
                )
        self._write_tasks(tasks)

    def _task(
        self,
        *,
        title,
        details,
        org,
        meeting,
        item,
        lead_unit,
        lead_org,
        coop,
        created,
        plan,
        priority,
        weight=1,
        deadline=None,
    ) -> dict:
        today = self.today
        year_end = datetime.date(today.year, 12, 31)
        if deadline is None:
            deadline = {
                "overdue": datetime.date(2024, 12, 31),
                "closed_after_return": datetime.date(2024, 9, 30),
                "closed": datetime.date(2024, 12, 31),
                "closed_early": datetime.date(2024, 1, 31),
            }.get(plan, year_end)
        deadline = max(deadline, created)
        responsible = self.secretary(lead_org) if lead_org is not None else None
        reporter = self.account_orgs.get(lead_org.pk) if lead_org is not None else None
        supervisor = self.account_orgs.get(org.pk)
        events = [(EV.CREATED, created, supervisor, "")]
        reports: list[tuple[datetime.date, int, str]] = []
        closed_on = None
        rng = self.rng
        last = min(today - datetime.timedelta(days=1), deadline if plan != "overdue" else today)

        def progress(first: datetime.date, end: datetime.date, top: int, count: int) -> None:
            span = max(1, (end - first).days)
            days = sorted(
                {
                    first + datetime.timedelta(days=max(1, span * (i + 1) // (count + 1)))
                    for i in range(count)
                }
            )
            for i, day in enumerate(days):
                if day >= today:
                    break
                pct = top if i == len(days) - 1 else max(5, top * (i + 1) // len(days) // 5 * 5)
                reports.append((day, pct, REPORT_TEXTS[min(2, i) if pct < 100 else 3]))

        status = TS.IN_PROGRESS
        if plan == "fresh" or created >= today - datetime.timedelta(days=2):
            status = TS.NOT_STARTED
        elif plan in ("closed", "closed_early", "closed_late", "closed_after_return"):
            end = {
                "closed_early": min(deadline, created + datetime.timedelta(days=25)),
                "closed_late": min(
                    today - datetime.timedelta(days=5), deadline + datetime.timedelta(days=20)
                ),
            }.get(plan, deadline - datetime.timedelta(days=10))
            end = max(end, created + datetime.timedelta(days=4))
            end = min(end, today - datetime.timedelta(days=3))
            progress(created, end, 100, 3)
            if plan == "closed_after_return":
                events.append((EV.CLOSURE_REQUESTED, end, reporter, "已完成，申请办结。"))
                events.append(
                    (
                        EV.RETURNED,
                        end + datetime.timedelta(days=1),
                        supervisor,
                        "请补充民族团结示范单位创建佐证材料。",
                    )
                )
                end = min(end + datetime.timedelta(days=2), today - datetime.timedelta(days=1))
                reports.append((end, 100, "已补充创建佐证材料。"))
            events.append((EV.CLOSURE_REQUESTED, end, reporter, "已完成，申请办结。"))
            closed_on = min(end + datetime.timedelta(days=1), today)
            events.append((EV.CLOSED, closed_on, supervisor, "同意办结。"))
            status = TS.CLOSED
        elif plan == "closure_requested":
            end = min(
                today - datetime.timedelta(days=1),
                max(created + datetime.timedelta(days=3), today - datetime.timedelta(days=5)),
            )
            progress(created, end, 100, 3)
            events.append((EV.CLOSURE_REQUESTED, end, reporter, "已完成，申请办结。"))
            status = TS.CLOSURE_REQUESTED
        elif plan == "parent":
            pass  # status and progress follow the children
        else:  # overdue / progress / long_term: in progress
            top = rng.choice((30, 50, 60, 70, 80)) if plan != "long_term" else 60
            progress(created, last, top, 3 if plan != "long_term" else 5)
            if not reports and plan != "parent":
                status = TS.NOT_STARTED
        if reports:
            events.insert(1, (EV.STARTED, reports[0][0], reporter, "已开始落实。"))
        reports.sort(key=lambda r: r[0])
        return {
            "title": title[:300],
            "details": details,
            "org": org,
            "meeting": meeting,
            "item": item,
            "lead_unit": lead_unit,
            "lead_org": lead_org,
            "coop": coop,
            "responsible": responsible,
            "deadline": deadline,
            "priority": priority,
            "status": status,
            "weight": weight,
            "progress": reports[-1][1] if reports else 0,
            "created": created,
            "closed_on": closed_on,
            "events": sorted(events, key=lambda e: e[1]),
            "reports": reports,
            "reporter": reporter,
            "parent": None,
            "plan": plan,
        }

    def _write_tasks(self, tasks: list[dict]) -> None:
        # Parents' progress and status from their children.
        for t in tasks:
            children = t.get("children")
            if children:
                weights = sum(c["weight"] for c in children)
                t["progress"] = round(sum(c["progress"] * c["weight"] for c in children) / weights)
                if any(c["status"] != TS.NOT_STARTED for c in children):
                    t["status"] = TS.IN_PROGRESS
                    first = min(c["events"][1][1] for c in children if len(c["events"]) > 1)
                    t["events"].append((EV.STARTED, first, None, "子任务已开始落实。"))
                    t["events"].sort(key=lambda e: e[1])
        cols = (
            "title",
            "details",
            "organization_id",
            "origin_meeting_id",
            "origin_agenda_item_id",
            "origin_measure_id",
            "parent_id",
            "weight",
            "lead_unit_id",
            "lead_organization_id",
            "responsible_id",
            "deadline",
            "priority",
            "status",
            "progress",
            "closed_at",
            "created_by_id",
            "created_at",
            "updated_at",
        )
        table = self.table(Task, cols)
        for level in (0, 1):  # parents first: children need their id
            batch = [t for t in tasks if (t["parent"] is not None) == bool(level)]
            rows = []
            for t in batch:
                created = _aware(t["created"], 10)
                changed = _aware(t["events"][-1][1], 16) if t["events"] else created
                rows.append(
                    (
                        t["title"],
                        t["details"],
                        t["org"].pk,
                        t["meeting"].pk,
                        t["item"],
                        t.get("measure"),
                        t["parent"]["pk"] if t["parent"] else None,
                        t["weight"],
                        t["lead_unit"].pk if t["lead_unit"] else None,
                        t["lead_org"].pk if t["lead_org"] else None,
                        t["responsible"],
                        t["deadline"],
                        t["priority"],
                        t["status"],
                        t["progress"],
                        _aware(t["closed_on"], 16) if t["closed_on"] else None,
                        t["events"][0][2],
                        created,
                        max(created, changed),
                    )
                )
            ids = sorted(r[0] for r in table.insert(rows, returning=("id",)))
            for t, pk in zip(batch, ids, strict=True):
                t["pk"] = pk
        coop = [(t["pk"], u.pk) for t in tasks for u in t["coop"]]
        self.table(Task.cooperating_units.through, ("task_id", "unit_id")).insert(coop)
        reports = [
            (t["pk"], day, text, pct, t["reporter"], _aware(day, 11))
            for t in tasks
            for day, pct, text in t["reports"]
        ]
        self.table(
            ProgressReport, ("task_id", "reported_on", "text", "percent", "author_id", "created_at")
        ).insert(reports)
        events = []
        for t in tasks:
            for n, (kind, day, actor, reason) in enumerate(t["events"]):
                events.append((t["pk"], kind, actor, reason, _aware(day, 10 + min(n, 7))))
        self.table(TaskEvent, ("task_id", "kind", "actor_id", "reason", "occurred_at")).insert(
            events
        )
        self.result.tasks = len(tasks)
        self.result.progress_reports = len(reports)
        self.result.task_events = len(events)


def load(
    *, orgs: dict[str, Organization], units: dict, seed: int, today: datetime.date
) -> MeetingsResult:
    """Write seed 002's meeting and the synthetic history; returns the counts."""
    _TZ[0] = timezone.get_current_timezone()
    history = _History(orgs=orgs, units=units, seed=seed, today=today)
    history.write_topics()
    history.seed_meeting()
    history.history()
    history.write()
    history.write_tasks()
    return history.result
