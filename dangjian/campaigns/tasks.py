"""Background jobs of the campaigns app (django-tasks; run by the job worker)."""

from __future__ import annotations

import datetime

from django_tasks import task

from .reminders import send_campaign_reminders


@task()
def send_campaign_reminders_task(today: str = "") -> dict[str, int]:
    """Daily: remind organizations that have not reported a requirement due soon or overdue."""
    day = datetime.date.fromisoformat(today) if today else None
    return send_campaign_reminders(today=day)
