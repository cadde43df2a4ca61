"""CSRF on every state-changing request: every URL pattern refuses a POST without a token.

The URL patterns are read from the resolver (a new view is covered without a
new row). Each is requested with POST — and the API's with PUT, PATCH and
DELETE — by a logged-in session without a CSRF token, with
``enforce_csrf_checks=True`` (the test client skips the check otherwise). The
CSRF check runs before the view, so placeholder ids are enough. Pages must
answer through the CSRF failure view; the API (session authentication) must
answer 403 naming the CSRF failure.
"""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponseForbidden
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from tests.factories import PASSWORD

PLACEHOLDER = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "x",
}


def csrf_failure(request, reason=""):
    response = HttpResponseForbidden("csrf")
    response["X-Test-CSRF-Failure"] = "1"
    return response


def _route_to_path(route: str) -> str:
    def sub(match):
        converter = match.group(1) or "str"
        return PLACEHOLDER.get(converter, "1")

    return re.sub(r"<(?:(\w+):)?\w+>", sub, route)


def _regex_to_path(regex: str) -> str:
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", regex)
    return path.lstrip("^").rstrip("$").replace("\\", "")


def iter_paths(resolver: URLResolver | None = None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        pattern = p.pattern
        if isinstance(pattern, RoutePattern):
            piece = _route_to_path(str(pattern))
        else:
            piece = _regex_to_path(str(pattern))
        if isinstance(p, URLResolver):
            yield from iter_paths(p, prefix + piece)
        elif isinstance(p, URLPattern):
            yield prefix + piece, p


def _paths():
    seen = {}
    for path, pattern in iter_paths():
        if path.startswith(("static/", "media/")):
            continue
        seen.setdefault("/" + path, pattern)
    return sorted(seen)


PATHS = _paths()
# Not state-changing through the session: they must still not accept the request.
EXEMPT = {
    # Credentials in the body, session authentication off: a forged cross-site request
    # cannot borrow the victim's session, and the answer is not readable cross-origin.
    "/api/auth/token/": "token request",
    "/healthz": "read-only health check (POST answers 405)",
}


def test_the_walk_finds_pages_and_the_api():
    assert len(PATHS) > 100
    assert any(p.startswith("/api/") for p in PATHS)
    assert "/accounts/login/" in PATHS


@override_settings(CSRF_FAILURE_VIEW="tests.security.test_web_csrf.csrf_failure")
def test_every_post_without_csrf_token_is_refused(tree):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=tree.users["office_staff"].username, password=PASSWORD)
    missed = []
    for path in PATHS:
        methods = ("post", "put", "patch", "delete") if path.startswith("/api/") else ("post",)
        for method in methods:
            response = getattr(client, method)(path, data={}, content_type="application/json")
            if path in EXEMPT:
                refused = response.status_code >= 400
            elif path.startswith("/api/"):
                refused = response.status_code == 403 and b"CSRF" in response.content
            else:
                refused = response.get("X-Test-CSRF-Failure") == "1"
            if not refused:
                missed.append(f"{method.upper()} {path} -> {response.status_code}")
    assert not missed, "accepted without a CSRF token:\n" + "\n".join(missed)


@override_settings(CSRF_FAILURE_VIEW="tests.security.test_web_csrf.csrf_failure")
def test_anonymous_login_post_without_token_is_refused(db):
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "x", "password": "y"}
    )
    assert response.get("X-Test-CSRF-Failure") == "1"


@pytest.mark.parametrize("path", ["/accounts/login/"])
def test_post_with_the_token_passes_the_csrf_check(path, db):
    client = Client(enforce_csrf_checks=True)
    client.get(path)
    token = client.cookies["csrftoken"].value
    response = client.post(path, {"username": "x", "password": "y", "csrfmiddlewaretoken": token})
    assert response.status_code == 200  # the form answers (wrong credentials), not a 403
