"""From a news report to a saved meeting (从报道导入).

Two halves, both used by the import screen and the API:

* :func:`draft_for` (reads only): parse the text and suggest matches within the user's
  scope — the organization by name, the meeting kind, the chair and attendees among the
  members, topics of the library for the study items, a date.
* :func:`import_meeting` (the write): the corrected draft becomes a meeting, its attendance,
  a study agenda item linking the topics (existing or created), the requirements as
  decisions, and tasks for the requirements the user ticked — in one transaction, through
  the meetings, study and tasks services. Any error refuses the whole import.
* :func:`activity_draft_for` / :func:`import_activity`: the same for an activity report
  (seed 000's kind): type, title, theme, date, venue, organizer, campaign, leaders in their
  roles, participant groups, presentations (presenter matched to an organization or unit
  of the tree, or kept as text) and summary. The activity goes through
  ``campaigns.services.activity_create`` and its presentations through
  ``campaigns.services.presentation_add`` (policy check, validation, audit row each), in
  the same transaction.

:func:`default_record_as` says which of the two a report is saved as by default:
activities, except themed party days and party lectures alone, which are organizational
life (三会一课) and are recorded as meetings.
"""

from __future__ import annotations

import datetime
import difflib
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.typography import fullwidth
from dangjian.meetings import services as meeting_services
from dangjian.meetings.models import (
    AgendaItem,
    AttendanceRole,
    AttendanceStatus,
    Meeting,
    MeetingKind,
)
from dangjian.organizations.models import Organization
from dangjian.organizations.selectors import organization_choices
from dangjian.people.models import Member, PostAssignment
from dangjian.reports import news
from dangjian.reports.parser import parse_report
from dangjian.study import services as study_services
from dangjian.study.models import Topic, TopicKind
from dangjian.study.selectors import topic_list

#: The longest text the import takes (the parser reads the first 60,000 characters).
MAX_TEXT_CHARS = 100_000
#: Uploaded report files larger than this are refused.
MAX_FILE_BYTES = 2 * 1024 * 1024
DEFAULT_TIME = datetime.time(9, 0)
TOPIC_SUGGESTIONS = 5

# The parser's meeting_type / activity_types → our meeting kinds ("" = the user chooses).
KIND_BY_MEETING_TYPE = {
    "党组会议": MeetingKind.LEADING_GROUP_MEETING,
    "党组理论学习中心组学习": MeetingKind.THEORY_STUDY_GROUP,
    "党委理论学习中心组学习": MeetingKind.THEORY_STUDY_GROUP,
    "支部委员会": MeetingKind.BRANCH_COMMITTEE,
    "支部党员大会": MeetingKind.BRANCH_ASSEMBLY,
}
KIND_BY_ACTIVITY_TYPE = {
    "主题党日": MeetingKind.THEMED_PARTY_DAY,
    "专题党课": MeetingKind.PARTY_LECTURE,
}
# The parser's activity_types → campaigns.ActivityType (anything else is "other").
ACTIVITY_TYPE_BY_PARSED = {
    "启动仪式": "launch_ceremony",
    "论坛": "forum",
    "主题党日": "themed_party_day",
    "专题培训": "special_training",
    "交流展示": "results_showcase",
    "报告会": "report_meeting",
}
# The parser's roles → campaigns.LeaderRole (委托 is handled apart: the one who entrusts).
LEADER_ROLE_BY_PARSED = {
    "主持": "chaired",
    "致辞": "spoke",
    "讲话": "spoke",
    "发言": "spoke",
    "授课": "spoke",
    "报告": "spoke",
    "点评": "spoke",
    "领学": "spoke",
    "宣读": "spoke",
    "宣布": "spoke",
}
RECORD_MEETING = "meeting"
RECORD_ACTIVITY = "activity"


class Study:
    LINK = "link"
    CREATE = "create"
    SKIP = "skip"


class Target:
    STUDY = "study"
    DELIBERATION = "deliberation"
    SKIP = "skip"


@dataclass
class StudyChoice:
    """What to do with one parsed study item: link a topic, create one, or skip it."""

    action: str
    topic: Topic | None = None
    title: str = ""
    kind: str = ""
    given_on: datetime.date | None = None


