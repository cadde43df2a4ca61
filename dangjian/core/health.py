"""``/healthz`` for the load balancer: database, cache, job queue and job worker.

No log-in, no session, no cookies; the answer names only which check failed
(``{"status": "ok"|"fail", "checks": {"database": "ok", ...}}``), never an
exception text, a host, a version or a setting. 200 when everything the site
needs answers, 503 otherwise. The job queue counts as ``degraded`` (still 200)
when Redis is configured but down: enqueued jobs then wait in the database
(dangjian/core/taskqueue.py) and the site keeps working; so does the worker when no
``dangjian worker`` has written its heartbeat for ``DANGJIAN_WORKER_STALE_SECONDS``
(dangjian/core/heartbeat.py): jobs wait until one runs.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

OK, FAIL, DEGRADED = "ok", "fail", "degraded"


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    return OK if row and row[0] == 1 else FAIL


def check_cache() -> str:
    key = f"dangjian:healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    value = cache.get(key)
    cache.delete(key)
    return OK if value == "1" else FAIL


def database_queue_reachable() -> bool:
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.only("pk").first()
    return True


def redis_reachable() -> bool:
    import django_rq

    return bool(django_rq.get_connection("default").ping())


def check_queue() -> str:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.endswith("ImmediateBackend"):
        return OK
    if "django_tasks_db" in backend:
        return OK if database_queue_reachable() else FAIL
    # Redis (RQ), with the database as the fallback queue while Redis is down.
    try:
        if redis_reachable():
            return OK
    except Exception:  # any Redis error means "down"
        logger.warning("healthz: Redis does not answer")
    try:
        return DEGRADED if database_queue_reachable() else FAIL
    except Exception:
        return FAIL


def check_worker() -> str:
    """A job worker was seen lately (its heartbeat); none is ``degraded``: jobs only wait."""
    from .heartbeat import worker_missing

    return DEGRADED if worker_missing() else OK


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "queue": check_queue,
    "worker": check_worker,
}


def run_checks() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:  # the reason goes to the log, not the answer
            logger.exception("healthz: %s check failed", name)
            results[name] = FAIL
    return results


@never_cache
@require_GET
def healthz(request):
    checks = run_checks()
    healthy = all(value in (OK, DEGRADED) for value in checks.values())
    return JsonResponse(
        {"status": OK if healthy else FAIL, "checks": checks}, status=200 if healthy else 503
    )
