"""A news report draft generated from a meeting record, in the house style of seed 002.

The draft is Chinese text of a fixed genre (headline; a lead paragraph with
the date, the chair, the meeting and what was conveyed, then who attended;
one paragraph per agenda item's requirements, enumerated 一要……二要……), so
its vocabulary lives here as constants rather than in the UI catalog: it must
read the same whatever language the user interface is in, and
``dangjian.reports.parser.parse_report`` must recover the record from it
(tests/reports/test_news_draft.py checks the round trip).

Wording chosen for the parser (structure of the genre, not parser tweaks):

* When the chair holds a post in the meeting's organization the lead reads
  as seed 002 (``X党组书记、局长张三主持召开党组会议``); otherwise the
  meeting is the subject and the chair follows (``…召开组织生活会,局长张三
  主持会议`` or ``会议由张三同志主持``). 民主生活会 and 组织生活会 always use
  the second form: ``主持召开专题民主生活会`` alone is not read as a meeting.
* Requirements start a fresh run at 一要, one run per agenda item; a run
  counts 一 to 十, so an item with more than ten continues in a new paragraph
  (会议同时要求,一要……). An item with a single requirement states it without
  a number (一要 alone is not the genre, and the parser rightly reads no run).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dangjian.core.typography import fullwidth
from dangjian.meetings.models import (
    AgendaItem,
    AttendanceRole,
    AttendanceStatus,
    Meeting,
    MeetingKind,
)
from dangjian.meetings.selectors import protocol_sorted
from dangjian.meetings.statements import block_paragraph
from dangjian.organizations.models import OrganizationKind
from dangjian.people.models import PostAssignment, PostTitle

# A post in an organization, written after the organization's name
# (测试局党组 + 书记 → 测试局党组书记; 办公厅第三党支部 + 组织委员).
POST_SUFFIX = {
    PostTitle.SECRETARY: "书记",
    PostTitle.DEPUTY_SECRETARY: "副书记",
    PostTitle.COMMITTEE_MEMBER: "委员",
    PostTitle.ORGANIZATION_MEMBER: "组织委员",
    PostTitle.PROPAGANDA_MEMBER: "宣传委员",
    PostTitle.DISCIPLINE_MEMBER: "纪检委员",
    PostTitle.GROUP_LEADER: "组长",
    PostTitle.LEADING_GROUP_SECRETARY: "书记",
    PostTitle.LEADING_GROUP_DEPUTY: "副书记",
    PostTitle.LEADING_GROUP_MEMBER: "成员",
}
POST_RANK = {title: i for i, title in enumerate(POST_SUFFIX)}
for _title in (PostTitle.LEADING_GROUP_SECRETARY, PostTitle.LEADING_GROUP_DEPUTY):
    POST_RANK[_title] = -10 + POST_RANK[_title]
POST_RANK[PostTitle.LEADING_GROUP_MEMBER] = -5

CN_DIGITS = "零一二三四五六七八九"
PRESENT = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
NAMED_ATTENDEE_KINDS = frozenset(
    {
        MeetingKind.LEADING_GROUP_MEETING,
        MeetingKind.THEORY_STUDY_GROUP,
        MeetingKind.DEMOCRATIC_LIFE,
        MeetingKind.BRANCH_COMMITTEE,
    }
)
_ENUM_PREFIX = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[要是、]|[((][一二三四五六七八九十\d]+[))]|\d+[.、.)]|[①-⑳])\s*"
)
_REQUIREMENT_LEADS = ("会议要求", "会议强调", "会议指出", "会议认为")


@dataclass(frozen=True)
class Genre:
    """How a kind of meeting is named in a report, and what the parser should read back."""

    noun: str  # what is held: 党组会议, 主题党日活动 …
    verb: str  # 召开 / 开展
    kind: str  # "meeting" / "activity" (REPORT_SCHEMA.md)
    meeting_type: str | None
    activity_type: str | None = None
    seed_form: bool = True  # "X书记张三主持召开…" allowed


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (n < 100)."""
    tens, ones = divmod(n, 10)
    if n < 10:
        return CN_DIGITS[n]
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")


def cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def genre(meeting: Meeting) -> Genre:
    org_kind = meeting.organization.kind
    kind = meeting.kind
    leading = org_kind == OrganizationKind.LEADING_GROUP
    committee = org_kind in (OrganizationKind.COMMITTEE, OrganizationKind.ORGAN_COMMITTEE)
    if kind == MeetingKind.LEADING_GROUP_MEETING:
        if leading:
            return Genre("党组会议", "召开", "meeting", "党组会议")
        if committee:
            return Genre("党委会议", "召开", "meeting", "党委会议")
        if org_kind == OrganizationKind.BRANCH:
            return Genre("支部委员会会议", "召开", "meeting", "支部委员会")
        return Genre("委员会会议", "召开", "meeting", "其他")
    if kind == MeetingKind.THEORY_STUDY_GROUP:
        if leading:
            return Genre(
                "党组理论学习中心组集体学习会议", "召开", "meeting", "党组理论学习中心组学习"
            )
        if committee:
            return Genre(
                "党委理论学习中心组集体学习会议", "召开", "meeting", "党委理论学习中心组学习"
            )
        return Genre("理论学习中心组集体学习会议", "召开", "meeting", "其他")
    if kind == MeetingKind.BRANCH_ASSEMBLY:
        if org_kind == OrganizationKind.BRANCH:
            return Genre("支部党员大会", "召开", "meeting", "支部党员大会")
        return Genre("党员大会", "召开", "meeting", "其他")
    if kind == MeetingKind.BRANCH_COMMITTEE:
        if org_kind == OrganizationKind.BRANCH:
            return Genre("支部委员会会议", "召开", "meeting", "支部委员会")
        return Genre("委员会会议", "召开", "meeting", "其他")
    if kind == MeetingKind.GROUP_MEETING:
        return Genre("党小组会议", "召开", "meeting", "其他")
    if kind == MeetingKind.PARTY_LECTURE:
        return Genre("专题党课", "开展", "activity", None, "专题党课", seed_form=False)
    if kind == MeetingKind.THEMED_PARTY_DAY:
        return Genre("主题党日活动", "开展", "activity", None, "主题党日", seed_form=False)
    if kind == MeetingKind.DEMOCRATIC_LIFE:
        return Genre("专题民主生活会", "召开", "meeting", "其他", seed_form=False)
    return Genre("组织生活会", "召开", "meeting", "其他", seed_form=False)


def org_label(organization) -> str:
    """The organization as a report's lead names it (short name inside the same report)."""
    return organization.name


def _posts_by_member(meeting: Meeting, member_ids) -> dict[int, list[str]]:
    rows = (
        PostAssignment.objects.filter(
            organization_id=meeting.organization_id,
            member_id__in=list(member_ids),
            ended_on__isnull=True,
        )
        .values_list("member_id", "title")
        .order_by("id")
    )
    posts: dict[int, list[str]] = {}
    for member_id, title in rows:
        posts.setdefault(member_id, []).append(title)
    for titles in posts.values():
        titles.sort(key=lambda t: POST_RANK.get(t, 99))
    return posts


def _titles(prefix: str, posts: list[str], admin_title: str) -> str:
    """党组书记、局长 written after ``prefix`` (the organization's name or short name)."""
    parts = []
    for i, title in enumerate(posts):
        suffix = POST_SUFFIX.get(title, "")
        if suffix:
            parts.append((prefix if i == 0 else "") + suffix)
    if admin_title:
        parts.append(admin_title.strip())
    return "、".join(dict.fromkeys(p for p in parts if p))


def study_items(meeting: Meeting) -> list[str]:
    """What the meeting conveyed or studied, as noun phrases, in agenda order."""
    items: list[str] = []
    for item in _agenda(meeting):
        if item.kind != AgendaItem.Kind.STUDY:
            continue
        topics = _topics_of(item)
        if topics:
            items.extend(topic_phrase(t) for t in topics)
        else:
            title = re.sub(r"^(?:传达学习|集中学习|专题学习|学习)", "", item.title.strip())
            if title:
                items.append(re.sub(r"[。;;,,]+$", "", title))
    return list(dict.fromkeys(items))


