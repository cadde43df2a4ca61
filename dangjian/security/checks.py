"""Production mode refuses to start unsafe (issue 6, "Demo and production modes").

The checks are Django system checks (``dangjian check --deploy`` shows them) and
:func:`refuse_unsafe_start` runs them when the WSGI application is loaded, so
gunicorn's worker fails to boot and gunicorn exits with the message.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections

from . import rules

TAG = "dangjian_production"
INSECURE_KEYS = frozenset({"insecure-development-key-not-for-any-deployment"})
DEMO_PASSWORD_VARIABLES = ("DANGJIAN_DEMO_PASSWORD", "DANGJIAN_GENERATED_DEMO_PASSWORD")


def _weak_secret(key: str) -> bool:
    return (
        not key
        or key in INSECURE_KEYS
        or key.startswith("django-insecure")
        or len(key) < 50
        or len(set(key)) < 5
    )


@checks.register(checks.Tags.security, TAG, deploy=True)
def production_settings(app_configs=None, **kwargs):
    if not rules.production():
        return []
    errors = []
    if _weak_secret(str(settings.SECRET_KEY)):
        errors.append(
            checks.Error(
                "Production mode with the default or a weak secret key.",
                hint="Set DANGJIAN_SECRET_KEY to a random value of at least 50 characters "
                '(python3 -c "import secrets; print(secrets.token_urlsafe(50))").',
                id="dangjian.E001",
            )
        )
    if settings.DEBUG:
        errors.append(
            checks.Error(
                "Production mode with DEBUG on: error pages would show code and settings.",
                hint="Unset DANGJIAN_DEBUG.",
                id="dangjian.E002",
            )
        )
    if getattr(settings, "TESTING", False):
        errors.append(
            checks.Error(
                "Production mode with DANGJIAN_TESTING on (fast, weak password hashing and "
                "built-in test keys).",
                hint="Unset DANGJIAN_TESTING.",
                id="dangjian.E003",
            )
        )
    if not (settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        errors.append(
            checks.Error(
                "Production mode with cookies that may travel without TLS.",
                hint="Serve the platform over HTTPS and leave DANGJIAN_SECURE_COOKIES unset "
                "(production mode turns it on).",
                id="dangjian.E004",
            )
        )
    return errors


@checks.register(checks.Tags.security, TAG, deploy=True)
def production_demo_passwords(app_configs=None, **kwargs):
    if not rules.production():
        return []
    errors = []
    for variable in DEMO_PASSWORD_VARIABLES:
        if os.environ.get(variable):
            errors.append(
                checks.Error(
                    f"Production mode with {variable} set: the demo password is known.",
                    hint=f"Unset {variable} (and do not source var/demo.env in production).",
                    id="dangjian.E005",
                )
            )
    try:
        names = demo_password_accounts()
    except DatabaseError:
        return [
            *errors,
            checks.Warning(
                "Could not check the accounts for demo passwords (database not ready).",
                id="dangjian.W001",
            ),
        ]
    if names:
        errors.append(
            checks.Error(
                "Production mode with accounts still holding the demo password: "
                + ", ".join(names)
                + ".",
                hint="Have each holder change the password (in demo mode), or run "
                "`dangjian disable_demo_accounts`.",
                id="dangjian.E006",
            )
        )
    return errors


def demo_password_accounts() -> list[str]:
    """Active demo accounts whose password is still the one the demo gave them."""
    from django.contrib.auth import get_user_model

    from dangjian.core import demo

    from .models import AccountState

    if not demo.is_loaded():
        return []
    users = get_user_model().objects.filter(username__in=demo.ACCOUNT_NAMES, is_active=True)
    chosen = set(
        AccountState.objects.filter(user__in=users, password_assigned=False).values_list(
            "user_id", flat=True
        )
    )
    return sorted(u.username for u in users if u.pk not in chosen)


def refuse_unsafe_start() -> None:
    """Raise ImproperlyConfigured (the server does not start) on any production error."""
    if not rules.production():
        return
    try:
        found = checks.run_checks(tags=[TAG], include_deployment_checks=True)
    finally:
        connections.close_all()  # this thread serves no request; do not keep its connection
    serious = [e for e in found if e.is_serious()]
    if serious:
        lines = "\n".join(f"  {e.id}: {e.msg} {e.hint or ''}".rstrip() for e in serious)
        raise ImproperlyConfigured(
            "dangjian refuses to start in production mode (DANGJIAN_PRODUCTION=1):\n" + lines
        )
