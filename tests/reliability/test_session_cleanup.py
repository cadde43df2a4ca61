"""Expired sessions are cleared on a schedule (issue 6, Reliability; scripts/demo hourly,
README: cron/systemd timer in production)."""

from __future__ import annotations

import datetime
import io
from importlib import import_module

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from dangjian.security.models import FailedLogin, UserSession

pytestmark = pytest.mark.django_db


def session(*, expires_in: int) -> str:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["note"] = "x"
    store.set_expiry(expires_in)
    store.save(must_create=True)
    return store.session_key


def test_session_cleanup_removes_expired_sessions_and_keeps_live_ones(tree):
    user, other = tree.users["member"], tree.users["branch_secretary"]
    live = session(expires_in=3600)
    expired = session(expires_in=-60)
    UserSession.objects.create(session_key=live, user=user)
    UserSession.objects.create(session_key=expired, user=user)
    UserSession.objects.create(session_key="gone" * 8, user=other)  # its session was deleted
    old = FailedLogin.objects.create(address="192.0.2.1", username="x")
    FailedLogin.objects.filter(pk=old.pk).update(
        occurred_at=timezone.now() - datetime.timedelta(days=2)
    )
    recent = FailedLogin.objects.create(address="192.0.2.1", username="x")

    out = io.StringIO()
    call_command("cleanup_sessions", stdout=out)

    assert "removed 2 ended sessions, 1 old failed log-ins" in out.getvalue()
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    assert store.exists(live) and not store.exists(expired)
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [live]
    assert list(FailedLogin.objects.values_list("pk", flat=True)) == [recent.pk]
    if settings.SESSION_ENGINE.endswith(".db"):
        from django.contrib.sessions.models import Session

        assert list(Session.objects.values_list("session_key", flat=True)) == [live]
