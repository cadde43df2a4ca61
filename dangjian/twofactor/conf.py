"""The two-factor settings (settings.py reads them from the environment; README lists them)."""

from __future__ import annotations

from django.conf import settings

REQUIRED, OPTIONAL, OFF = "required", "optional", "off"
TOTP, SM3 = "totp", "sm3"


def mode() -> str:
    return getattr(settings, "DANGJIAN_2FA", OPTIONAL)


def required_roles() -> frozenset[str]:
    return frozenset(getattr(settings, "DANGJIAN_2FA_REQUIRED_ROLES", ()))


def algorithm() -> str:
    return getattr(settings, "DANGJIAN_OTP_ALGORITHM", TOTP)


def max_failures() -> int:
    return max(1, int(getattr(settings, "DANGJIAN_2FA_MAX_FAILURES", 5)))


def window_minutes() -> int:
    return int(getattr(settings, "DANGJIAN_2FA_WINDOW_MINUTES", 15))


def lock_minutes() -> int:
    return int(getattr(settings, "DANGJIAN_2FA_LOCK_MINUTES", 15))


RECOVERY_CODE_COUNT = 10
