"""Reads of meetings and of organizational life compliance, always through the user's scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from dangjian.access.roles import Action
from dangjian.organizations.models import Organization
from dangjian.people.collation import protocol_key
from dangjian.people.models import PostAssignment

from .models import (
    AgendaItem,
    AgendaItemTopic,
    Attendance,
    AttendanceStatus,
    LifeRule,
    Measure,
    Meeting,
    StatementBlock,
)

# What a page or document needs of an agenda item's structure (see item_structure_prefetch).
TOPIC_ROWS = Prefetch(
    "agendaitemtopic_set",
    queryset=AgendaItemTopic.objects.select_related("topic").order_by(
        "order", "topic__given_on", "topic_id"
    ),
    to_attr="topic_rows",
)
BLOCKS = Prefetch(
    "blocks",
    queryset=StatementBlock.objects.order_by("order", "id").prefetch_related(
        "topics", Prefetch("measures", queryset=Measure.objects.order_by("order", "id"))
    ),
    to_attr="block_list",
)


def posts_in(organization_id: int, member_ids) -> dict[int, list[str]]:
    """The current posts each member holds in the organization."""
    posts: dict[int, list[str]] = {}
    rows = PostAssignment.objects.filter(
        organization_id=organization_id, member_id__in=list(member_ids), ended_on__isnull=True
    ).order_by("id")
    for member_id, title in rows.values_list("member_id", "title"):
        posts.setdefault(member_id, []).append(title)
    return posts


def protocol_sorted(meeting: Meeting, rows, member=lambda row: row.member) -> list:
    """``rows`` in protocol order (post in the meeting's organization, administrative rank,
    then 姓氏笔画), whatever the database's collation."""
    rows = list(rows)
    posts = posts_in(meeting.organization_id, {member(r).pk for r in rows})

    def key(row):
        m = member(row)
        return protocol_key(name=m.name, posts=posts.get(m.pk, ()), admin_title=m.admin_title)

    return sorted(rows, key=key)


def meeting_list(*, user, action: str = Action.MEETING_VIEW) -> QuerySet[Meeting]:
    """Meetings the user may see, with what list rows show (no per-row queries)."""
    return (
        Meeting.objects.restrict(user, action)
        .select_related("organization", "chair")
        .annotate(
            attendee_count=Count("attendances", distinct=True),
            present_count=Count(
                "attendances",
                filter=Q(attendances__status__in=(AttendanceStatus.PRESENT, AttendanceStatus.LATE)),
                distinct=True,
            ),
        )
    )


def meeting_detail_queryset(*, user, action: str = Action.MEETING_VIEW) -> QuerySet[Meeting]:
    return (
        Meeting.objects.restrict(user, action)
        .select_related("organization", "chair", "recorder", "created_by")
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.order_by("order", "id").prefetch_related(
                    TOPIC_ROWS, BLOCKS
                ),
            ),
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("member", "member__organization"),
            ),
        )
    )


def attendance_counts(attendances) -> dict[str, int]:
    counts = {status: 0 for status in AttendanceStatus.values}
    for a in attendances:
        counts[a.status] += 1
    counts["total"] = len(attendances)
    counts["attended"] = counts[AttendanceStatus.PRESENT] + counts[AttendanceStatus.LATE]
    return counts


def meeting_tasks(*, user, meeting: Meeting) -> dict[int, list]:
    """Tasks that came from the meeting's agenda items and that the user may see, by item."""
    from dangjian.tasks.models import Task

    by_item: dict[int, list] = {}
    tasks = (
        Task.objects.restrict(user, Action.TASK_VIEW)
        .filter(origin_meeting=meeting)
        .select_related("lead_unit", "lead_organization", "responsible")
        .order_by("id")
    )
    for task in tasks:
        by_item.setdefault(task.origin_agenda_item_id, []).append(task)
    return by_item


# Organizational life compliance (三会一课)