@dataclass
class MeasureChoice:
    """One parsed requirement: a decision of the study or of a deliberation item (or
    skipped), optionally turned into a task."""

    text: str
    target: str = Target.STUDY
    task: bool = False
    lead_unit: object = None
    deadline: datetime.date | None = None


@dataclass
class Draft:
    """The parsed record and the suggestions made for the user (nothing saved)."""

    text: str
    record: dict
    organization: Organization | None = None
    kind: str = ""
    starts_at: datetime.datetime | None = None
    chair: Member | None = None
    chair_name: str = ""
    attendees: list[Member] = field(default_factory=list)
    unmatched_leaders: list[dict] = field(default_factory=list)
    topic_suggestions: list[list[Topic]] = field(default_factory=list)
    observers: list[Member] = field(default_factory=list)
    topic_kinds: list[str] = field(default_factory=list)

    @property
    def is_activity(self) -> bool:
        return self.record.get("kind") == "activity"


# Reading: parse and suggest


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"[\s\u3000“”\"'‘’（）()]", "", name)


def match_organization(user, name: str) -> Organization | None:
    """The organization (within MEETING_MANAGE scope) whose name the report gives."""
    choices = list(organization_choices(user=user, action=Action.MEETING_MANAGE))
    wanted = _clean(name)
    if wanted:
        for org in choices:
            if wanted in {_clean(org.name), _clean(org.short_name or "")}:
                return org
        contained = [
            o
            for o in choices
            if _clean(o.name) and (_clean(o.name) in wanted or wanted in _clean(o.name))
        ]
        if len(contained) == 1:
            return contained[0]
    return choices[0] if len(choices) == 1 else None


def kind_for(record: dict) -> str:
    kind = KIND_BY_MEETING_TYPE.get(record.get("meeting_type") or "", "")
    if not kind:
        for activity in record.get("activity_types") or ():
            if activity in KIND_BY_ACTIVITY_TYPE:
                return KIND_BY_ACTIVITY_TYPE[activity]
    return kind


_FULL_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")


def text_year(
    text: str, month: int, day: int, inferred: dict | None = None
) -> tuple[int | None, datetime.date | None]:
    """(the year the text gives for a month-day event, the text's latest full date).

    The rule (docs/architecture.md, "Import"): a full date in the text (a dateline or the
    publication line, 2023年12月28日 / 2023-12-28) gives the year — the event's month-day in
    that year, or the year before when it would come after that date; failing that, the
    parser's ``inferred_year`` when an anniversary gives it (纪念毛泽东同志诞辰130周年 →
    1893 + 130 = 2023; the table is the parser's, ``parser.lexicon.BIRTH_YEARS``)."""
    text = unicodedata.normalize("NFKC", text or "")
    dates = []
    for y, m, d in _FULL_DATE.findall(text):
        try:
            dates.append(datetime.date(int(y), int(m), int(d)))
        except ValueError:
            continue
    if dates:
        latest = max(dates)
        try:
            event = datetime.date(latest.year, month, day)
        except ValueError:
            return None, latest
        return (latest.year if event <= latest else latest.year - 1), latest
    if inferred and inferred.get("source") == "anniversary":
        return int(inferred["year"]), None
    return None, None


