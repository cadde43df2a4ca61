"""``dangjian recover_jobs``: put jobs left RUNNING by a dead worker back in the queue.

django_tasks_db marks a job RUNNING when a worker claims it and has no
heartbeat: a worker killed mid-job (SIGKILL, power loss) leaves the row
RUNNING forever. This command (run from cron; ``dangjian worker`` runs the
same recovery at start-up) sets jobs RUNNING for longer than ``--older-than``
minutes (default 60; more than the longest job) back to READY so a live worker
runs them again. Running a job twice is safe: each of our jobs is idempotent
(README, Operations) — the roster import is keyed on its RosterImport status
(claimed COMMITTING, set COMMITTED in the same transaction as the rows),
reminders on (task/campaign, period), exports on their token, audit
verification on its run.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand

from dangjian.core.taskqueue import requeue_stale_jobs


class Command(BaseCommand):
    help = "Requeue database jobs left RUNNING by a worker that died."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=60, metavar="MINUTES")

    def handle(self, *args, older_than, **options):
        count = requeue_stale_jobs(older_than=datetime.timedelta(minutes=older_than))
        self.stdout.write(f"requeued {count} jobs")
