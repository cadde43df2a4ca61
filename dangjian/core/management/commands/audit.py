"""``dangjian audit verify`` / ``dangjian audit archive`` / ``dangjian audit status``.

``verify`` walks the whole chain (archive first, then the live log), prints the
first broken record and exits 1 when the chain is broken. ``archive`` moves the
records older than the retention period (``DANGJIAN_AUDIT_RETENTION_DAYS``, at
least 180) into the archive table; nothing is deleted.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangjian.core import audit, audit_jobs
from dangjian.core.models import AuditChainHead


class Command(BaseCommand):
    help = "Verify the audit chain, archive old audit records, or show the chain's state."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="check every record's MAC and order")
        verify.add_argument(
            "--live-only",
            action="store_true",
            help="check the live log from the archive anchor, not the archive",
        )
        archive = sub.add_parser("archive", help="move records older than the retention period")
        archive.add_argument(
            "--days",
            type=int,
            default=None,
            help="retention in days (default DANGJIAN_AUDIT_RETENTION_DAYS; at least 180)",
        )
        sub.add_parser("status", help="the chain head and the last verification")

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify":
            return self.verify(live_only=options["live_only"])
        if subcommand == "archive":
            return self.archive(options["days"])
        return self.status()

    def verify(self, *, live_only: bool):
        run = audit_jobs.start_run(user=None)
        result = audit_jobs.run_verification(run.pk, include_archive=not live_only)
        if result.ok:
            self.stdout.write(result.describe())
            return
        self.stderr.write(result.describe())
        raise CommandError(
            f"audit chain broken at record {result.broken_seq}"
            if result.broken_seq is not None
            else "audit chain broken",
            returncode=1,
        )

    def archive(self, days: int | None):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 180:
            raise CommandError("The retention period is at least 180 days.")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        moved = audit.archive_before(cutoff)
        head = AuditChainHead.objects.filter(pk=1).first()
        self.stdout.write(
            f"archived {moved} records older than {days} days; "
            f"archive ends at record {head.archived_seq if head else 0}"
        )

    def status(self):
        head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead()
        self.stdout.write(f"newest record: {head.seq}; archived through: {head.archived_seq}")
        last = audit_jobs.last_finished()
        if last is None:
            self.stdout.write("never verified")
        else:
            self.stdout.write(
                f"last verification {last.finished_at:%Y-%m-%d %H:%M}: {last.status}, "
                f"verified up to record {last.verified_through}"
                + (f", broken at record {last.broken_seq}" if last.broken_seq else "")
            )
