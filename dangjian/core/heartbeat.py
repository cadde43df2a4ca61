"""Job workers' heartbeats, and retrying a worker through transient database locks.

``dangjian worker`` writes its ``WorkerHeartbeat`` row when it starts and every
``BEAT_SECONDS`` from a daemon thread; ``/healthz`` and the offices' pages say so when no
worker has been seen for ``DANGJIAN_WORKER_STALE_SECONDS`` (a dead worker, or none started).
On SQLite a long write elsewhere can make the worker's own query fail with "database is
locked" after the busy timeout: ``run_retrying`` runs the worker again after a pause
instead of letting the process die (issue 14, point 7).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django.db.models import Max
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

BEAT_SECONDS = 30


def beat(worker_id: str, *, started_at) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:64],
        defaults={"pid": os.getpid(), "started_at": started_at, "last_seen": timezone.now()},
    )


class Heartbeat(threading.Thread):
    """Writes the worker's heartbeat every ``interval`` seconds until stopped."""

    def __init__(self, worker_id: str, *, interval: float = BEAT_SECONDS):
        super().__init__(name="dangjian-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def beat(self) -> None:
        try:
            beat(self.worker_id, started_at=self.started_at)
        except OperationalError:  # locked for longer than the busy timeout: next time
            logger.warning("worker heartbeat not written: the database is busy")

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                self.beat()
                close_old_connections()
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopped.set()


def is_transient_lock(error: Exception) -> bool:
    return isinstance(error, OperationalError) and "locked" in str(error).lower()


def run_retrying(
    run: Callable[[], None],
    *,
    pause: float = 2.0,
    max_pause: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run ``run`` again after a transient lock error (growing pause); return the retries.

    Any other error ends the worker as before: a service manager (or scripts/demo's loop)
    starts it again.
    """
    retries = 0
    while True:
        try:
            run()
            return retries
        except OperationalError as error:
            if not is_transient_lock(error):
                raise
            retries += 1
            wait = min(max_pause, pause * retries)
            logger.warning("job worker: the database is locked; running again in %.0f s", wait)
            close_old_connections()
            sleep(wait)


def stale_after() -> int:
    return int(getattr(settings, "DANGJIAN_WORKER_STALE_SECONDS", 300))


def last_seen():
    return WorkerHeartbeat.objects.aggregate(last=Max("last_seen"))["last"]


def worker_missing() -> bool:
    """True when the job queue is the database's and no worker was seen recently."""
    backend = settings.TASKS["default"]["BACKEND"]
    if "django_tasks_db" not in backend:
        return False  # jobs run at once (tests) or in RQ workers, which Redis watches
    seen = last_seen()
    return seen is None or (timezone.now() - seen).total_seconds() > stale_after()
