"""Reads of the topic library and of who studied what, always through the user's scope.

The library itself is open to everyone who may see meetings anywhere. *Who
studied a topic* comes from the agenda items of held meetings and is scoped
like the meetings: ``Meeting.objects.restrict(user, MEETING_VIEW)``. A topic
counts as studied by an organization on the date of its first held meeting
whose agenda links the topic.

Every function here runs a fixed handful of queries whatever the number of
topics, organizations or meetings (the counting is done on the rows of one
grouped query, in Python).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Min, Q, QuerySet, Value, When
from django.utils import timezone

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.meetings.models import AgendaItem, Meeting
from dangjian.organizations.models import Organization, OrganizationKind

from . import search
from .models import Topic

K = OrganizationKind
# Organizations expected to study topics (party groups study with their branch).
DEFAULT_KINDS = (K.LEADING_GROUP, K.COMMITTEE, K.ORGAN_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH)
# Bodies whose study makes a topic "to be conveyed" (待传达) for everything below them.
CONVEYING_KINDS = (K.LEADING_GROUP, K.COMMITTEE, K.ORGAN_COMMITTEE)
DEFAULT_WINDOWS = (7, 15, 30)
MAX_WINDOWS = 6
MAX_WINDOW_DAYS = 366

_Through = AgendaItem.topics.through


def study_windows() -> tuple[int, ...]:
    """The windows (days) of the coverage overview: setting STUDY_WINDOWS_DAYS or 7/15/30."""
    return tuple(getattr(settings, "STUDY_WINDOWS_DAYS", DEFAULT_WINDOWS)) or DEFAULT_WINDOWS


def parse_windows(value: str | None) -> tuple[int, ...]:
    """Windows from a query parameter ("7,15,30"); bad or empty input gives the defaults."""
    days: list[int] = []
    for part in (value or "").replace("，", ",").split(","):
        part = part.strip()
        if not part.isdigit():
            continue
        n = int(part)
        if 1 <= n <= MAX_WINDOW_DAYS and n not in days:
            days.append(n)
    return tuple(sorted(days)[:MAX_WINDOWS]) or study_windows()


# The library


def topic_list(
    *,
    user,
    q: str = "",
    kind: str = "",
    tag: str = "",
    given_from: datetime.date | None = None,
    given_to: datetime.date | None = None,
) -> QuerySet[Topic]:
    """Topics the user may read, filtered; with ``q``, title matches first, then newest.

    ``q`` matches as a substring of the folded title + text, or as keywords:
    every word of its segmentation must be a word of the topic.
    """
    qs = Topic.objects.restrict(user, Action.MEETING_VIEW).defer(
        "text", "search_text", "search_words"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        folded_tag = search.fold(tag)
        if folded_tag:
            qs = qs.filter(tag_index__contains=f"|{folded_tag}|")
    if given_from:
        qs = qs.filter(given_on__gte=given_from)
    if given_to:
        qs = qs.filter(given_on__lte=given_to)
    folded = search.fold(q)
    if not folded:
        return qs.order_by("-given_on", "-id")
    # The columns are folded (lower case, NFKC, no spaces) and so is the query:
    # a case-sensitive LIKE is exact here, and PostgreSQL's trigram index serves it.
    substring = Q(search_text__contains=folded)
    keywords = search.words(q)
    match = substring
    if keywords:
        every_word = Q()
        for word in keywords:
            every_word &= Q(search_words__contains=f" {word} ")
        match |= every_word
    title = (q or "").strip()
    return (
        qs.filter(match)
        .annotate(
            relevance=Case(
                When(title__icontains=title, then=Value(0)),
                When(substring, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("relevance", "-given_on", "-id")
    )


def topic_tags(*, user, limit: int = 200) -> list[str]:
    """The tags in use, most used first (for the filter's choices)."""
    counts: dict[str, int] = {}
    for tags in Topic.objects.restrict(user, Action.MEETING_VIEW).values_list("tags", flat=True):
        for tag in tags or []:
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts, key=lambda t: (-counts[t], t))[:limit]


def topic_get(*, user, pk) -> Topic:
    return (
        Topic.objects.restrict(user, Action.MEETING_VIEW)
        .select_related("added_by")
        .prefetch_related("attachments")
        .get(pk=pk)
    )


# Who studied what


@dataclass(frozen=True)
class StudyRecord:
    organization: Organization
    meeting: Meeting
    studied_on: datetime.date
    days_after_given: int


@dataclass(frozen=True)
class PendingOrganization:
    organization: Organization
    # Set when a leading group or committee above it has studied the topic.
    conveyed_from: str = ""
    conveyed_on: datetime.date | None = None

    @property
    def to_be_conveyed(self) -> bool:
        return bool(self.conveyed_from)