def topic_phrase(topic) -> str:
    """A topic as the report names it: 习近平总书记在…上的重要讲话精神, 《…》."""
    title = topic.title.strip().rstrip("。")
    speaker = (topic.speaker or "").strip()
    if speaker and speaker not in title and title.startswith(("在", "对", "关于", "就")):
        title = speaker + title
    if topic.kind == "document" and "《" not in title:
        title = f"《{title}》"
    elif not title.endswith(("精神", "要求", "论述", "》")):
        # The genre names what was conveyed as 精神 (…讲话精神, …会议精神).
        title += "精神"
    return title


def _agenda(meeting: Meeting) -> list[AgendaItem]:
    cached = getattr(meeting, "_news_agenda", None)
    if cached is None:
        cached = list(meeting.agenda_items.order_by("order", "id"))
        meeting._news_agenda = cached
    return cached


def _topics_of(item: AgendaItem) -> list:
    """The topics the item lists as studied, in the report's order (the lead one first)."""
    from dangjian.meetings.services import item_topics

    return item_topics(item, listed=True)


def _blocks_of(item: AgendaItem) -> list:
    """The item's blocks with their measures, when the record states them with prose (a
    record written with measures only keeps the enumerated paragraph of the genre)."""
    blocks = list(item.blocks.order_by("order", "id").prefetch_related("measures"))
    return blocks if any(b.prose.strip() for b in blocks) else []


def decision_texts(item: AgendaItem) -> list[str]:
    """The item's requirements as plain clauses (enumerators and a leading 要 removed)."""
    texts = []
    for entry in item.decisions or []:
        text = entry.get("text", "") if isinstance(entry, dict) else str(entry)
        text = _ENUM_PREFIX.sub("", text.strip())
        text = re.sub(r"[。;;,,\s]+$", "", re.sub(r"^要", "", text).strip())
        if text:
            texts.append(text)
    return texts


def enumerated_requirements(meeting: Meeting) -> list[str]:
    """The requirements the draft enumerates (一要……): those of items stating two or more."""
    out = []
    for item in _agenda(meeting):
        blocks = _blocks_of(item)
        if blocks:
            out.extend(m.text for b in blocks for m in b.measures.all() if m.number)
            continue
        texts = decision_texts(item)
        if len(texts) > 1:
            out.extend(texts)
    return out


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return "、".join(items)
    return "、".join(items[:-1]) + "以及" + items[-1]


def _enumerate(texts: list[str]) -> str:
    return "".join(f"{cn_number(i)}要{t}。" for i, t in enumerate(texts, 1))


def _audience(meeting: Meeting) -> str:
    kind = meeting.organization.kind
    if kind in (OrganizationKind.BRANCH, OrganizationKind.GROUP):
        return "支部全体党员"
    if kind == OrganizationKind.LEADING_GROUP:
        return "全系统各级党组织和广大党员干部"
    return "各级党组织和广大党员干部"


def _chair_clause(meeting: Meeting, g: Genre, posts: dict[int, list[str]]):
    """(title-and-name, uses the seed form) for the chair, or (None, False)."""
    chair = meeting.chair
    if chair is not None:
        org_posts = posts.get(chair.pk, [])
        if org_posts and g.seed_form:
            return org_label(meeting.organization) + _titles(
                "", org_posts, chair.admin_title
            ) + chair.name, True
        titles = _titles(_short(meeting.organization), org_posts, chair.admin_title)
        return (titles + chair.name) if titles else None, False
    return None, False


def _short(organization) -> str:
    return organization.short_name or organization.name