def date_for(record: dict, today: datetime.date, text: str = "") -> datetime.date | None:
    """The event's date. A date without year takes the year the text gives (text_year);
    else this year's, or last year's when it would lie in the future. Never after today."""
    value = record.get("date") or ""
    try:
        if value.startswith("--"):
            month, day = int(value[2:4]), int(value[5:7])
            year, _latest = text_year(text, month, day, record.get("inferred_year"))
            if year is not None and datetime.date(year, month, day) <= today:
                return datetime.date(year, month, day)
            date = datetime.date(today.year, month, day)
            if date > today:
                date = datetime.date(today.year - 1, month, day)
            return date
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def fold(text: str) -> str:
    """Text for matching: full and half width alike (NFKC), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def topic_kind_for(title: str) -> str:
    if "讲话" in title:
        return TopicKind.SPEECH
    if "指示" in title or "批示" in title:
        return TopicKind.INSTRUCTION
    if "会议" in title or "会精神" in title or "全会" in title:
        return TopicKind.CONFERENCE
    if "部署要求" in title or "文件" in title or "条例" in title or "意见" in title:
        return TopicKind.DOCUMENT
    return TopicKind.OTHER


def member_candidates(user, organization: Organization | None):
    """Members a name may be matched to: visible to the user, current, and in the
    organization's subtree or holding one of its posts (the leading group's members)."""
    qs = Member.objects.restrict(user, Action.MEMBER_VIEW).current()
    if organization is not None:
        qs = qs.filter(
            Q(organization__path__startswith=organization.path)
            | Q(
                pk__in=PostAssignment.objects.filter(
                    organization=organization, ended_on__isnull=True
                ).values("member_id")
            )
        )
    return qs


def _by_name(candidates, names: Sequence[str]) -> dict[str, Member]:
    found: dict[str, Member] = {}
    for member in candidates.filter(name__in=[n for n in names if n]).order_by("name", "id"):
        found.setdefault(member.name, member)  # the first when two share a name
    return found


def draft_for(
    *, user, text: str = "", record: dict | None = None, organization: Organization | None = None
) -> Draft:
    """Parse ``text`` (or take a ``record`` already parsed) and suggest matches. Reads only."""
    record = parse_report(text) if record is None else record
    today = timezone.localdate()
    if organization is None:
        organization = match_organization(user, record.get("org") or "")
    draft = Draft(text=text, record=record, organization=organization, kind=kind_for(record))
    date = date_for(record, today, text)
    if date is not None:
        draft.starts_at = timezone.make_aware(datetime.datetime.combine(date, DEFAULT_TIME))
    chair = record.get("chair") or {}
    leaders = record.get("leaders") or []
    candidates = member_candidates(user, organization)
    found = _by_name(candidates, [chair.get("name", "")] + [p.get("name", "") for p in leaders])
    if chair.get("name"):
        draft.chair = found.get(chair["name"])
        if draft.chair is None:
            draft.chair_name = chair["name"][:50]
    for person in leaders:
        member = found.get(person.get("name", ""))
        if member is not None and person.get("role") == "列席" and member != draft.chair:
            draft.observers.append(member)  # 列席, read from the text
        elif member is not None and member not in draft.attendees and member != draft.chair:
            draft.attendees.append(member)
        elif member is None and person.get("name"):
            draft.unmatched_leaders.append(
                {"name": person["name"], "title": person.get("titles") or ""}
            )
    if draft.chair is not None:
        draft.attendees.insert(0, draft.chair)
    on = date or today
    recent = _recent_topics(user, on) if record.get("study_items") else []
    for title in record.get("study_items") or ():
        draft.topic_suggestions.append(topic_suggestions(user, title, on, recent=recent))
        draft.topic_kinds.append(topic_kind_for(title))
    return draft


_BLOCK_LEAD = re.compile(r"^(会议指出|会议强调|会议要求|会议认为)[，,:：]\s*")


def _numbered_split(body: str) -> tuple[str, list[str]]:
    """(prose, numbered measures): the body cut at 一要, 二要 … in sequence (a 要 sentence
    after 二要 that is not 三要 stays with 二要)."""
    cuts = []
    pos = 0
    k = 1
    while True:
        found = body.find(f"{news.cn_number(k)}要", pos)
        if found < 0 or (k == 1 and found > 0 and body[found - 1] not in "。；;！"):
            break
        cuts.append(found)
        pos, k = found + 2, k + 1
    if not cuts:
        return body, []
    bounds = [*cuts, len(body)]
    return body[: cuts[0]], [body[a:b] for a, b in itertools.pairwise(bounds)]


def _shared(a: str, b: str) -> int:
    match = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(
        0, len(a), 0, len(b)
    )
    return match.size


_GENERIC = re.compile(r"重要讲话|重要指示批示|重要指示|精神|部署要求|作出的|作出|时的|上的|的")


def _answers(topic_title: str, block_text: str) -> bool:
    """Whether a block names a topic: the title's own words (speaker and the genre's generic
    words — 重要讲话, 精神, 的 … — removed) share a run of six characters, or all of them,
    with the block; width and spaces not counted."""
    title = re.sub(r"^(习近平总书记|习近平同志|习近平|李强总理|李强)", "", fold(topic_title))
    core = _GENERIC.sub("", title)
    return bool(core) and _shared(core, fold(block_text)) >= min(6, len(core))


def blocks_from_text(text: str, topics: Sequence[Topic]) -> list[dict]:
    """The blocks a report states (paragraphs opening 会议指出 / 强调 / 要求 / 认为): kind,
    prose verbatim, the topics it names, and its numbered measures (一要…) verbatim.
    Unnumbered measures are words of the prose no reader can pick out: the office adds them
    on the agenda item."""
    from dangjian.meetings.statements import KIND_BY_LEAD, measure_number

    blocks = []
    for paragraph in re.split(r"\n\s*\n|\n", text or ""):
        paragraph = fullwidth(paragraph.strip())
        lead = _BLOCK_LEAD.match(paragraph)
        if not lead:
            continue
        prose, numbered = _numbered_split(paragraph[lead.end() :])
        blocks.append(
            {
                "kind": KIND_BY_LEAD[lead.group(1)],
                "prose": prose.strip(),
                "topics": [t for t in topics if _answers(t.title, paragraph)],
                "measures": [
                    {"text": m.strip(), "number": measure_number(m)} for m in numbered if m.strip()
                ],
            }
        )
    return blocks


def _recent_topics(user, on: datetime.date) -> list[Topic]:
    return list(
        Topic.objects.restrict(user, Action.MEETING_VIEW)
        .filter(given_on__lte=on, given_on__gte=on - datetime.timedelta(days=3 * 365))
        .order_by("-given_on", "-id")[:2000]
    )


def topic_suggestions(user, title: str, on: datetime.date, recent=None) -> list[Topic]:
    """Topics of the library a study item may be: only those given on or before the meeting
    ``on``; first those whose title matches with width and spaces not counted, then the
    library search's."""
    wanted = fold(title).removesuffix("精神")
    if recent is None:
        recent = _recent_topics(user, on)
    exact = [t for t in recent if wanted and (wanted in fold(t.title) or fold(t.title) in wanted)]
    searched = [t for t in topic_list(user=user, q=title)[:50] if t.given_on <= on]
    return list(dict.fromkeys(exact + searched))[:TOPIC_SUGGESTIONS]


