"""Job queue backend for Redis with the database as fallback.

With ``DANGJIAN_REDIS_URL`` set, jobs go to Redis (RQ). When Redis does not
answer, the site must keep working and the job must not be lost: the enqueue
falls back to the database backend (``TASKS["database"]``, the django_tasks_db
table), where the job waits until ``dangjian db_worker --backend database``
runs it (the worker runs beside ``rqworker`` in a Redis deployment; README,
Operations). ``/healthz`` reports the queue as ``degraded`` meanwhile.
"""

from __future__ import annotations

import datetime
import logging

from django_tasks import task_backends
from django_tasks_rq.backend import RQBackend

logger = logging.getLogger(__name__)

FALLBACK_ALIAS = "database"


def _redis_errors() -> tuple[type[BaseException], ...]:
    from redis import exceptions

    return (exceptions.ConnectionError, exceptions.TimeoutError, OSError)


class FallbackRQBackend(RQBackend):
    """RQ while Redis answers, the database queue while it does not."""

    def enqueue(self, task, args, kwargs):
        try:
            return super().enqueue(task, args, kwargs)
        except _redis_errors():
            logger.warning(
                "Redis does not answer: job %s waits in the database queue", task.module_path
            )
            fallback = task_backends[FALLBACK_ALIAS]
            return fallback.enqueue(task.using(backend=FALLBACK_ALIAS), args, kwargs)


def requeue_stale_jobs(
    *,
    older_than: datetime.timedelta,
    worker_id: str | None = None,
    backend_name: str | None = None,
) -> int:
    """Put database jobs left RUNNING by a dead worker back in the queue; returns how many.

    A job counts as left behind when it has been RUNNING for longer than ``older_than``
    (django_tasks_db has no heartbeat), or — whatever its age — when its last claim was
    by ``worker_id``: a worker starting under a stable id is the only process with that
    id, so a job still RUNNING under it belongs to its dead predecessor.
    """
    from django.db.models import Q
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.filter(status="RUNNING")
    if backend_name:
        running = running.filter(backend_name=backend_name)
    stale = Q(started_at__lt=timezone.now() - older_than)
    if worker_id:
        # worker_ids is a JSON list; a containment lookup is not portable to SQLite.
        own = [
            pk
            for pk, ids in running.values_list("pk", "worker_ids")
            if ids and ids[-1] == worker_id
        ]
        stale |= Q(pk__in=own)
    # Filtering on RUNNING again in the UPDATE: a job that finished meanwhile stays done.
    return running.filter(stale).update(status="READY", started_at=None)