def meeting_news_draft(meeting: Meeting) -> str:
    """The report draft for ``meeting`` (deterministic: the same record gives the same text)."""
    org = meeting.organization
    g = genre(meeting)
    items = study_items(meeting)
    attendances = protocol_sorted(
        meeting, meeting.attendances.filter(status__in=PRESENT).select_related("member")
    )
    member_ids = {a.member_id for a in attendances}
    if meeting.chair_id:
        member_ids.add(meeting.chair_id)
    posts = _posts_by_member(meeting, member_ids)
    day = _local_date(meeting)
    study_verb = "集中学习" if meeting.kind == MeetingKind.THEORY_STUDY_GROUP else "传达学习"

    headline = f"{org_label(org)}{g.verb}{g.noun}"
    if items:
        headline += f"{study_verb}{items[0]}"

    chair_text, seed_form = _chair_clause(meeting, g, posts)
    lead = f"{cn_date(day)},"
    if seed_form:
        lead += f"{chair_text}主持{g.verb}{g.noun}"
        lead += f",{study_verb}{_join(items)},研究贯彻落实举措。" if items else "。"
    else:
        lead += f"{org_label(org)}{g.verb}{g.noun},"
        host = "活动" if g.kind == "activity" else "会议"
        if chair_text:
            lead += f"{chair_text}主持{host}。"
        elif meeting.chair is not None:
            lead += f"{host}由{meeting.chair.name}同志主持。"
        elif meeting.chair_name.strip():
            lead += f"{host}由{meeting.chair_name.strip()}主持。"
        else:
            lead = lead[:-1] + "。"
        if items:
            lead += f"{host}{study_verb}了{_join(items)}。"
    others = [
        item.title.strip().rstrip("。")
        for item in _agenda(meeting)
        if item.kind in (AgendaItem.Kind.DELIBERATION, AgendaItem.Kind.REPORT) and item.title
    ]
    if others:
        lead += f"会议还审议了{_join(others)}事项。"
    lead += _attendees_sentence(meeting, attendances, posts)

    paragraphs = [headline, lead]
    n = 0
    for item in _agenda(meeting):
        blocks = _blocks_of(item)
        if blocks:
            # The record states its blocks: each is a paragraph, verbatim.
            paragraphs.extend(
                p for p in (block_paragraph(b, b.measures.all()) for b in blocks) if p
            )
            continue
        texts = decision_texts(item)
        if not texts:
            continue
        if g.kind == "activity":
            word = "本次活动要求"
        else:
            word = _REQUIREMENT_LEADS[n % len(_REQUIREMENT_LEADS)]
        n += 1
        if len(texts) == 1:
            # One requirement is stated, not enumerated (一要 without 二要 is not the genre).
            paragraphs.append(f"{word}，{_audience(meeting)}要{texts[0]}。")
            continue
        # A run of the genre counts 一 to 十; more requirements continue in a new paragraph.
        for start in range(0, len(texts), 10):
            chunk = texts[start : start + 10]
            if start == 0:
                lead_in = (
                    f"{word}，{_audience(meeting)}要坚定不移抓好贯彻落实，确保各项工作落地见效。"
                )
            else:
                lead_in = "会议同时要求，"
            paragraphs.append(lead_in + _enumerate(chunk))
    return fullwidth("\n\n".join(paragraphs) + "\n")


def _attendees_sentence(meeting: Meeting, attendances, posts) -> str:
    out = ""
    named = meeting.kind in NAMED_ATTENDEE_KINDS
    others = [a for a in attendances if a.member_id not in (meeting.chair_id, meeting.recorder_id)]
    if named and others:
        prefix = _short(meeting.organization)
        # 出席 then 列席, each in protocol order (the attendances come sorted).
        for role, verb in ((AttendanceRole.ATTENDING, "出席"), (AttendanceRole.OBSERVING, "列席")):
            groups: dict[str, list[str]] = {}
            for a in others:
                if a.role != role:
                    continue
                titles = _titles(prefix, posts.get(a.member_id, []), a.member.admin_title)
                groups.setdefault(titles, []).append(a.member.name)
            if groups:
                parts = [f"{titles}{'、'.join(names)}" for titles, names in groups.items()]
                out += "、".join(parts) + f"{verb}会议。"
    elif others:
        host = "活动" if genre(meeting).kind == "activity" else "会议"
        out += f"{_short(meeting.organization)}党员{len(attendances)}人参加{host}。"
    invited = [
        (str(i.get("title", "")).strip(), str(i.get("name", "")).strip())
        for i in (meeting.invited_leaders or [])
        if isinstance(i, dict) and str(i.get("name", "")).strip()
    ]
    if invited:
        out += "、".join(f"{t}{n}" for t, n in invited) + "列席会议。"
    return out


def _local_date(meeting: Meeting):
    from django.utils import timezone

    return timezone.localtime(meeting.starts_at).date()


