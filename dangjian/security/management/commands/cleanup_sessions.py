"""``dangjian cleanup_sessions``: remove expired sessions and what refers to them (hourly).

Django keeps an expired session's row until ``clearsessions`` runs, and our
``UserSession`` rows (one per logged-in session, for "end all sessions" and the
session limit) stay behind when a session simply expires — the user closed the
browser instead of logging out. This runs ``clearsessions``, then deletes the
``UserSession`` rows whose session no longer exists and the failed log-ins older
than the address window (they no longer count). scripts/demo runs it hourly;
production: a cron job or systemd timer (README, Operations).
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from dangjian.security import rules
from dangjian.security.models import FailedLogin, UserSession


def remove_dead_user_sessions() -> int:
    """Delete the UserSession rows whose session is gone or expired; returns how many."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store_class, "get_model_class"):  # db and cached_db: the table is the truth
        live = store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
        dead = UserSession.objects.exclude(session_key__in=live.values("session_key"))
        return dead.delete()[0]
    store = store_class()
    gone = [
        pk
        for pk, key in UserSession.objects.values_list("pk", "session_key").iterator()
        if not store.exists(key)
    ]
    return UserSession.objects.filter(pk__in=gone).delete()[0]


class Command(BaseCommand):
    help = "Delete expired sessions, the session records of ended sessions and old failed log-ins."

    def handle(self, *args, **options):
        call_command("clearsessions")
        sessions = remove_dead_user_sessions()
        failures = FailedLogin.objects.filter(
            occurred_at__lt=timezone.now() - rules.address_window()
        ).delete()[0]
        self.stdout.write(f"removed {sessions} ended sessions, {failures} old failed log-ins")
