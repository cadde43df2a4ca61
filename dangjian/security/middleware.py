"""Session controls on every request of a logged-in user (after AuthenticationMiddleware).

* idle timeout and absolute lifetime: the session is ended and the user sent to log in;
* a session whose key changed while logged in is followed in the session table;
* a user who must change their password reaches nothing but the password page
  (and log-out, the log-in page, static files, the language switch).

Everything it needs is in the session itself: no query on an ordinary request.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.auth_audit import LOGOUT_NOTE_ATTRIBUTE

from . import rules, services

# Refresh the "last seen" stamp at most this often: a session write every few minutes, not
# per request. The idle time-out is then exact to a tenth of itself (and errs on the short side).
SEEN_RESOLUTION_SECONDS = 60
SEEN_RESOLUTION_FRACTION = 10
# Paths a user who must change their password may still open.
PASSWORD_CHANGE_EXEMPT_PREFIXES = ("/i18n/", "/favicon.ico", "/healthz")


def _redirect(request, url: str):
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request):
        session = request.session
        now = int(time.time())
        login_at = session.get(services.LOGIN_AT)
        if login_at is None:
            # A session from before these controls (or a log-in without the signal): adopt it.
            services.register_session(request, request.user, limit=False)
            return None
        seen_at = session.get(services.SEEN_AT, login_at)
        idle = rules.session_idle_seconds()
        lifetime = rules.session_lifetime_seconds()
        if idle and now - seen_at > idle:
            return self.end(request, "session ended: idle timeout")
        if lifetime and now - login_at > lifetime:
            return self.end(request, "session ended: lifetime reached")
        if now - seen_at >= max(SEEN_RESOLUTION_SECONDS, idle // SEEN_RESOLUTION_FRACTION):
            session[services.SEEN_AT] = now
        if session.get(services.KNOWN_KEY) != session.session_key:
            services.session_rekeyed(request)
        if session.get(services.MUST_CHANGE) and not self.exempt(request):
            return self.password_change_required(request)
        return None

    def end(self, request, note: str):
        setattr(request, LOGOUT_NOTE_ATTRIBUTE, note)
        path = request.get_full_path()
        logout(request)
        if request.path_info == reverse("login"):
            return None  # the log-in page goes on, anonymous: a log-in posted here counts
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "error": "not_authenticated",
                    "detail": _("Your session has ended. Please log in again."),
                    "fields": {},
                },
                status=401,
            )
        messages.info(request, _("Your session has ended. Please log in again."))
        if request.headers.get("HX-Request"):
            return _redirect(request, resolve_url(settings.LOGIN_URL))
        return redirect_to_login(path)

    def exempt(self, request) -> bool:
        path = request.path_info
        # The log-in page too: logging in (as anyone) starts a new session (views.LoginView).
        if path in (reverse("security:password_change"), reverse("logout"), reverse("login")):
            return True
        static = (settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")
        return path.startswith(static + PASSWORD_CHANGE_EXEMPT_PREFIXES)

    def password_change_required(self, request):
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "error": "password_change_required",
                    "detail": _("You must change your password before you continue."),
                    "fields": {},
                },
                status=403,
            )
        return _redirect(request, reverse("security:password_change"))
