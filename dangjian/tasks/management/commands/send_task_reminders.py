"""Send deadline reminders for open tasks (idempotent; run it daily)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Send due-soon and overdue reminders for open tasks (each at most once)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="The date to run for (YYYY-MM-DD); default today.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the job for the background worker instead of running it here.",
        )

    def handle(self, *args, today=None, enqueue=False, **options):
        if today:
            try:
                datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, not {today!r}") from exc
        if enqueue:
            from dangjian.tasks.tasks import send_task_reminders_task

            result = send_task_reminders_task.enqueue(today)
            self.stdout.write(f"queued {result.id}")
            return
        from dangjian.tasks.reminders import send_task_reminders

        sent = send_task_reminders(today=datetime.date.fromisoformat(today) if today else None)
        self.stdout.write(f"due soon: {sent['due_soon']}, overdue: {sent['overdue']}")