def _held_meetings(user, root: Organization | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.restrict(user, Action.MEETING_VIEW).held()
    if root is not None:
        qs = qs.filter(organization__path__startswith=root.path)
    return qs


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def topic_study_records(
    *, user, topic: Topic, root: Organization | None = None
) -> list[StudyRecord]:
    """Each organization in scope that studied ``topic``, with its first held meeting on it."""
    rows = (
        _Through.objects.filter(
            topic_id=topic.pk, agendaitem__meeting__in=_held_meetings(user, root)
        )
        .select_related("agendaitem__meeting__organization")
        .order_by("agendaitem__meeting__starts_at", "agendaitem__meeting_id")
    )
    records: dict[int, StudyRecord] = {}
    for row in rows:
        meeting = row.agendaitem.meeting
        if meeting.organization_id in records:
            continue
        day = _day(meeting.starts_at)
        records[meeting.organization_id] = StudyRecord(
            organization=meeting.organization,
            meeting=meeting,
            studied_on=day,
            days_after_given=(day - topic.given_on).days,
        )
    return sorted(records.values(), key=lambda r: (r.studied_on, r.organization.path))


def _scoped_organizations(user, root: Organization | None, kinds) -> QuerySet[Organization]:
    qs = Organization.objects.restrict(user, Action.MEETING_VIEW).active()
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    return qs.filter(kind__in=list(kinds or DEFAULT_KINDS)).order_by("path")


def _conveying_studies(topic_ids, ancestor_paths: Iterable[str] | None = None):
    """(topic id, path, name, first day) of the conveying bodies' held study, earliest first.

    Deliberately not scoped by the user: that a superior body studied a topic
    (its name and the day) is what makes the topic due below it; nothing else
    of its meetings is shown.
    """
    qs = _Through.objects.filter(
        agendaitem__meeting__status=Meeting.Status.HELD,
        agendaitem__meeting__organization__kind__in=CONVEYING_KINDS,
    )
    qs = qs.filter(topic_id__in=topic_ids)
    if ancestor_paths is not None:
        qs = qs.filter(agendaitem__meeting__organization__path__in=list(ancestor_paths))
    rows = (
        qs.values(
            "topic_id",
            "agendaitem__meeting__organization__path",
            "agendaitem__meeting__organization__name",
        )
        .annotate(first=Min("agendaitem__meeting__starts_at"))
        .order_by("first")
    )
    return [
        (
            r["topic_id"],
            r["agendaitem__meeting__organization__path"],
            r["agendaitem__meeting__organization__name"],
            _day(r["first"]),
        )
        for r in rows
    ]


def topic_pending_organizations(
    *,
    user,
    topic: Topic,
    root: Organization | None = None,
    kinds: Sequence[str] | None = None,
) -> list[PendingOrganization]:
    """Active organizations in scope (of ``kinds``) that have not studied ``topic`` yet."""
    orgs = list(_scoped_organizations(user, root, kinds))
    if not orgs:
        return []
    studied = set(
        _Through.objects.filter(
            topic_id=topic.pk,
            agendaitem__meeting__status=Meeting.Status.HELD,
            agendaitem__meeting__organization_id__in=[o.pk for o in orgs],
        ).values_list("agendaitem__meeting__organization_id", flat=True)
    )
    conveying = [(path, name, day) for _t, path, name, day in _conveying_studies([topic.pk])]
    pending = []
    for org in orgs:
        if org.pk in studied:
            continue
        source = next(
            (
                (name, day)
                for path, name, day in conveying
                if org.path.startswith(path) and path != org.path
            ),
            None,
        )
        pending.append(
            PendingOrganization(
                organization=org,
                conveyed_from=source[0] if source else "",
                conveyed_on=source[1] if source else None,
            )
        )
    return pending


@dataclass(frozen=True)
class ConveyItem:
    topic: Topic
    conveyed_from: str
    conveyed_on: datetime.date

    @property
    def days_waiting(self) -> int:
        return (timezone.localdate() - self.conveyed_on).days


def to_be_conveyed(*, user, organization: Organization) -> list[ConveyItem]:
    """Topics a leading group or committee above ``organization`` studied and it has not yet."""
    if not policy.can(user, Action.MEETING_VIEW, organization):
        raise PermissionDenied
    ancestors = organization.ancestor_paths()
    if not ancestors:
        return []
    visible = Topic.objects.restrict(user, Action.MEETING_VIEW)
    first: dict[int, tuple[str, datetime.date]] = {}
    for topic_id, _path, name, day in _conveying_studies(visible.values("pk"), ancestors):
        first.setdefault(topic_id, (name, day))
    if not first:
        return []
    own = set(
        _Through.objects.filter(
            topic_id__in=list(first),
            agendaitem__meeting__status=Meeting.Status.HELD,
            agendaitem__meeting__organization_id=organization.pk,
        ).values_list("topic_id", flat=True)
    )
    due = [pk for pk in first if pk not in own]
    topics = visible.filter(pk__in=due).defer("text", "search_text", "search_words").in_bulk()
    items = [
        ConveyItem(topic=topics[pk], conveyed_from=first[pk][0], conveyed_on=first[pk][1])
        for pk in due
        if pk in topics
    ]
    return sorted(items, key=lambda i: (i.conveyed_on, i.topic.pk))


# Coverage of a subtree


@dataclass(frozen=True)
class WindowShare:
    days: int
    studied: int  # (topic, organization) pairs studied within ``days`` of the topic's date
    total: int  # pairs whose window has closed (topics given at least ``days`` ago)

    @property
    def percent(self) -> float:
        return round(100 * self.studied / self.total, 1) if self.total else 0.0


@dataclass
class OrganizationDelay:
    organization: Organization
    studied: int = 0
    never: int = 0
    delays: list[int] = field(default_factory=list, repr=False)

    @property
    def average_delay(self) -> float | None:
        return round(sum(self.delays) / len(self.delays), 1) if self.delays else None


@dataclass
class TopicCoverage:
    topic: Topic
    studied: int
    total: int

    @property
    def percent(self) -> float:
        return round(100 * self.studied / self.total, 1) if self.total else 0.0


@dataclass
class CoverageOverview:
    root: Organization
    windows: list[WindowShare]
    organization_count: int
    topic_count: int
    slowest: list[OrganizationDelay]
    unstudied: list[TopicCoverage]


def coverage_overview(
    *,
    user,
    root: Organization,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    given_from: datetime.date | None = None,
    given_to: datetime.date | None = None,
    kinds: Sequence[str] | None = None,
    limit: int = 10,
    today: datetime.date | None = None,
) -> CoverageOverview:
    """How promptly the organizations of ``root``'s subtree studied the topics of a period.

    A (topic, organization) pair counts for a window of N days once the topic
    is N days old; it is "within" if the organization's first held meeting
    on it came no later than N days after the topic was given. Three queries.
    """
    if not policy.can(user, Action.MEETING_VIEW, root):
        raise PermissionDenied
    today = today or timezone.localdate()
    orgs = list(_scoped_organizations(user, root, kinds).select_related(None))
    topics_qs = Topic.objects.restrict(user, Action.MEETING_VIEW).filter(given_on__lte=today)
    if given_from:
        topics_qs = topics_qs.filter(given_on__gte=given_from)
    if given_to:
        topics_qs = topics_qs.filter(given_on__lte=given_to)
    topics = list(topics_qs.only("id", "title", "kind", "given_on").order_by("given_on", "id"))
    first: dict[tuple[int, int], datetime.date] = {}
    if orgs and topics:
        rows = (
            _Through.objects.filter(
                topic_id__in=topics_qs.values("pk"),
                agendaitem__meeting__in=_held_meetings(user, root),
                agendaitem__meeting__organization_id__in=_scoped_organizations(
                    user, root, kinds
                ).values("pk"),
            )
            .values("topic_id", "agendaitem__meeting__organization_id")
            .annotate(first=Min("agendaitem__meeting__starts_at"))
            .order_by()
        )
        for r in rows:
            first[(r["topic_id"], r["agendaitem__meeting__organization_id"])] = _day(r["first"])

    delays = {o.pk: OrganizationDelay(organization=o) for o in orgs}
    per_topic = {t.pk: 0 for t in topics}
    window_counts = {n: [0, 0] for n in windows}
    for topic in topics:
        age = (today - topic.given_on).days
        for org in orgs:
            studied_on = first.get((topic.pk, org.pk))
            delay = max((studied_on - topic.given_on).days, 0) if studied_on else None
            row = delays[org.pk]
            if delay is None:
                row.never += 1
            else:
                row.studied += 1
                row.delays.append(delay)
                per_topic[topic.pk] += 1
            for n in windows:
                if age >= n:
                    window_counts[n][1] += 1
                    if delay is not None and delay <= n:
                        window_counts[n][0] += 1
    slowest = sorted(
        delays.values(),
        key=lambda d: (-d.never, -(d.average_delay or 0), d.organization.path),
    )
    slowest = [d for d in slowest if d.never or d.delays][:limit]
    unstudied = sorted(
        (
            TopicCoverage(topic=t, studied=per_topic[t.pk], total=len(orgs))
            for t in topics
            if per_topic[t.pk] < len(orgs)
        ),
        key=lambda c: (c.studied, c.topic.given_on, c.topic.pk),
    )[:limit]
    return CoverageOverview(
        root=root,
        windows=[WindowShare(days=n, studied=s, total=t) for n, (s, t) in window_counts.items()],
        organization_count=len(orgs),
        topic_count=len(topics),
        slowest=slowest,
        unstudied=unstudied,
    )