def highlight(text: str, record: dict) -> list[tuple[str, str]]:
    """``text`` cut into (piece, field) segments; ``field`` names the extracted value the
    piece is (``""`` for plain text). Spans come from the parser; a value without a span is
    found by its first occurrence. Overlaps keep the value listed first."""
    spans = record.get("spans") or {}
    wanted: list[tuple[str, str, list | None]] = []
    chair = record.get("chair") or {}
    if chair.get("name"):
        wanted.append(("chair", chair["name"], (spans.get("chair") or [None])[0]))
    for key, prefix in (("leaders", "leader"), ("study_items", "study"), ("measures", "measure")):
        values = record.get(key) or []
        for i, value in enumerate(values):
            value = value.get("name", "") if isinstance(value, dict) else value
            span_list = spans.get(key) or []
            wanted.append((f"{prefix}-{i}", value, span_list[i] if i < len(span_list) else None))
    for key in ("date", "venue", "meeting_type", "title", "org"):
        value = record.get(key)
        span_list = spans.get(key) or []
        if span_list:
            for span in span_list:
                wanted.append((key, "", span))
        elif isinstance(value, str) and value:
            wanted.append((key, value, None))
    taken: list[tuple[int, int, str]] = []
    for name, value, span in wanted:
        if span:
            start, end = int(span[0]), int(span[1])
        elif value:
            start = text.find(value)
            if start < 0:
                continue
            end = start + len(value)
        else:
            continue
        if not 0 <= start < end <= len(text):
            continue
        if any(start < e and s < end for s, e, _n in taken):
            continue
        taken.append((start, end, name))
    taken.sort()
    segments: list[tuple[str, str]] = []
    pos = 0
    for start, end, name in taken:
        if start > pos:
            segments.append((text[pos:start], ""))
        segments.append((text[start:end], name))
        pos = end
    if pos < len(text):
        segments.append((text[pos:], ""))
    return segments


# Writing: the corrected draft becomes a meeting


def _prefixed(prefix: str, exc: ValidationError) -> ValidationError:
    return ValidationError([f"{prefix}{message}" for message in exc.messages])


