"""Indicators computed from the platform's own data.

Each function returns the branch's share (0..1) for the year, or None when
there is nothing to compute from yet ("not yet available"). They read through
the existing selectors and restricted querysets with the user starting the
cycle, so nobody learns about data outside their scope:

- life_compliance: organizational-life rules met (meetings.selectors);
- study_promptness: first-agenda topics studied within 30 days (study.selectors);
- task_on_time: led tasks closed by their deadline (tasks);
- campaign_reporting: campaign requirements reported by their due date (campaigns);
- training_hours: members' average training hours against a yearly target (training).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

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


def campaign_reporting(*, user, branch, year: int) -> float | None:
    """Share of the campaign requirements due this year (and already due) that the branch
    reported by their due date and that were not returned.

    A requirement applies when its campaign covers the branch (the covered organization's
    subtree) and it names the branch's kind (or no kind), as in the campaign ledger. A
    report still awaiting review counts (the office's delay is not the branch's); a
    returned one counts only once it is reported again, by the due date.
    """
    from dangjian.access import policy
    from dangjian.access.roles import Action
    from dangjian.campaigns.models import Campaign, Requirement, Submission
    from dangjian.organizations.models import STEP

    if not policy.can(user, Action.MEETING_VIEW, branch):
        return None
    prefixes = [branch.path[: i * STEP] for i in range(1, len(branch.path) // STEP + 1)]
    campaigns = Campaign.objects.restrict(user, Action.MEETING_VIEW).filter(
        covered__path__in=prefixes
    )
    requirements = [
        r
        for r in Requirement.objects.filter(campaign__in=campaigns, due_on__year=year)
        if r.applies_to(branch)
    ]
    if not requirements:
        return None
    submissions = {
        s.requirement_id: s
        for s in Submission.objects.filter(
            organization=branch, requirement__in=[r.pk for r in requirements]
        )
    }
    today = timezone.localdate()
    due = met = 0
    for requirement in requirements:
        submission = submissions.get(requirement.pk)
        reported = submission is not None and submission.status != Submission.Status.RETURNED
        on_time = (
            reported
            and submission.reported_at is not None
            and timezone.localtime(submission.reported_at).date() <= requirement.due_on
        )
        if on_time:
            met += 1
            due += 1
        elif reported or requirement.due_on < today:
            due += 1
    return met / due if due else None


# The yearly training asked of every member: 党员每年集中学习培训时间一般不少于32学时
# (the national plan for party member education and training). A deployment may set
# FOURSTRONG_TRAINING_HOURS_TARGET in its settings.
TRAINING_HOURS_TARGET = Decimal("32")


def training_target() -> Decimal:
    from django.conf import settings

    return Decimal(
        str(getattr(settings, "FOURSTRONG_TRAINING_HOURS_TARGET", TRAINING_HOURS_TARGET))
    )


def training_hours(*, user, branch, year: int) -> float | None:
    """The branch members' average training hours in the year against the target (capped
    at 1). Hours per member come from the training app (every capability counted once);
    members are the branch's current members, party groups included."""
    from dangjian.access import policy
    from dangjian.access.roles import Action
    from dangjian.training.selectors import hours_overview

    if not policy.can(user, Action.MEETING_VIEW, branch):
        return None
    overview = hours_overview(user=user, root=branch, year=year)
    members = overview.total.members
    if not members:
        return None
    average = overview.total.hours["total"] / members
    return float(min(Decimal(1), average / training_target()))


def not_yet_available(*, user, branch, year: int) -> None:
    return None


COMPUTERS = {
    ComputedKey.LIFE_COMPLIANCE: life_compliance,
    ComputedKey.STUDY_PROMPTNESS: study_promptness,
    ComputedKey.TASK_ON_TIME: task_on_time,
    ComputedKey.CAMPAIGN_REPORTING: campaign_reporting,
    ComputedKey.TRAINING_HOURS: training_hours,
}


def compute(key: str, *, user, branch, year: int) -> float | None:
    return COMPUTERS.get(key, not_yet_available)(user=user, branch=branch, year=year)