def period_bounds(period: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period of kind ``period`` containing ``day``: [start, end) as dates."""
    if period == LifeRule.Period.MONTH:
        start = day.replace(day=1)
        months = 1
    elif period == LifeRule.Period.QUARTER:
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        months = 3
    elif period == LifeRule.Period.HALF_YEAR:
        start = day.replace(month=1 if day.month <= 6 else 7, day=1)
        months = 6
    else:
        start = day.replace(month=1, day=1)
        months = 12
    month = start.month - 1 + months
    end = start.replace(year=start.year + month // 12, month=month % 12 + 1)
    return start, end


def period_label(period: str, start: datetime.date) -> str:
    if period == LifeRule.Period.MONTH:
        return f"{start.year}年{start.month}月"
    if period == LifeRule.Period.QUARTER:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if period == LifeRule.Period.HALF_YEAR:
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    return f"{start.year}年"


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class RulePeriod:
    rule: LifeRule
    start: datetime.date
    end: datetime.date  # exclusive
    label: str
    applicable: int = 0
    compliant: int = 0

    @property
    def share(self) -> float | None:
        return round(100 * self.compliant / self.applicable, 1) if self.applicable else None

    @property
    def key(self) -> str:
        return f"r{self.rule.pk}"


@dataclass
class Cell:
    required: int
    held: int

    @property
    def ok(self) -> bool:
        return self.held >= self.required


@dataclass
class OrgCompliance:
    organization: Organization
    cells: list[Cell | None] = field(default_factory=list)

    @property
    def compliant(self) -> bool:
        return all(c.ok for c in self.cells if c is not None)

    @property
    def unmet(self) -> int:
        return sum(1 for c in self.cells if c is not None and not c.ok)


@dataclass
class Compliance:
    day: datetime.date
    root: Organization | None
    rules: list[RulePeriod]
    rows: list[OrgCompliance]

    @property
    def non_compliant(self) -> list[OrgCompliance]:
        return [r for r in self.rows if not r.compliant]


def held_counts(
    *, organizations: QuerySet[Organization], rule_periods: list[RulePeriod]
) -> dict[int, dict[str, int]]:
    """{organization id: {rule key: held meetings in the rule's period}} in one grouped query."""
    if not rule_periods:
        return {}
    annotations = {
        rp.key: Count(
            "id",
            filter=Q(
                kind=rp.rule.meeting_kind,
                starts_at__gte=_aware(rp.start),
                starts_at__lt=_aware(rp.end),
            ),
        )
        for rp in rule_periods
    }
    earliest = min(rp.start for rp in rule_periods)
    latest = max(rp.end for rp in rule_periods)
    rows = (
        Meeting.objects.held()
        .filter(
            organization__in=organizations,
            kind__in={rp.rule.meeting_kind for rp in rule_periods},
            starts_at__gte=_aware(earliest),
            starts_at__lt=_aware(latest),
        )
        .order_by()
        .values("organization_id")
        .annotate(**annotations)
    )
    return {row.pop("organization_id"): row for row in rows}


def rule_periods_for(day: datetime.date, rules=None) -> list[RulePeriod]:
    rules = list(rules if rules is not None else LifeRule.objects.filter(active=True))
    found = []
    for rule in rules:
        start, end = period_bounds(rule.period, day)
        found.append(RulePeriod(rule, start, end, period_label(rule.period, start)))
    return found


def life_compliance(
    *, user, day: datetime.date | None = None, root: Organization | None = None
) -> Compliance:
    """Required vs held per organization and active rule, for the periods containing ``day``,
    over the organizations the user may see (below ``root`` if given). Three queries."""
    day = day or timezone.localdate()
    rule_periods = rule_periods_for(day)
    kinds = {k for rp in rule_periods for k in rp.rule.organization_kinds}
    orgs = (
        Organization.objects.restrict(user, Action.MEETING_VIEW)
        .active()
        .filter(kind__in=kinds)
        .order_by("path")
    )
    if root is not None:
        orgs = orgs.filter(path__startswith=root.path)
    org_list = list(orgs)
    counts = held_counts(organizations=orgs, rule_periods=rule_periods)
    rows = []
    for org in org_list:
        row = OrgCompliance(org)
        held = counts.get(org.pk, {})
        for rp in rule_periods:
            if org.kind in rp.rule.organization_kinds:
                cell = Cell(rp.rule.min_count, held.get(rp.key, 0))
                rp.applicable += 1
                rp.compliant += cell.ok
                row.cells.append(cell)
            else:
                row.cells.append(None)
        rows.append(row)
    rows.sort(key=lambda r: (-r.unmet, r.organization.path))
    return Compliance(day=day, root=root, rules=rule_periods, rows=rows)
