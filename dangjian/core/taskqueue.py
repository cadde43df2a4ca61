"""Job queue backend for Redis with the database as fallback.

With ``DANGJIAN_REDIS_URL`` set, jobs go to Redis (RQ). When Redis does not
answer, the site must keep working and the job must not be lost: the enqueue
falls back to the database backend (``TASKS["database"]``, the django_tasks_db
table), where the job waits until ``dangjian db_worker --backend database``
runs it (the worker runs beside ``rqworker`` in a Redis deployment; README,
Operations). ``/healthz`` reports the queue as ``degraded`` meanwhile.
"""

from __future__ import annotations

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