def draft_check(meeting: Meeting, text: str) -> list[dict]:
    """What a reader (the report parser) finds in ``text``, next to the meeting's record.

    Shown beside the editor so that an edit which loses the date, the chair
    or a requirement is noticed before the draft is saved or copied out.
    """
    from dangjian.reports.parser import parse_report

    parsed = parse_report(text or "")
    g = genre(meeting)
    chair = meeting.chair.name if meeting.chair else (meeting.chair_name.strip() or None)
    found_type = parsed.get("meeting_type") or "、".join(parsed.get("activity_types") or [])
    rows = [
        ("date", _local_date(meeting).isoformat(), parsed.get("date")),
        ("organization", meeting.organization.name, parsed.get("org")),
        ("chair", chair, (parsed.get("chair") or {}).get("name")),
        ("kind", g.meeting_type or g.activity_type, found_type or None),
        ("study items", len(study_items(meeting)), len(parsed.get("study_items") or [])),
        ("requirements", len(enumerated_requirements(meeting)), len(parsed.get("measures") or [])),
    ]
    return [{"field": f, "record": r, "found": p, "ok": r == p} for f, r, p in rows]


# ----------------------------------------------------------------------------- activities
#
# The activity draft follows seed 000 (a launch ceremony and forum): headline
# "X举办…"; a lead with the purpose (the campaign), the date, the organizer and
# the venue; the leaders in their roles (受…委托,…出席并致辞); who took part;
# the campaign inside its parent campaign and the capabilities it targets; the
# presentations (N个党支部作交流发言。其中,A围绕“…”作交流发言;B…); the summary.

# ActivityType → (noun written after the title when the title lacks it, verb,
# the type REPORT_SCHEMA.md names, the words that already name the type).
ACTIVITY_GENRES = {
    "launch_ceremony": ("启动仪式", "举办", "启动仪式", ("启动仪式", "启动会", "启动大会")),
    "forum": ("论坛", "举办", "论坛", ("论坛",)),
    "special_training": ("专题培训班", "举办", "专题培训", ("培训班", "专题培训", "读书班")),
    "themed_party_day": ("主题党日活动", "开展", "主题党日", ("主题党日", "党日活动")),
    "results_showcase": ("成果交流展示活动", "举办", "交流展示", ("交流展示", "成果展示")),
    "report_meeting": ("报告会", "举办", "报告会", ("报告会", "宣讲会")),
    "other": (
        "活动",
        "举办",
        None,
        ("仪式", "活动", "讲堂", "开放日", "参观", "比赛", "竞赛", "演讲", "朗诵", "志愿服务"),
    ),
}
# The seven capabilities (dangjian.training.capabilities codes) as reports name them.
CAPABILITY_WORDS = {
    "political": "政治能力",
    "research": "调查研究能力",
    "decision": "科学决策能力",
    "reform": "改革攻坚能力",
    "emergency": "应急处突能力",
    "mass_work": "群众工作能力",
    "implementation": "抓落实能力",
}
BRANCH_ENDINGS = ("党支部", "党总支", "支部")


def activity_event_name(activity) -> str:
    """The activity as the report names it: its title, with the genre's noun when the title
    does not already say what kind of activity it is."""
    noun, _verb, _type, _words = ACTIVITY_GENRES.get(activity.type, ACTIVITY_GENRES["other"])
    # One event of several kinds (启动仪式暨论坛): a title naming any of them names the event.
    words = [
        w
        for kind in _kinds(activity)
        for w in ACTIVITY_GENRES.get(kind, ACTIVITY_GENRES["other"])[3]
    ]
    title = re.sub(r"\s+", " ", (activity.title or "").strip()).rstrip("。")
    if any(w in title for w in words):
        return title
    if "“" in title or activity.type == "other":
        return title + noun
    return f"“{title}”{noun}"


def _kinds(activity) -> list[str]:
    return list(activity.types or []) or [activity.type]


def activity_genre_type(activity) -> str | None:
    """The activity type REPORT_SCHEMA.md names for the activity's type (None for 其他)."""
    return ACTIVITY_GENRES.get(activity.type, ACTIVITY_GENRES["other"])[2]


def activity_leaders(activity) -> list[dict]:
    """The leaders JSON, cleaned: [{name, role, entrusted_by, title}] with text values."""
    out = []
    for entry in activity.leaders or ():
        if not isinstance(entry, dict) or not str(entry.get("name", "")).strip():
            continue
        out.append(
            {
                "name": str(entry.get("name", "")).strip(),
                "role": str(entry.get("role", "") or "attended"),
                "entrusted_by": str(entry.get("entrusted_by", "") or "").strip(),
                "title": str(entry.get("title", "") or "").strip(),
            }
        )
    return out


