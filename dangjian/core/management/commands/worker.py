"""``dangjian worker``: recover the jobs a dead worker left RUNNING, then run the job worker.

The one entry point for the database job worker (scripts/demo, the systemd unit in
README, Operations). Before it takes a job it requeues (``core.taskqueue``):

* every job still RUNNING under its own ``--worker-id`` — the previous process with
  this id died mid-job (one process per id: the service manager starts it again
  only after the old one is gone);
* every job RUNNING for longer than ``--older-than`` minutes under any id (a worker
  that died and was not restarted under its id).

Then it runs django_tasks_db's ``db_worker`` with the same id. Each job is
idempotent through its own state, so a job that had half-run is safe to run again.
While it runs it writes its heartbeat (``core.heartbeat``: /healthz and the offices'
pages say when no worker was seen lately), and a transient "database is locked" runs
the worker again after a pause instead of ending the process.
"""

from __future__ import annotations

import datetime
import socket

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS

from dangjian.core.heartbeat import Heartbeat, run_retrying
from dangjian.core.taskqueue import requeue_stale_jobs


def default_worker_id(backend: str, queues: str) -> str:
    return f"{socket.gethostname()}:{backend}:{queues}"[:63]


class Command(BaseCommand):
    help = "Requeue jobs left RUNNING by a dead worker, then run the database job worker."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="default", help="queues, comma-separated")
        parser.add_argument(
            "--backend",
            default=DEFAULT_TASK_BACKEND_ALIAS,
            help="the database backend (with Redis configured: 'database')",
        )
        parser.add_argument(
            "--worker-id",
            help="stable id of this worker, unique per running process "
            "(default: host name, backend and queues)",
        )
        parser.add_argument("--older-than", type=int, default=60, metavar="MINUTES")
        parser.add_argument("--interval", type=float, default=1.0, metavar="SECONDS")
        parser.add_argument("--batch", action="store_true", help="run the waiting jobs, then exit")

    def handle(self, *args, queue_name, backend, worker_id, older_than, interval, batch, **options):
        worker_id = worker_id or default_worker_id(backend, queue_name)
        count = requeue_stale_jobs(
            older_than=datetime.timedelta(minutes=older_than),
            worker_id=worker_id,
            backend_name=backend,
        )
        self.stdout.write(f"requeued {count} jobs")
        worker_args = [
            "--queue-name", queue_name,
            "--backend", backend,
            "--worker-id", worker_id,
            "--interval", str(interval),
            "--no-reload",
        ]  # fmt: skip
        if batch:
            worker_args += ["--batch", "--no-startup-delay"]
        pulse = Heartbeat(worker_id)
        pulse.beat()
        pulse.start()
        try:
            run_retrying(
                lambda: call_command(
                    "db_worker",
                    *worker_args,
                    verbosity=options["verbosity"],
                    stdout=self.stdout._out,
                    stderr=self.stderr._out,
                )
            )
        finally:
            pulse.stop()
            pulse.beat()
