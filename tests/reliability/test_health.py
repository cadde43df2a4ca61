"""Health endpoint for the load balancer (issue 6, Reliability)."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone

from dangjian.core import health, heartbeat
from dangjian.core.models import WorkerHeartbeat
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


def test_health_endpoint_reports_database_cache_and_queue_without_login(client):
    heartbeat.beat("test-worker", started_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "queue": "ok", "worker": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


def test_health_endpoint_answers_503_naming_the_failed_check_without_details(client, monkeypatch):
    def broken():
        raise RuntimeError("password=secret host=db.internal version 16.2")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    checks = {"database": "fail", "cache": "ok", "queue": "ok", "worker": "degraded"}
    assert body == {"status": "fail", "checks": checks}
    assert "secret" not in response.content.decode()


def test_health_endpoint_fails_when_the_job_table_is_unreachable(client, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    def missing(*args, **kwargs):
        raise connection.features.connection.Database.OperationalError("no such table")

    monkeypatch.setattr(DBTaskResult.objects, "only", missing)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == "fail"


def test_health_endpoint_fails_when_the_cache_loses_writes(client, monkeypatch):
    monkeypatch.setattr(cache, "get", lambda *a, **k: None)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "fail"


@override_settings(TASKS=RQ_TASKS, RQ_QUEUES={"default": {"URL": "redis://127.0.0.1:1/0"}})
def test_health_endpoint_with_redis_down_is_degraded_not_failed(client, monkeypatch):
    """Jobs wait in the database while Redis is down, so the node stays in rotation."""
    monkeypatch.setattr(health, "redis_reachable", lambda: (_ for _ in ()).throw(ConnectionError()))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["queue"] == "degraded"


def test_health_endpoint_bypasses_forced_password_change(client, tree):
    from dangjian.security import services as security_services

    user = tree.users["office_staff"]
    assert client.login(username=user.username, password=PASSWORD)
    session = client.session
    session[security_services.MUST_CHANGE] = True
    session.save()
    assert client.get("/").status_code == 302  # every page sends to the password change
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "ok"


def test_health_endpoint_bypasses_two_factor(client, tree, monkeypatch):
    from dangjian.twofactor import conf
    from dangjian.twofactor import services as twofactor_services

    monkeypatch.setattr(conf, "mode", lambda: conf.REQUIRED)
    monkeypatch.setattr(twofactor_services, "requirement", lambda r, u: twofactor_services.VERIFY)
    user = tree.users["office_staff"]
    assert client.login(username=user.username, password=PASSWORD)
    assert client.get("/").status_code == 302  # every page sends to the second factor
    assert client.get("/healthz").status_code == 200


def test_health_endpoint_is_not_rate_limited(client):
    statuses = {client.get("/healthz").status_code for _ in range(60)}
    assert statuses == {200}


def test_health_endpoint_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_health_endpoint_says_when_no_worker_was_seen_lately(client, settings):
    """No heartbeat, or one older than the limit: degraded (jobs wait), still in rotation."""
    assert client.get("/healthz").json()["checks"]["worker"] == "degraded"
    heartbeat.beat("w1", started_at=timezone.now())
    assert client.get("/healthz").json()["checks"]["worker"] == "ok"
    settings.DANGJIAN_WORKER_STALE_SECONDS = 60
    old = timezone.now() - datetime.timedelta(seconds=61)
    WorkerHeartbeat.objects.filter(worker_id="w1").update(last_seen=old)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "degraded"


@pytest.mark.django_db(transaction=True)  # the worker closes connections
def test_worker_writes_its_heartbeat():
    """`dangjian worker --batch` leaves its heartbeat, with its id."""
    from django.core.management import call_command

    call_command("worker", "--batch", "--worker-id", "hb-test", stdout=io.StringIO())
    row = WorkerHeartbeat.objects.get(worker_id="hb-test")
    assert (timezone.now() - row.last_seen).total_seconds() < 60


def test_a_transient_lock_runs_the_worker_again_and_other_errors_end_it():
    calls = []

    def worker():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("database is locked")

    assert heartbeat.run_retrying(worker, sleep=lambda s: None) == 2
    assert len(calls) == 3

    def broken():
        raise OperationalError("no such table: django_tasks_database_dbtaskresult")

    with pytest.raises(OperationalError):
        heartbeat.run_retrying(broken, sleep=lambda s: None)


def test_home_page_tells_the_offices_when_no_worker_was_seen(client, tree):
    """The office sees the warning until a worker beats; a branch secretary never does."""
    assert client.login(username=tree.users["office_staff"].username, password=PASSWORD)
    assert 'data-testid="worker-missing"' in client.get("/").content.decode()
    heartbeat.beat("w1", started_at=timezone.now())
    assert 'data-testid="worker-missing"' not in client.get("/").content.decode()
    WorkerHeartbeat.objects.all().delete()
    client.logout()
    assert client.login(username=tree.users["branch_secretary"].username, password=PASSWORD)
    assert 'data-testid="worker-missing"' not in client.get("/").content.decode()
