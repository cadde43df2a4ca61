"""Production mode refuses to start unsafe (issue 6, "Demo and production modes").

The checks are Django system checks (``dangjian check --deploy`` shows them) and
:func:`refuse_unsafe_start` runs them when the WSGI application is loaded, so
gunicorn's worker fails to boot and gunicorn exits with the message.
"""

from __future__ import annotations

import itertools
import math
import os

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections

from . import rules

TAG = "dangjian_production"
INSECURE_KEYS = frozenset({"insecure-development-key-not-for-any-deployment"})
DEMO_PASSWORD_VARIABLES = ("DANGJIAN_DEMO_PASSWORD", "DANGJIAN_GENERATED_DEMO_PASSWORD")


# The repository's own keys (the test settings' defaults, the tests' and the docs' examples):
# public, so never secret. The structural rules below refuse them too; the list says so by name.
REPOSITORY_KEYS = frozenset(
    {
        "00112233445566778899aabbccddeeff",
        "ffeeddccbbaa99887766554433221100" * 2,
        "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" * 2,
        "0f" * 16,
        "1e" * 32,
        "ff" * 16,
        "11" * 16,
        "0123456789abcdeffedcba9876543210",  # the SM4 standard's example key (GB/T 32907)
    }
)
# Low entropy, measured (docs/security.md, "Keys refused in production mode"): a key of n
# bytes (SECRET_KEY: n characters) is refused when it is shorter than the minimum, repeats a
# block of BLOCK symbols, has fewer distinct symbols than n * DISTINCT, or its successive
# differences take fewer distinct values than (n - 1) * STEPS (a counter or a stepping
# pattern). A random key passes: a false refusal is below one in a million (docs/security.md).
MIN_KEY_BYTES = 16
MIN_SECRET_CHARACTERS = 50
KEY_RULES = {"block": 4, "distinct": 1 / 2, "steps": 1 / 2}
SECRET_RULES = {"block": 8, "distinct": 0, "steps": 1 / 4}
MIN_SECRET_BITS = 128


def low_entropy(symbols: bytes | str, *, block: int, distinct: float, steps: float) -> str:
    """Why these key symbols are of low entropy ("" when none of the rules applies)."""
    values = list(symbols.encode() if isinstance(symbols, str) else symbols)
    n = len(values)
    seen = set()
    for i in range(n - block + 1):
        piece = tuple(values[i : i + block])
        if piece in seen:
            return "it repeats a sequence"
        seen.add(piece)
    if len(set(values)) < n * distinct:
        return "it has too few distinct values"
    differences = {(b - a) % 256 for a, b in itertools.pairwise(values)}
    if len(differences) < (n - 1) * steps:
        return "it counts or steps regularly"
    return ""


def weak_key_reason(raw: bytes) -> str:
    """Why a data, index, audit or backup key (decoded bytes) is refused ("" when it is not)."""
    if not raw:
        return "it is empty"
    if len(raw) < MIN_KEY_BYTES:
        return f"it is shorter than {MIN_KEY_BYTES} bytes"
    if raw.hex() in REPOSITORY_KEYS:
        return "it is one of the repository's own test keys"
    return low_entropy(raw, **KEY_RULES)


def weak_secret_reason(key: str) -> str:
    """Why SECRET_KEY is refused ("" when it is not)."""
    if not key or key in INSECURE_KEYS or key.startswith("django-insecure"):
        return "it is empty or the development default"
    if len(key) < MIN_SECRET_CHARACTERS:
        return f"it is shorter than {MIN_SECRET_CHARACTERS} characters"
    distinct = len(set(key))
    if distinct < 5 or len(key) * math.log2(distinct) < MIN_SECRET_BITS:
        return "it has too few distinct characters"
    return low_entropy(key, **SECRET_RULES)


@checks.register(checks.Tags.security, TAG, deploy=True)
def production_settings(app_configs=None, **kwargs):
    if not rules.production():
        return []
    errors = []
    secret_reason = weak_secret_reason(str(settings.SECRET_KEY))
    if secret_reason:
        errors.append(
            checks.Error(
                f"Production mode with the default or a weak secret key: {secret_reason}.",
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


@checks.register(checks.Tags.security, TAG, deploy=True)
def production_keys(app_configs=None, **kwargs):
    """The data, index, audit and backup keys: present, not the repository's, not low entropy.

    The previous keys of a rotation (OLD_*) are not checked: they are being replaced, and a
    weak one is exactly what a rotation away from it holds.
    """
    if not rules.production():
        return []
    from dangjian.core import backup, crypto

    try:
        keys = crypto.get_keys.__wrapped__()  # not the cached keys: the settings may differ
        found = {
            "DANGJIAN_DATA_KEY": keys.data,
            "DANGJIAN_INDEX_KEY": keys.index,
            "DANGJIAN_AUDIT_KEY": keys.audit,
        }
        if _backup_key_configured():
            found["DANGJIAN_BACKUP_KEY"] = backup.backup_key()
    except (ImproperlyConfigured, OSError) as exc:
        return [checks.Error(f"Production mode without usable keys: {exc}", id="dangjian.E007")]
    errors = []
    for name, raw in found.items():
        reason = weak_key_reason(raw)
        if reason:
            errors.append(
                checks.Error(
                    f"Production mode with a weak {name}: {reason}.",
                    hint="Generate it at random "
                    '(python3 -c "import secrets; print(secrets.token_hex(32))"; '
                    "the data and backup keys take token_hex(16)).",
                    id="dangjian.E007",
                )
            )
    return errors


def _backup_key_configured() -> bool:
    if getattr(settings, "DANGJIAN_BACKUP_KEY", None):
        return True
    if not settings.DANGJIAN_KEY_FILE:
        return False
    with open(settings.DANGJIAN_KEY_FILE, encoding="ascii") as fh:
        return any(line.strip().partition("=")[0] == "BACKUP_KEY" for line in fh)


@checks.register(checks.Tags.security, TAG, deploy=True)
def production_separated_duties(app_configs=None, **kwargs):
    """三员分立: no account may hold one of the three duties together with another role."""
    if not rules.production():
        return []
    from dangjian.access.selectors import duty_violations

    try:
        found = duty_violations()
    except DatabaseError:
        return [
            checks.Warning(
                "Could not check the role grants for separated duties (database not ready).",
                id="dangjian.W002",
            )
        ]
    if not found:
        return []
    accounts = "; ".join(f"{name} ({', '.join(roles)})" for name, roles in found)
    return [
        checks.Error(
            "Production mode with accounts holding a separated duty (platform administrator, "
            f"security administrator, auditor) together with another role: {accounts}.",
            hint="Revoke the extra roles on the roles page (security administrator); "
            "`dangjian check_duties` lists them.",
            id="dangjian.E008",
        )
    ]


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
