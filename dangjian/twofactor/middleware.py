"""Completing the log-in with a second factor.

Installed after ``AuthenticationMiddleware`` and django-otp's
``OTPMiddleware`` (which sets ``request.user.is_verified()``). A logged-in user
who needs a second factor (services.requirement) and has not given one in
this session reaches only the verify and enrol pages, log-out, the
language switch and a *forced* password change (never the free one); every
other page redirects there (htmx: ``HX-Redirect``), and the API answers 403.
It does not care how the password step was done, so it is independent of the
log-in view.

API tokens: ``POST /api/auth/token/`` for a user who needs a second factor
must carry ``otp_token`` (a current code or a recovery code) besides the
password; the token so issued is then the credential of the API client.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.access.api_tokens import TWO_FACTOR_CHECKED
from dangjian.security import services as security_services

from . import conf, services

EXEMPT_VIEWS = frozenset(
    {
        "twofactor:verify",
        "twofactor:enroll",
        "login",
        "logout",
        "set_language",
        "api-token",
        "healthz",
    }
)
# The forced password change (dangjian.security) comes first when both are due: its
# middleware lets nothing else through, so exempting it here is what avoids a loop. Only
# the forced change: a password chosen freely needs the second factor like any other page.
FORCED_CHANGE_VIEW = "security:password_change"


def exempt_views() -> frozenset[str]:
    """Views an unverified session may open (others may add theirs in settings)."""
    return EXEMPT_VIEWS | frozenset(getattr(settings, "TWOFACTOR_EXEMPT_VIEWS", ()))


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and conf.mode() != conf.OFF:
            refused = _check_token_request(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or conf.mode() == conf.OFF:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in exempt_views():
            return None
        forced = request.session.get(security_services.MUST_CHANGE)
        if forced and match is not None and match.view_name == FORCED_CHANGE_VIEW:
            return None
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        if user.is_verified():
            return None
        step = services.requirement(request, user)
        if step is None:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "error": "two_factor_required",
                    "detail": _("Complete the two-factor log-in first."),
                    "fields": {},
                },
                status=403,
            )
        target = reverse("twofactor:verify" if step == services.VERIFY else "twofactor:enroll")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)


def _check_token_request(request):
    """For the API token endpoint: a user who needs a second factor must send ``otp_token``.

    The password is checked here without Django's authenticate() (no second
    failed-log-in signal); a wrong password is left to the view's own answer,
    so this adds nothing an attacker without the password can learn.
    """
    if request.path_info != reverse("api-token"):
        return None
    data = _body(request)
    username, password = str(data.get("username", "")), str(data.get("password", ""))
    if not username or not password:
        return None
    user = get_user_model()._default_manager.filter(**{"username": username}).first()
    if user is None or not user.is_active or not user.check_password(password):
        return None
    if not services.needs_second_factor(user):
        return None
    code = str(data.get("otp_token", "") or "")
    if not code:
        message = _("This account needs a second factor: send otp_token as well.")
        return _error(message)
    outcome = services.verify(user=user, code=code)
    if not outcome.ok:
        return _error(outcome.error)
    # The token the view issues for this user carries the second factor.
    setattr(request, TWO_FACTOR_CHECKED, user.pk)
    return None


def _body(request) -> dict:
    """The token request's fields; {} for anything unreadable (the view answers that)."""
    try:
        raw = request.body  # read once; Django and DRF parse the cached copy afterwards
        content_type = request.content_type or ""
        if content_type == "application/json":
            data = json.loads(raw or b"{}")
            return data if isinstance(data, dict) else {}
        if content_type == "application/x-www-form-urlencoded":
            return QueryDict(raw, encoding=request.encoding).dict()
        if content_type == "multipart/form-data":
            return request.POST.dict()
    except Exception:  # malformed bodies are the view's business, not ours
        return {}
    return {}


def _error(message: str) -> JsonResponse:
    return JsonResponse(
        {"error": "invalid", "detail": message, "fields": {"otp_token": [message]}}, status=400
    )
