"""Deadline reminders: due soon (within TASK_REMIND_DAYS_BEFORE days) and overdue.

Each (task, event, deadline) is reminded at most once: a TaskReminder row is
inserted first, in its own savepoint, and the unique constraint decides which
of two overlapping runs sends it. A moved deadline earns new reminders.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.notify import notify

from .models import Task, TaskReminder
from .services import reporters_of

logger = logging.getLogger(__name__)


def remind_days_before() -> int:
    return int(getattr(settings, "TASK_REMIND_DAYS_BEFORE", 3))


def _message(task: Task, event: str, today: datetime.date) -> tuple[str, str]:
    title = task.title[:150]
    if event == TaskReminder.Event.OVERDUE:
        return (
            _("Overdue: %(title)s") % {"title": title},
            _(
                "The deadline was %(deadline)s (%(days)s day(s) ago). "
                "Report progress or request closure."
            )
            % {"deadline": task.deadline.isoformat(), "days": (today - task.deadline).days},
        )
    return (
        _("Deadline approaching: %(title)s") % {"title": title},
        _("The deadline is %(deadline)s (in %(days)s day(s)).")
        % {"deadline": task.deadline.isoformat(), "days": (task.deadline - today).days},
    )


def send_task_reminders(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send the reminders due on ``today``; returns how many of each kind were sent."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=remind_days_before())
    candidates = (
        Task.objects.open()
        .filter(deadline__lte=horizon)
        .select_related("lead_organization", "lead_unit")
        .order_by("deadline", "id")
    )
    sent = {TaskReminder.Event.DUE_SOON.value: 0, TaskReminder.Event.OVERDUE.value: 0}
    for task in candidates.iterator(chunk_size=200):
        event = TaskReminder.Event.OVERDUE if task.deadline < today else TaskReminder.Event.DUE_SOON
        try:
            with transaction.atomic():
                TaskReminder.objects.create(task=task, event=event, deadline=task.deadline)
                title, body = _message(task, event, today)
                notify(
                    users=reporters_of(task), title=title, body=body, url=task.get_absolute_url()
                )
        except IntegrityError:
            continue  # already reminded (by an earlier or a concurrent run)
        sent[event.value] += 1
    logger.info("task reminders for %s: %s", today.isoformat(), sent)
    return sent
