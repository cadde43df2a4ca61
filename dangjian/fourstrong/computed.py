"""Indicators computed from the platform's own data.

Each function returns the branch's share (0..1) for the year, or None when
there is nothing to compute from yet ("not yet available"). They read through
the existing selectors with the user starting the cycle, so nobody learns
about data outside their scope.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .models import ComputedKey


def _last_day(year: int) -> datetime.date:
    return min(timezone.localdate(), datetime.date(year, 12, 31))


def life_compliance(*, user, branch, year: int) -> float | None:
    """Share of the life rules applying to the branch that it met in the current periods."""
    from dangjian.meetings.selectors import life_compliance as compliance

    result = compliance(user=user, day=_last_day(year), root=branch)
    for row in result.rows:
        if row.organization.pk == branch.pk:
            cells = [c for c in row.cells if c is not None]
            return sum(c.ok for c in cells) / len(cells) if cells else None
    return None


def study_promptness(*, user, branch, year: int) -> float | None:
    """Share of the year's first-agenda topics the branch studied within 30 days."""
    from dangjian.study.selectors import coverage_overview

    try:
        overview = coverage_overview(
            user=user,
            root=branch,
            windows=(30,),
            given_from=datetime.date(year, 1, 1),
            given_to=datetime.date(year, 12, 31),
            today=_last_day(year),
        )
    except PermissionDenied:
        return None
    window = overview.windows[0]
    return window.studied / window.total if window.total else None


def task_on_time(*, user, branch, year: int) -> float | None:
    """Share of the branch's led tasks due this year (and already due) closed by their deadline."""
    from dangjian.access.roles import Action
    from dangjian.tasks.models import Task, TaskStatus

    today = timezone.localdate()
    tasks = Task.objects.restrict(user, Action.TASK_VIEW).filter(
        lead_organization=branch, deadline__year=year
    )
    due = 0
    on_time = 0
    for status, deadline, closed_at in tasks.values_list("status", "deadline", "closed_at"):
        closed = status == TaskStatus.CLOSED and closed_at is not None
        if closed and timezone.localtime(closed_at).date() <= deadline:
            on_time += 1
            due += 1
        elif closed or deadline < today:
            due += 1
    return on_time / due if due else None


def not_yet_available(*, user, branch, year: int) -> None:
    return None


COMPUTERS = {
    ComputedKey.LIFE_COMPLIANCE: life_compliance,
    ComputedKey.STUDY_PROMPTNESS: study_promptness,
    ComputedKey.TASK_ON_TIME: task_on_time,
    ComputedKey.CAMPAIGN_REPORTING: not_yet_available,
    ComputedKey.TRAINING_HOURS: not_yet_available,
}


def compute(key: str, *, user, branch, year: int) -> float | None:
    return COMPUTERS.get(key, not_yet_available)(user=user, branch=branch, year=year)
