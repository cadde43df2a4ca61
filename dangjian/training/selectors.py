"""Reads of trainings and the training hours (学习培训学时) per member, capability and year.

A training tagged with several capabilities credits its hours to each of
them; the total counts the hours once. Hours roll up by the attending
member's organization (a member's hours count for their organization and
every organization above it), whoever organized the training.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet

from dangjian.access.roles import Action
from dangjian.organizations.models import STEP, Organization
from dangjian.people.models import Member

from .capabilities import CAPABILITY_CODES
from .models import Training, TrainingAttendance

VIEW = Action.MEETING_VIEW
ZERO = Decimal("0")


def training_list(
    *,
    user,
    year: int | None = None,
    capability: str | None = None,
    root: Organization | None = None,
    q: str = "",
) -> QuerySet[Training]:
    qs = (
        Training.objects.restrict(user, VIEW)
        .select_related("organization")
        .annotate(attendee_count=Count("attendances"))
    )
    if year:
        qs = qs.filter(date__year=year)
    if capability in CAPABILITY_CODES:
        # The JSON list's text holds each code in quotes on every backend.
        qs = qs.filter(capabilities__icontains=f'"{capability}"')
    if root is not None:
        qs = qs.filter(organization__path__startswith=root.path)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-date", "-id")


def training_years(*, user) -> list[int]:
    dates = Training.objects.restrict(user, VIEW).dates("date", "year", order="DESC")
    return [d.year for d in dates]


def _empty() -> dict[str, Decimal]:
    return {c: ZERO for c in CAPABILITY_CODES} | {"total": ZERO}


def _add(bucket: dict[str, Decimal], hours: Decimal, capabilities) -> None:
    for code in capabilities or ():
        if code in bucket:
            bucket[code] += hours
    bucket["total"] += hours


def _attendance_rows(*, year: int, root: Organization):
    return (
        TrainingAttendance.objects.filter(
            training__date__year=year, member__organization__path__startswith=root.path
        )
        .values_list("member_id", "member__organization__path", "hours", "training__capabilities")
        .order_by()
    )


def member_capability_hours(
    *, user, root: Organization, year: int
) -> dict[int, dict[str, Decimal]]:
    """{member id: {capability code: hours, ..., "total": hours}} for members in ``root``'s
    subtree who attended something in ``year`` (one query). ``root`` must come from a
    restricted queryset: a subtree in scope is wholly in scope."""
    result: dict[int, dict[str, Decimal]] = defaultdict(_empty)
    for member_id, _path, hours, capabilities in _attendance_rows(year=year, root=root):
        _add(result[member_id], hours, capabilities)
    return dict(result)


def member_hours(*, user, member: Member, year: int) -> dict[str, Decimal]:
    """One member's hours per capability in ``year`` (one query)."""
    bucket = _empty()
    rows = (
        TrainingAttendance.objects.restrict(user, VIEW)
        .filter(member=member, training__date__year=year)
        .values_list("hours", "training__capabilities")
    )
    for hours, capabilities in rows:
        _add(bucket, hours, capabilities)
    return bucket


@dataclass
class OrgRow:
    organization: Organization
    hours: dict[str, Decimal] = field(default_factory=_empty)
    members: int = 0
    attendees: set = field(default_factory=set)

    @property
    def average(self) -> Decimal:
        if not self.members:
            return ZERO
        return (self.hours["total"] / self.members).quantize(Decimal("0.1"))

    @property
    def capability_hours(self) -> list[Decimal]:
        return [self.hours[c] for c in CAPABILITY_CODES]

    @property
    def attendee_count(self) -> int:
        return len(self.attendees)


@dataclass
class Overview:
    root: Organization
    year: int
    total: OrgRow
    rows: list[OrgRow]


def hours_overview(*, user, root: Organization, year: int) -> Overview:
    """Per capability totals and the per-member average of ``root``'s subtree in ``year``,
    with one row for ``root``'s own members and one per direct child's subtree.

    Three queries, whatever the number of organizations, members and trainings.
    """
    children = list(
        Organization.objects.active().filter(parent=root).order_by("sort_order", "path")
    )
    own = OrgRow(organization=root)
    total = OrgRow(organization=root)
    by_path = {c.path: OrgRow(organization=c) for c in children}
    cut = len(root.path) + STEP

    def row_for(path: str) -> OrgRow:
        return by_path.get(path[:cut], own) if len(path) >= cut else own

    counts = (
        Member.objects.current()
        .filter(organization__path__startswith=root.path)
        .values_list("organization__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, n in counts:
        row_for(path).members += n
        total.members += n
    for member_id, path, hours, capabilities in _attendance_rows(year=year, root=root):
        row = row_for(path)
        _add(row.hours, hours, capabilities)
        _add(total.hours, hours, capabilities)
        row.attendees.add(member_id)
        total.attendees.add(member_id)
    rows = ([own] if own.members or own.hours["total"] else []) + list(by_path.values())
    return Overview(root=root, year=year, total=total, rows=rows)
