"""Reads of implementation tasks, always starting from the restricted queryset."""

from __future__ import annotations

import datetime
from heapq import merge

from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access.roles import Action
from dangjian.core.models import Notification

from .models import OPEN_STATUSES, ProgressAttachment, Task, TaskStatus

BOARD_LIMIT = 40  # cards per column; the column header shows the full count
STATUS_ORDER = [s.value for s in TaskStatus]


def task_list(*, user, action: str = Action.TASK_VIEW):
    return Task.objects.restrict(user, action).select_related(
        "organization",
        "lead_unit",
        "lead_organization",
        "responsible",
        "origin_meeting",
        "origin_agenda_item",
    )


def task_board(*, user, queryset=None, limit: int = BOARD_LIMIT) -> list[dict]:
    """Four columns (one per status): a count and the first ``limit`` cards each.

    Open columns list the nearest deadline first; the closed column the latest closed.
    """
    qs = queryset if queryset is not None else task_list(user=user)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    columns = []
    for status in TaskStatus:
        cards = qs.filter(status=status)
        cards = (
            cards.order_by("-closed_at", "-id")
            if status == TaskStatus.CLOSED
            else cards.order_by("deadline", "id")
        )
        columns.append(
            {
                "status": status.value,
                "label": status.label,
                "count": counts.get(status.value, 0),
                "cards": list(cards[:limit]),
            }
        )
    return columns


def task_detail_context(*, task: Task) -> dict:
    """The timeline (events and progress reports merged, newest first) and the sub-tasks."""
    events = list(task.events.select_related("actor").order_by("-occurred_at", "-id"))
    reports = list(
        task.reports.select_related("author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")
    )
    timeline = list(
        merge(
            ({"kind": "event", "at": e.occurred_at, "item": e} for e in events),
            ({"kind": "report", "at": r.created_at, "item": r} for r in reports),
            key=lambda entry: entry["at"],
            reverse=True,
        )
    )
    children = list(
        task.children.select_related("lead_unit", "lead_organization", "responsible").order_by(
            "deadline", "id"
        )
    )
    latest = reports[0] if reports else None
    return {"timeline": timeline, "children": children, "latest_report": latest}


def attachment_for(*, user, pk: int) -> ProgressAttachment:
    visible = Task.objects.restrict(user, Action.TASK_VIEW).values("pk")
    return ProgressAttachment.objects.select_related("report").get(pk=pk, report__task__in=visible)


def _lead_label():
    return Coalesce("lead_unit__name", "lead_organization__name", Value(_("(no lead unit)")))


def supervision_overview(*, user, today: datetime.date | None = None) -> dict:
    """Counts by lead unit × status, the overdue ranking by unit, and totals."""
    today = today or timezone.localdate()
    qs = Task.objects.restrict(user, Action.TASK_SUPERVISE).order_by()
    rows = (
        qs.annotate(lead=_lead_label())
        .values("lead", "status")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(deadline__lt=today)))
    )
    table: dict[str, dict] = {}
    for row in rows:
        entry = table.setdefault(
            row["lead"],
            {"lead": row["lead"], "total": 0, "overdue": 0, **{s: 0 for s in STATUS_ORDER}},
        )
        entry[row["status"]] = row["n"]
        entry["total"] += row["n"]
        if row["status"] in OPEN_STATUSES:
            entry["overdue"] += row["overdue"]
    units = sorted(table.values(), key=lambda e: (-e["total"], e["lead"]))
    ranking = sorted((e for e in units if e["overdue"]), key=lambda e: (-e["overdue"], e["lead"]))
    totals = {s: sum(e[s] for e in units) for s in STATUS_ORDER}
    totals["total"] = sum(e["total"] for e in units)
    totals["overdue"] = sum(e["overdue"] for e in units)
    chart = {
        "units": [e["lead"] for e in units],
        "series": [
            {"name": str(TaskStatus(s).label), "data": [e[s] for e in units]} for s in STATUS_ORDER
        ],
        "overdue_name": _("overdue"),
        "overdue": [e["overdue"] for e in units],
    }
    return {
        "units": units,
        "ranking": ranking,
        "totals": totals,
        "chart": chart,
        "statuses": [(s, TaskStatus(s).label) for s in STATUS_ORDER],
    }


def notifications(*, user):
    return Notification.objects.filter(user=user)
