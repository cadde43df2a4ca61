"""Background jobs when Redis is configured but down (issue 6, Reliability)."""

from __future__ import annotations

import datetime
import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dangjian.tasks.tasks import send_task_reminders_task
from tests.reliability.test_all_or_nothing import database_url

ROOT = Path(__file__).resolve().parents[2]
FALLBACK_TASKS = {
    "default": {"BACKEND": "dangjian.core.taskqueue.FallbackRQBackend", "QUEUES": ["default"]},
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{closed_port()}/0"}}
    settings.TASKS = FALLBACK_TASKS


@pytest.mark.django_db(transaction=True)  # the worker closes connections
def test_redis_down_jobs_wait_in_the_database_and_run_later(redis_down, client, tree):
    result = send_task_reminders_task.enqueue("2026-12-01")
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.backend_name == "database" and row.status == "READY"
    # The site keeps working, the probe keeps the node in rotation.
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["checks"]["queue"] == "degraded"
    call_command(
        "db_worker", "--backend", "database", "--batch", "--no-startup-delay", stdout=io.StringIO()
    )
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_redis_url_at_a_closed_port_still_enqueues(tree, tmp_path):
    """The configured site (DANGJIAN_REDIS_URL → closed port) enqueues into the database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DANGJIAN_TESTING": "1",
        "DANGJIAN_VAR_DIR": str(tmp_path),
        "DANGJIAN_REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0",
    }
    env.pop("DANGJIAN_TASKS_IMMEDIATE", None)
    code = (
        "import django; django.setup();"
        "from dangjian.tasks.tasks import send_task_reminders_task as t;"
        "print(t.enqueue('2026-12-01').id)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "dangjian.config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    job_id = out.stdout.strip().splitlines()[-1]
    assert DBTaskResult.objects.get(pk=job_id).backend_name == "database"


@pytest.mark.django_db
def test_job_left_running_by_a_dead_worker_is_requeued(settings):
    settings.TASKS = {"default": FALLBACK_TASKS["database"]}
    stale = send_task_reminders_task.enqueue("2026-12-01")
    fresh = send_task_reminders_task.enqueue("2026-12-02")
    DBTaskResult.objects.filter(pk=stale.id).update(
        status="RUNNING", started_at=timezone.now() - datetime.timedelta(hours=2)
    )
    DBTaskResult.objects.filter(pk=fresh.id).update(status="RUNNING", started_at=timezone.now())
    out = io.StringIO()
    call_command("recover_jobs", "--older-than", "60", stdout=out)
    assert "requeued 1 jobs" in out.getvalue()
    assert DBTaskResult.objects.get(pk=stale.id).status == "READY"
    assert DBTaskResult.objects.get(pk=fresh.id).status == "RUNNING"  # a live worker's


@pytest.mark.django_db(transaction=True)  # the worker closes connections
def test_worker_start_runs_a_job_left_running_by_its_dead_predecessor_exactly_once(settings):
    """``dangjian worker`` requeues the jobs its dead predecessor (same worker id) left
    RUNNING before it takes any job, runs each once, and leaves a live worker's job alone."""
    from django_tasks.signals import task_started

    settings.TASKS = {"default": FALLBACK_TASKS["database"]}
    orphan = send_task_reminders_task.enqueue("2026-12-01")
    live = send_task_reminders_task.enqueue("2026-12-02")
    DBTaskResult.objects.filter(pk=orphan.id).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=["host-a:default"]
    )
    DBTaskResult.objects.filter(pk=live.id).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=["host-b:default"]
    )
    runs = []

    def count(sender, task_result, **kwargs):
        runs.append(str(task_result.id))

    task_started.connect(count)
    try:
        out = io.StringIO()
        call_command("worker", "--worker-id", "host-a:default", "--batch", stdout=out)
        assert "requeued 1 jobs" in out.getvalue()
        # A second start (e.g. a restart right after) finds nothing left to recover or run.
        out = io.StringIO()
        call_command("worker", "--worker-id", "host-a:default", "--batch", stdout=out)
        assert "requeued 0 jobs" in out.getvalue()
    finally:
        task_started.disconnect(count)
    assert runs == [str(orphan.id)]
    assert DBTaskResult.objects.get(pk=orphan.id).status == "SUCCESSFUL"
    assert DBTaskResult.objects.get(pk=live.id).status == "RUNNING"  # another, live worker's


@pytest.mark.django_db(transaction=True)
def test_worker_start_requeues_jobs_of_any_worker_running_too_long(settings):
    settings.TASKS = {"default": FALLBACK_TASKS["database"]}
    stale = send_task_reminders_task.enqueue("2026-12-01")
    DBTaskResult.objects.filter(pk=stale.id).update(
        status="RUNNING",
        started_at=timezone.now() - datetime.timedelta(hours=2),
        worker_ids=["gone-host:default"],
    )
    out = io.StringIO()
    call_command("worker", "--worker-id", "host-a:default", "--batch", stdout=out)
    assert "requeued 1 jobs" in out.getvalue()
    assert DBTaskResult.objects.get(pk=stale.id).status == "SUCCESSFUL"
