"""Remind branch secretaries of unmet rules of organizational life (run daily, e.g. by cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from dangjian.meetings.reminders import send_life_reminders


class Command(BaseCommand):
    help = "Remind branch secretaries before a period closes with a life rule unmet (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError("--today must be a date like 2026-03-25") from None
        sent = send_life_reminders(today=day)
        self.stdout.write(f"{sent} reminder(s) sent.")
