"""The configurable identity rules, read from settings at the moment they apply.

Every value has a default here, so the rules hold even where a setting is
missing; ``DANGJIAN_PRODUCTION`` chooses the defaults (settings.py and
docs/security.md): the MLPS rules in production mode, OWASP's otherwise.
Reading at call time (not import time) lets tests switch them with
``override_settings``.
"""

from __future__ import annotations

import datetime

from django.conf import settings


def production() -> bool:
    return bool(getattr(settings, "DANGJIAN_PRODUCTION", False))


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def password_min_length() -> int:
    return _int("PASSWORD_MIN_LENGTH", 8)


def password_min_classes() -> int:
    """How many of the four character classes (upper, lower, digit, symbol) a password needs."""
    return _int("PASSWORD_MIN_CLASSES", 3 if production() else 1)


def password_history() -> int:
    """A new password may not be any of the user's last N."""
    return _int("PASSWORD_HISTORY_COUNT", 5)


def password_max_age() -> datetime.timedelta | None:
    days = _int("PASSWORD_MAX_AGE_DAYS", 90 if production() else 0)
    return datetime.timedelta(days=days) if days > 0 else None


def change_assigned_passwords() -> bool:
    """Whether a password set by someone else (admin, import, demo) must be changed at log-in."""
    return bool(getattr(settings, "PASSWORD_CHANGE_ASSIGNED", production()))


def login_max_failures() -> int:
    return _int("LOGIN_MAX_FAILURES", 5)


def login_lock_duration() -> datetime.timedelta:
    return datetime.timedelta(minutes=_int("LOGIN_LOCK_MINUTES", 30))


def address_max_failures() -> int:
    return _int("LOGIN_ADDRESS_MAX_FAILURES", 20)


def address_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=_int("LOGIN_ADDRESS_WINDOW_MINUTES", 15))


def session_idle_seconds() -> int:
    return _int("SESSION_IDLE_MINUTES", 30) * 60


def session_lifetime_seconds() -> int:
    return _int("SESSION_COOKIE_AGE", 8 * 3600)


def session_limit() -> int:
    """Sessions one account may hold at once (0: no limit); the oldest is ended beyond it."""
    return _int("SESSION_MAX_PER_USER", 1 if production() else 0)


def blocked_usernames() -> frozenset[str]:
    """Accounts that may not log in at all: the built-in ``admin`` in production mode."""
    names = getattr(settings, "PRODUCTION_BLOCKED_USERNAMES", ("admin",))
    return frozenset(n.lower() for n in names) if production() else frozenset()
