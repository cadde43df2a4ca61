"""Remind organizations late with a campaign requirement (idempotent; run it daily)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Remind organizations that have not reported a campaign requirement that is due "
        "soon or overdue (each organization × requirement × kind at most once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the job for the background worker instead of running it here.",
        )

    def handle(self, *args, today=None, enqueue=False, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError("--today must be a date like 2026-03-25") from None
        if enqueue:
            from dangjian.campaigns.tasks import send_campaign_reminders_task

            result = send_campaign_reminders_task.enqueue(today or "")
            self.stdout.write(f"queued {result.id}")
            return
        from dangjian.campaigns.reminders import send_campaign_reminders

        sent = send_campaign_reminders(today=day)
        self.stdout.write(f"due soon: {sent['due_soon']}, overdue: {sent['overdue']}")
