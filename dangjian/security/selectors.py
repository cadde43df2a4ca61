"""Reads for the security administrator's page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.utils import timezone

from dangjian.access import policy

from . import rules, services
from .models import AccountState, FailedLogin


def _guard(user) -> None:
    if not policy.can(user, services.MANAGE_ACTION):
        raise PermissionDenied


def locked_accounts(user):
    """Accounts locked now, the latest lock first."""
    _guard(user)
    return (
        AccountState.objects.filter(locked_until__gt=timezone.now())
        .select_related("user")
        .order_by("-locked_at", "user__username")
    )


def failing_accounts(user, limit: int = 50):
    """Accounts with failed log-ins since their last success, not locked (yet)."""
    _guard(user)
    now = timezone.now()
    return list(
        AccountState.objects.filter(failed_logins__gt=0)
        .exclude(locked_until__gt=now)
        .select_related("user")
        .order_by("-last_failure_at")[:limit]
    )


def throttled_addresses(user) -> list[dict]:
    """Client addresses over the failure limit in the current window."""
    _guard(user)
    since = timezone.now() - rules.address_window()
    return list(
        FailedLogin.objects.filter(occurred_at__gte=since)
        .values("address")
        .annotate(failures=Count("id"), last=Max("occurred_at"))
        .filter(failures__gte=rules.address_max_failures())
        .order_by("-failures", "address")
    )