def participant_group_list(activity) -> list[str]:
    """The participant groups, one per line (or separated by ;) of the record's text."""
    text = activity.participant_groups or ""
    parts = re.split(r"[\n;;]+", text)
    return [re.sub(r"[。,,、\s]+$", "", p.strip()) for p in parts if p.strip()]


def _activity_presentations(activity) -> list[tuple[str, str]]:
    return [(label, topic) for label, topic, _unit in _presentation_rows(activity)]


def _presentation_rows(activity) -> list[tuple[str, str, str]]:
    """(presenter, topic, recommending department or unit) in the activity's order."""
    rows = activity.presentations.select_related(
        "organization", "unit", "recommended_by_unit"
    ).order_by("order", "id")
    out = []
    for p in rows:
        label = re.sub(r"\s+", "", p.presenter_label() or "")
        topic = re.sub(r"\s+", " ", (p.topic or "").strip()).strip('“”"。')
        unit = p.recommended_by_unit.name if p.recommended_by_unit_id else ""
        if label:
            out.append((label, topic, unit))
    return out


def _leader_sentences(leaders: list[dict]) -> str:
    """受…委托,X出席并致辞。Y主持活动。Z、W出席活动。 (consecutive attendees grouped)."""
    sentences: list[str] = []
    attended: list[str] = []

    def flush():
        if attended:
            sentences.append("、".join(attended) + "出席活动。")
            attended.clear()

    for leader in leaders:
        who = leader["title"] + leader["name"]
        role = leader["role"]
        if role == "attended":
            attended.append(who)
            continue
        flush()
        if role == "chaired":
            sentences.append(f"{who}主持活动。")
        elif role == "entrusted":
            by = leader["entrusted_by"]
            sentences.append(f"受{by}委托，{who}出席并致辞。" if by else f"{who}出席并致辞。")
        else:  # spoke
            sentences.append(f"{who}出席并讲话。")
    flush()
    return "".join(sentences)


def _presentation_clause(label: str, topic: str, unit: str = "") -> str:
    # The recommending department named with its branch (宣传司推荐的宣传司党支部) unless
    # the branch's name already starts with it (办公厅第三党支部).
    if unit and not label.startswith(unit):
        label = f"{unit}推荐的{label}"
    if not topic:
        return f"{label}作交流发言"
    if "“" in topic or "”" in topic:
        return f"{label}围绕{topic}作交流发言"
    return f"{label}围绕“{topic}”作交流发言"


def _capability_sentence(campaign) -> str:
    """行动以提升政治能力为主，全面提升党员干部A、B和C。 (the main capability first)."""
    chosen = campaign.capabilities or []
    caps = [CAPABILITY_WORDS[c] for c in CAPABILITY_WORDS if c in chosen]
    main = CAPABILITY_WORDS.get(campaign.main_capability or "")
    if main and main in caps:
        others = [c for c in caps if c != main]
        if not others:
            return f"行动以提升党员干部{main}为主。"
        return f"行动以提升{main}为主，全面提升党员干部{_join_and(others)}。"
    if caps:
        return f"行动以提升党员干部{_join_and(caps)}为目标。"
    return ""


def _join_and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "和" + items[-1]


