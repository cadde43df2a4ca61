"""Background jobs of the tasks app (django-tasks; run by the job worker)."""

from __future__ import annotations

import datetime

from django_tasks import task

from . import reminders


@task()
def send_task_reminders_task(today: str | None = None) -> dict[str, int]:
    """The daily reminder run; ``today`` (ISO date) pins the clock, e.g. for a catch-up run."""
    day = datetime.date.fromisoformat(today) if today else None
    return reminders.send_task_reminders(today=day)
