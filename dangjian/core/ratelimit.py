"""Rate limits counted in the shared cache: the API throttles and the QR sign-in limit.

The counts live in Django's default cache, the database cache table
(settings ``CACHES``), so every gunicorn worker and every server behind the
load balancer adds to the same count. A limit is a fixed window: at most N hits
per period for one key (a user or a client address) within one scope; the
window is the current period counted from the epoch, so the answer to a refused
request says exactly when the window ends (``Retry-After``). A refused request
is not counted, and is logged (scope, user id, view — no address, no names) and
audited once per key and window, so a flood cannot flood the audit log.

Counting is a read followed by a write, not an atomic increment (the database
cache has none): simultaneous requests of one key may each read the same count,
so a burst can pass a few requests beyond the limit — never more than the
requests in flight at that moment.

Rates are written as DRF's are: ``"600/min"``, ``"60/hour"``, ``"10/s"``,
``"100/day"``, with an optional multiplier (``"5/15min"``); ``"off"`` or ``0``
means no limit.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.crypto import salted_hmac
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PERIOD_RE = re.compile(r"(\d*)\s*([smhd])[a-z]*")
_NO_LIMIT = {"", "off", "none", "0"}

# The audit note and the log say which limit it was; these are the scopes in use.
API_USER = "api_user"
API_ANON = "api_anon"
SIGNIN_USER = "signin_user"
SIGNIN_ADDRESS = "signin_address"


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text) -> Rate | None:
    """``"600/min"`` → ``Rate(600, 60)``; ``"off"``, ``"0"``, empty or None → None (no limit)."""
    if text is None:
        return None
    value = str(text).strip().lower()
    if value in _NO_LIMIT:
        return None
    number, _slash, period = value.partition("/")
    match = _PERIOD_RE.fullmatch(period.strip())
    if not number.strip().isdigit() or match is None:
        raise ImproperlyConfigured(
            f"Rate {text!r} is not COUNT/PERIOD (e.g. 600/min, 60/hour) or off."
        )
    count = int(number)
    if count <= 0:
        return None
    return Rate(count, int(match.group(1) or 1) * _PERIODS[match.group(2)])


def _now() -> float:
    return time.time()


def _key(scope: str, ident, window: int) -> str:
    # Keyed digest: the table holds no addresses or user ids in the clear.
    digest = salted_hmac("dangjian.ratelimit", f"{scope}\n{ident}").hexdigest()[:32]
    return f"rl:{scope}:{digest}:{window}"


def hit(scope: str, ident, rate: Rate | None) -> tuple[int, str]:
    """Count one hit of ``ident`` in ``scope``.

    Returns ``(0, key)`` when allowed, else ``(seconds until the window ends, key)``;
    a refused hit is not counted.
    """
    if rate is None or ident in (None, ""):
        return 0, ""
    now = _now()
    window = int(now // rate.seconds)
    key = _key(scope, ident, window)
    remaining = (window + 1) * rate.seconds - now
    count = cache.get(key, 0)
    if count >= rate.count:
        return max(1, math.ceil(remaining)), key
    cache.set(key, count + 1, timeout=math.ceil(remaining) + 1)
    return 0, key


def client_address(request) -> str:
    """``REMOTE_ADDR``, as the log-in throttle and the audit log use (docs/security.md)."""
    return request.META.get("REMOTE_ADDR") or ""


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match else "") or "?"


def refused(request, scope: str, key: str, wait: int) -> None:
    """Log a refusal; audit it the first time in the key's window."""
    from . import audit

    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    view = _view_name(request)
    logger.warning(
        "rate limit %s exceeded: user=%s view=%s retry_after=%ss",
        scope,
        user.pk if authenticated else "anonymous",
        view,
        wait,
    )
    if cache.add(f"{key}:audited", 1, timeout=wait + 1):
        with transaction.atomic():
            audit.record(
                actor=user if authenticated else None,
                action=audit.AuditEvent.Action.THROTTLED,
                object_type="ratelimit",
                object_repr=scope,
                note=f"rate limit {scope} exceeded at {view}; "
                "later refusals in this window are only logged",
            )


def check(request, limits: list[tuple[str, object, Rate | None]]) -> int:
    """Count the request against each ``(scope, ident, rate)``; the wait (0: allowed).

    The first limit that refuses ends the counting (later ones are not charged).
    """
    for scope, ident, rate in limits:
        wait, key = hit(scope, ident, rate)
        if wait:
            refused(request, scope, key, wait)
            return wait
    return 0


# --- the QR sign-in ------------------------------------------------------------------------


def signin_wait(request) -> int:
    """Seconds a sign-in request must wait (0: go on): per client address and per user."""
    return check(
        request,
        [
            (
                SIGNIN_ADDRESS,
                client_address(request),
                parse_rate(getattr(settings, "MEETING_SIGNIN_RATE_ADDRESS", "300/min")),
            ),
            (
                SIGNIN_USER,
                request.user.pk,
                parse_rate(getattr(settings, "MEETING_SIGNIN_RATE_USER", "20/min")),
            ),
        ],
    )


# --- the API (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]) ------------------------------------


def api_rate(scope: str) -> Rate | None:
    rates = api_settings.DEFAULT_THROTTLE_RATES or {}
    if scope not in rates:
        raise ImproperlyConfigured(
            f"No rate for throttle scope {scope!r} in DEFAULT_THROTTLE_RATES."
        )
    return parse_rate(rates[scope])


def _ident(request):
    user = request.user
    return ("user", user.pk) if user.is_authenticated else ("address", client_address(request))


def api_anonymous_wait(request) -> int:
    """Count an anonymous request (also one refused 401) for its address; the wait."""
    if request is None:
        return 0
    return check(request, [(API_ANON, client_address(request), api_rate("anon"))])


class ApiRateThrottle(BaseThrottle):
    """Every API request: the view's stricter ``throttle_scope`` rate if it has one (an
    expensive or sensitive endpoint; ``@action(throttle_scope=…)``), then the general rate
    — per user when authenticated (``user``), else per address (``anon``). One class, so
    a request refused by one limit is not charged to the other (``check`` stops at the
    first refusal). DRF refuses an anonymous request to a protected endpoint (401) before
    throttles run; ``core.api.exception_handler`` counts those for the address too."""

    def allow_request(self, request, view):
        kind, ident = _ident(request)
        limits = []
        scope = getattr(view, "throttle_scope", None)
        if scope:
            limits.append((f"api_{scope}_{kind}", ident, api_rate(scope)))
        if kind == "user":
            limits.append((API_USER, ident, api_rate("user")))
        else:
            limits.append((API_ANON, ident, api_rate("anon")))
        self._wait = check(request, limits)
        return not self._wait

    def wait(self):
        return self._wait