def activity_news_draft(activity) -> str:
    """The report draft for ``activity`` in the style of seed 000 (deterministic)."""
    # The organ itself may organise the event the committee records (广电总局举办…).
    org = activity.organizer_text or activity.organization.name
    _noun, verb, _type, _words = ACTIVITY_GENRES.get(activity.type, ACTIVITY_GENRES["other"])
    event = activity_event_name(activity)
    campaign = activity.campaign
    campaign_name = campaign.name.strip() if campaign else ""

    headline = f"{org}{verb}{event}"
    lead = f"为扎实开展{campaign_name}," if campaign_name and campaign_name not in event else ""
    lead += f"{cn_date(activity.held_on)},{org}"
    venue = (activity.venue or "").strip()
    if venue:
        lead += f"在{venue}"
    lead += f"{verb}{event}。"
    theme = (activity.theme or "").strip().strip('“”"')
    if theme:
        lead += f"活动以“{theme}”为主题。"
    lead += _leader_sentences(activity_leaders(activity))
    groups = participant_group_list(activity)
    if groups:
        count = f",共{activity.participants}人" if activity.participants else ""
        lead += ",".join(groups) + f"参加活动{count}。"
    elif activity.participants:
        lead += f"活动共有{activity.participants}人参加。"

    paragraphs = [headline, lead]
    if campaign_name:
        text = f"此次活动是{campaign_name}的重要内容。"
        parent = campaign.parent.name.strip() if campaign.parent_id else ""
        if parent:
            text += f"{campaign_name}在{parent}中组织开展，是推动{parent}走深走实的重要举措。"
        issuer = (campaign.issued_by_text or "").strip()
        if issuer:
            decided = campaign.organization.short_name or campaign.organization.name
            text += f"{issuer}按照{decided}要求组织开展{campaign_name}。"
        text += _capability_sentence(campaign)
        paragraphs.append(text)

    rows = _presentation_rows(activity)
    if rows:
        n = len(rows)
        branches = all(label.endswith(BRANCH_ENDINGS) for label, _t, _u in rows)
        who = "个党支部" if branches else "个部门单位"
        clauses = [_presentation_clause(label, topic, unit) for label, topic, unit in rows]
        superior = (campaign.superior_body or "").strip() if campaign else ""
        opening = f"按照{superior}有关要求，" if superior else ""
        units = list(dict.fromkeys(u for _l, _t, u in rows if u))
        if n == 1:
            paragraphs.append(f"{opening}活动中，{clauses[0]}。")
        elif units and branches:
            first = units[0] + ("等" if len(units) > 1 else "")
            paragraphs.append(
                f"{opening}{first}{len(units)}个部门单位推荐的党支部在活动中进行交流展示。"
                "其中，" + "；".join(clauses) + "。"
                f"{n}{who}从不同角度作了交流展示，为各级党组织提高基层党建工作质量提供了有益做法。"
            )
        else:
            paragraphs.append(
                f"{opening}活动中，{n}{who}作交流发言。其中，" + "；".join(clauses) + "。"
                f"{n}{who}从不同角度作了交流展示，为各级党组织提高基层党建工作质量提供了有益做法。"
            )
    summary = (activity.summary or "").replace("\r\n", "\n").strip()
    if summary:
        paragraphs.extend(p.strip() for p in re.split(r"\n\s*\n", summary) if p.strip())
    return fullwidth("\n\n".join(paragraphs) + "\n")


def activity_draft_check(activity, text: str) -> list[dict]:
    """What the report parser finds in ``text``, next to the activity's record."""
    from dangjian.reports.parser import parse_report

    parsed = parse_report(text or "")
    leaders = activity_leaders(activity)
    chair = next((x["name"] for x in leaders if x["role"] == "chaired"), None)
    named = [x["name"] for x in leaders if x["role"] != "chaired"]
    found_named = [p["name"] for p in parsed.get("leaders") or [] if p.get("role") != "委托"]
    genre_type = activity_genre_type(activity)
    campaign = activity.campaign.name if activity.campaign_id else None
    rows = [
        ("date", activity.held_on.isoformat(), parsed.get("date")),
        ("organization", activity.organization.name, parsed.get("org")),
        ("kind", genre_type, genre_type if genre_type in parsed.get("activity_types") else None),
        ("venue", (activity.venue or "").strip() or None, parsed.get("venue")),
        ("chair", chair, (parsed.get("chair") or {}).get("name")),
        ("leaders", "、".join(named) or None, "、".join(found_named) or None),
        ("campaign", campaign, parsed.get("campaign")),
        (
            "presentations",
            len(_activity_presentations(activity)),
            len(parsed.get("presenting_units") or []),
        ),
    ]
    out = []
    for f, r, p in rows:
        ok = r == p
        if f == "campaign" and r and p:  # a draft writes full-width what the record may not
            ok = _bare(r) == _bare(p)
        if f == "kind" and genre_type is None:
            ok = True
            p = "、".join(parsed.get("activity_types") or []) or None
        out.append({"field": f, "record": r, "found": p, "ok": ok})
    return out


def _bare(s: str) -> str:
    """For comparing names: without spaces and quotes, full-width folded to half-width."""
    return re.sub(r"[\s“”\"'‘’]", "", unicodedata.normalize("NFKC", s or ""))