def study_item_title(titles: Sequence[str]) -> str:
    title = _("Study: %(items)s") % {"items": "、".join(titles)}
    return title if len(title) <= 300 else title[:299] + "…"


@transaction.atomic
def import_meeting(
    *,
    actor,
    organization: Organization,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    venue: str = "",
    chair: Member | None = None,
    chair_name: str = "",
    attendees: Sequence[Member] = (),
    invited_leaders: Sequence[dict] = (),
    study: Sequence[StudyChoice] = (),
    study_titles: Sequence[str] = (),
    measures: Sequence[MeasureChoice] = (),
    deliberation_title: str = "",
    summary: str = "",
    observers: Sequence[Member] = (),
    text: str = "",
    now: datetime.datetime | None = None,
) -> Meeting:
    """Save the corrected draft as a meeting. All or nothing: a ValidationError (or
    PermissionDenied) leaves the database as it was. ``text``: the report, whose blocks
    (会议指出……) become the study item's blocks when its numbered requirements are the
    study item's measures. A report already recorded (same organization, day and title)
    raises AlreadyRecorded instead of making a second record."""
    if organization is None:
        raise ValidationError({"organization": _("Choose the organization holding the meeting.")})
    if not policy.can(actor, Action.MEETING_MANAGE, organization):
        raise PermissionDenied
    existing = (
        Meeting.objects.restrict(actor, Action.MEETING_VIEW)
        .filter(
            organization=organization,
            title=title,
            starts_at__date=timezone.localtime(starts_at).date(),
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .first()
    )
    if existing is not None:
        raise AlreadyRecorded(existing)
    now = now or timezone.now()
    # Everything that can be checked before writing is checked first, all at once.
    errors: list[str] = []
    for i, m in enumerate(measures, start=1):
        if m.task and m.target == Target.SKIP:
            errors.append(
                _("Requirement %(n)d: a skipped requirement cannot become a task.") % {"n": i}
            )
        if m.task and m.deadline is None:
            errors.append(_("Requirement %(n)d: enter the task's deadline.") % {"n": i})
        if m.task and m.lead_unit is None:
            errors.append(_("Requirement %(n)d: choose the task's lead unit.") % {"n": i})
    for i, s in enumerate(study, start=1):
        if s.action == Study.LINK and s.topic is None:
            errors.append(_("Study item %(n)d: choose the topic to link.") % {"n": i})
        if s.action == Study.CREATE and not policy.can(actor, Action.TOPIC_MANAGE):
            errors.append(
                _("Study item %(n)d: you may not add topics to the library; link one.") % {"n": i}
            )
    if errors:
        raise ValidationError(errors)

    meeting = meeting_services.meeting_create(
        actor=actor,
        organization=organization,
        kind=kind,
        title=title,
        starts_at=starts_at,
        venue=venue,
        chair=chair,
        chair_name=chair_name,
        invited_leaders=invited_leaders,
        summary=summary,
    )
    if attendees or observers:
        status = AttendanceStatus.PRESENT if starts_at <= now else AttendanceStatus.EXPECTED
        observing = [m for m in dict.fromkeys(observers) if m not in attendees]
        meeting_services.attendance_record(
            actor=actor,
            meeting=meeting,
            entries=[{"member": m, "status": status} for m in dict.fromkeys(attendees)]
            + [
                {"member": m, "status": status, "role": AttendanceRole.OBSERVING} for m in observing
            ],
            now=now,
        )

    topics: list[Topic] = []
    for i, s in enumerate(study, start=1):
        if s.action == Study.LINK:
            if s.topic not in topics:
                topics.append(s.topic)
        elif s.action == Study.CREATE:
            try:
                topic = study_services.topic_create(
                    actor=actor,
                    kind=s.kind,
                    title=s.title,
                    given_on=s.given_on,
                    source=_("Imported from a news report"),
                )
            except ValidationError as exc:
                raise _prefixed(_("Study item %(n)d: ") % {"n": i}, exc) from None
            topics.append(topic)

    by_target: dict[str, list[tuple[int, MeasureChoice]]] = {
        Target.STUDY: [],
        Target.DELIBERATION: [],
    }
    for i, m in enumerate(measures, start=1):
        if m.target in by_target and m.text.strip():
            by_target[m.target].append((i, m))

    items: list[tuple[AgendaItem, list[tuple[int, MeasureChoice]]]] = []
    if topics or by_target[Target.STUDY]:
        titles = [t.title for t in topics] or list(study_titles)
        blocks = blocks_from_text(text, topics)
        numbered = [m for b in blocks for m in b["measures"]]
        # The text's blocks replace the flat list when they state the same requirements.
        structured = bool(blocks) and len(numbered) == len(by_target[Target.STUDY])
        item = meeting_services.agenda_item_add(
            actor=actor,
            meeting=meeting,
            kind=AgendaItem.Kind.STUDY,
            title=study_item_title(titles) if titles else _("Study"),
            topics=topics,
            decisions=[m.text for _i, m in by_target[Target.STUDY]],
            blocks=blocks if structured else None,
        )
        items.append((item, by_target[Target.STUDY]))
    if by_target[Target.DELIBERATION]:
        item = meeting_services.agenda_item_add(
            actor=actor,
            meeting=meeting,
            kind=AgendaItem.Kind.DELIBERATION,
            title=deliberation_title or _("Measures to implement what was studied"),
            decisions=[m.text for _i, m in by_target[Target.DELIBERATION]],
        )
        items.append((item, by_target[Target.DELIBERATION]))

    for item, entries in items:
        for index, (n, m) in enumerate(entries):
            if not m.task:
                continue
            try:
                meeting_services.decision_to_tasks(
                    actor=actor,
                    item=item,
                    decision_index=index,
                    tasks=[
                        {
                            "title": m.text.strip()[:300],
                            "deadline": m.deadline,
                            "lead_unit": m.lead_unit,
                        }
                    ],
                )
            except ValidationError as exc:
                raise _prefixed(_("Requirement %(n)d: ") % {"n": n}, exc) from None
    if starts_at <= now:
        # A news report tells of a meeting that took place.
        meeting_services.meeting_mark_held(actor=actor, meeting=meeting, now=now)
    meeting.refresh_from_db()
    return meeting


class AlreadyRecorded(ValidationError):
    """The report is already recorded: ``record`` is the existing meeting (or activity)."""

    def __init__(self, record):
        self.record = record
        super().__init__(
            _("This report is already recorded: %(title)s.") % {"title": str(record)},
            code="already_recorded",
        )


# Activities: reading


@dataclass
class LeaderChoice:
    """One leader present, as ``Activity.leaders`` stores it."""

    name: str
    role: str = "attended"
    title: str = ""
    entrusted_by: str = ""

    def as_json(self) -> dict:
        return {
            "name": self.name.strip(),
            "title": self.title.strip(),
            "role": self.role,
            "entrusted_by": self.entrusted_by.strip() if self.role == "entrusted" else "",
        }


@dataclass
class PresentationChoice:
    """One presentation: a presenting organization or unit of the tree, or a name as text."""

    topic: str
    presenter: str = ""
    organization: Organization | None = None
    unit: object = None
    include: bool = True
    recommended_by_unit: object = None


@dataclass
class ActivityDraft:
    """The suggestions for an activity read from a report (nothing saved)."""

    type: str = "other"
    types: list[str] = field(default_factory=list)
    organizer_text: str = ""
    title: str = ""
    theme: str = ""
    held_on: datetime.date | None = None
    venue: str = ""
    organization: Organization | None = None
    campaign: object = None
    leaders: list[LeaderChoice] = field(default_factory=list)
    participant_groups: str = ""
    presentations: list[PresentationChoice] = field(default_factory=list)
    summary: str = ""


def default_record_as(record: dict) -> str:
    if record.get("kind") != "activity":
        return RECORD_MEETING
    types = record.get("activity_types") or []
    if types and all(t in KIND_BY_ACTIVITY_TYPE for t in types):
        return RECORD_MEETING
    return RECORD_ACTIVITY


def activity_type_for(record: dict) -> str:
    return activity_types_for(record)[0]


def activity_types_for(record: dict) -> list[str]:
    """Every kind the report names, in its order (启动仪式暨论坛: ceremony, forum)."""
    kinds = [
        ACTIVITY_TYPE_BY_PARSED[t]
        for t in record.get("activity_types") or ()
        if t in ACTIVITY_TYPE_BY_PARSED
    ]
    return list(dict.fromkeys(kinds)) or ["other"]


def organizer_text_for(record: dict, organization: Organization | None) -> str:
    """The body the report says held the event (广电总局举办…) when it is not the party
    organization that records it."""
    named = (record.get("org") or "").strip()
    if not named or organization is None:
        return named[:100] if organization is None else ""
    if _clean(named) in {_clean(organization.name), _clean(organization.short_name)}:
        return ""
    return named[:100]


def recommending_unit(organization, unit):
    """The department, or the directly affiliated unit above a division, behind a
    presenting branch or unit (办公厅等10个部门单位推荐的党支部)."""
    from dangjian.organizations.models import UnitKind

    unit = unit or (organization.unit if organization is not None else None)
    if unit is None:
        return None
    return unit.parent if unit.kind == UnitKind.DIVISION and unit.parent_id else unit


_EVENT_VERB_LEAD = re.compile(r"^(?:成功)?(?:举办|举行|开展|召开|组织开展|组织|启动)(?:了)?")


def activity_title_for(record: dict, org_name: str = "") -> str:
    """The headline without the organizer and the verb (广电总局举办X → X)."""
    title = (record.get("title") or "").strip()
    for prefix in (record.get("org") or "", org_name):
        if prefix and title.startswith(prefix):
            title = title[len(prefix) :]
            break
    title = _EVENT_VERB_LEAD.sub("", title).strip()
    return (title or (record.get("title") or ""))[:200]


def leaders_for(record: dict) -> list[LeaderChoice]:
    """The parsed people as leaders in their roles: the chair chaired; "受A委托,B…" makes B
    entrusted by A (A, who was not there, is not a leader present)."""
    out: list[LeaderChoice] = []
    chair = record.get("chair") or {}
    if chair.get("name"):
        out.append(LeaderChoice(chair["name"], "chaired", chair.get("titles") or ""))
    entrusting = ""
    for person in record.get("leaders") or ():
        name = (person.get("name") or "").strip()
        if not name:
            continue
        titles = (person.get("titles") or "").strip()
        if person.get("role") == "委托":
            entrusting = titles + name
            continue
        if entrusting:
            out.append(LeaderChoice(name, "entrusted", titles, entrusting))
            entrusting = ""
            continue
        role = LEADER_ROLE_BY_PARSED.get(person.get("role") or "", "attended")
        out.append(LeaderChoice(name, role, titles))
    return out


def match_campaign(user, name: str):
    """A campaign the user can see whose name the report gives (None when unsure)."""
    from dangjian.campaigns.models import Campaign

    wanted = _clean(name)
    if not wanted:
        return None
    campaigns = list(Campaign.objects.restrict(user, Action.MEETING_VIEW).distinct())
    exact = [c for c in campaigns if _clean(c.name) == wanted]
    if len(exact) == 1:
        return exact[0]
    contained = [c for c in campaigns if _clean(c.name) in wanted or wanted in _clean(c.name)]
    return contained[0] if len(contained) == 1 else None


def match_presenter(user, name: str):
    """(organization, unit) of the tree the presenter's name gives, or (None, None)."""
    from dangjian.organizations.models import Unit

    wanted = _clean(name)
    if not wanted:
        return None, None
    orgs = list(
        Organization.objects.restrict(user, Action.MEETING_VIEW).filter(
            Q(name=name) | Q(short_name=name)
        )[:2]
    )
    if len(orgs) == 1:
        return orgs[0], None
    units = list(Unit.objects.filter(name=name)[:2])
    if len(units) == 1:
        return None, units[0]
    return None, None


def summary_for(text: str, record: dict) -> str:
    """The report's closing paragraph (furniture left out), as a starting summary."""
    furniture = [tuple(s) for s in record.get("furniture") or ()]
    best = ""
    pos = 0
    for line in (text or "").split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        piece = line.strip()
        if len(piece) < 20 or not re.search(r"[\u4e00-\u9fff]", piece):
            continue
        if any(a < end and start < b for a, b in furniture):
            continue
        if record.get("title") and piece.replace(" ", "") == record["title"].replace(" ", ""):
            continue
        best = piece
    return best[:2000]


def activity_draft_for(*, user, draft: Draft) -> ActivityDraft:
    """Suggestions for saving ``draft`` (a parsed report) as an activity. Reads only."""
    record = draft.record
    org = draft.organization
    presentations = []
    for entry in record.get("presentations") or [
        {"unit": u, "topic": None} for u in record.get("presenting_units") or ()
    ]:
        unit_name = entry.get("unit") or ""
        organization, unit = match_presenter(user, unit_name)
        presentations.append(
            PresentationChoice(
                topic=(entry.get("topic") or "")[:200],
                presenter=unit_name[:100],
                organization=organization,
                unit=unit,
            )
        )
    groups = record.get("participant_groups") or []
    types = activity_types_for(record)
    return ActivityDraft(
        type=types[0],
        types=types,
        organizer_text=organizer_text_for(record, org),
        title=activity_title_for(record, org.name if org else ""),
        theme=(record.get("theme") or "")[:200],
        held_on=draft.starts_at.date() if draft.starts_at else None,
        venue=(record.get("venue") or "")[:200],
        organization=org,
        campaign=match_campaign(user, record.get("campaign") or ""),
        leaders=leaders_for(record),
        participant_groups="\n".join(groups),
        presentations=presentations,
        summary=summary_for(draft.text, record),
    )


# Activities: writing


@transaction.atomic
def import_activity(
    *,
    actor,
    organization: Organization | None,
    type: str,
    title: str,
    held_on: datetime.date | None,
    types: Sequence[str] = (),
    organizer_text: str = "",
    theme: str = "",
    venue: str = "",
    campaign=None,
    leaders: Sequence[LeaderChoice] = (),
    participant_groups: str = "",
    presentations: Sequence[PresentationChoice] = (),
    summary: str = "",
):
    """Save the corrected draft as an activity with its presentations. All or nothing."""
    from dangjian.campaigns import services as campaign_services
    from dangjian.campaigns.models import Campaign

    if organization is None:
        raise ValidationError({"organization": _("Choose the organization holding the activity.")})
    if not policy.can(actor, Action.MEETING_MANAGE, organization):
        raise PermissionDenied
    if held_on is None:
        raise ValidationError({"held_on": _("Enter the date of the activity.")})
    if (
        campaign is not None
        and not Campaign.objects.restrict(actor, Action.MEETING_VIEW)
        .filter(pk=campaign.pk)
        .exists()
    ):
        raise ValidationError({"campaign": _("Choose a campaign you can see.")})
    errors: list[str] = []
    chosen = [p for p in presentations if p.include]
    for i, p in enumerate(chosen, start=1):
        if not (p.topic or "").strip():
            errors.append(_("Presentation %(n)d: enter its topic.") % {"n": i})
        if p.organization is None and p.unit is None and not (p.presenter or "").strip():
            errors.append(_("Presentation %(n)d: name who presented.") % {"n": i})
        if p.organization is not None and not policy.can(
            actor, Action.MEETING_VIEW, p.organization
        ):
            errors.append(_("Presentation %(n)d: choose an organization you can see.") % {"n": i})
    if errors:
        raise ValidationError(errors)

    kinds = [type, *(t for t in types if t != type)] if type else list(types)
    activity = campaign_services.activity_create(
        actor=actor,
        type=type,
        types=kinds,
        organizer_text=(organizer_text or "").strip(),
        title=title,
        theme=theme,
        held_on=held_on,
        venue=venue,
        organization=organization,
        campaign=campaign,
        summary=summary,
        leaders=[leader.as_json() for leader in leaders if leader.name.strip()],
        participant_groups=participant_groups,
    )
    for i, p in enumerate(chosen, start=1):
        try:
            campaign_services.presentation_add(
                actor=actor,
                activity=activity,
                order=i,
                topic=p.topic,
                organization=p.organization,
                unit=p.unit if p.organization is None else None,
                recommended_by_unit=p.recommended_by_unit
                or recommending_unit(p.organization, p.unit),
                presenter="" if (p.organization is not None or p.unit is not None) else p.presenter,
                note="imported from a news report",
            )
        except ValidationError as exc:
            raise _prefixed(_("Presentation %(n)d: ") % {"n": i}, exc) from None
    return activity
