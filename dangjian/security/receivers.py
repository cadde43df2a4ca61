"""Receivers of Django's auth signals and of user saves (connected in apps.py)."""

from __future__ import annotations

from dangjian.access import api_tokens

from . import services


def logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        services.login_succeeded(request, user)


def logged_out(sender, request, user, **kwargs):
    if request is not None:
        services.session_ended(request)


def login_failed(sender, credentials, request=None, **kwargs):
    services.login_failed(request, credentials.get("username", ""))


def user_saved(sender, instance, created, update_fields=None, **kwargs):
    """A disabled account loses every session and API token at once."""
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    services.end_sessions(instance, reason="account disabled")
    api_tokens.revoke_all(user=instance, reason=api_tokens.ACCOUNT_DISABLED)
