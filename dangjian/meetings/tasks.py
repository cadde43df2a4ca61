"""Background jobs of the meetings app (django-tasks; run by the job worker)."""

from __future__ import annotations

import datetime

from django_tasks import task

from .reminders import send_life_reminders


@task()
def send_life_reminders_task(today: str = "") -> int:
    """Daily: remind branch secretaries of rules of organizational life still unmet."""
    day = datetime.date.fromisoformat(today) if today else None
    return send_life_reminders(today=day)
