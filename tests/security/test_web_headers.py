"""GB/T 22239-2019 8.1.4.x / OWASP: the browser is told to run only our own code.

Content Security Policy without inline script or style, clickjacking refused
(X-Frame-Options and frame-ancestors), HSTS in production, and no template
carrying inline code the policy would block.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD

DANGJIAN_DIR = Path(__file__).resolve().parents[2] / "dangjian"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.fixture
def staff_client(client, office_staff):
    assert client.login(username=office_staff.username, password=PASSWORD)
    return client


def test_csp_header_allows_no_inline_script_or_style(staff_client):
    response = staff_client.get(reverse("core:home"))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert set(policy["img-src"]) == {"'self'", "data:"}
    every_source = " ".join(" ".join(v) for v in policy.values())
    assert "unsafe-inline" not in every_source
    assert "unsafe-eval" not in every_source
    assert "http:" not in every_source and "https:" not in every_source and "*" not in every_source


def test_csp_header_is_on_the_login_page_and_the_api(client, staff_client):
    assert "Content-Security-Policy" in client.get(reverse("login"))
    assert "Content-Security-Policy" in staff_client.get("/api/me/")


def test_clickjacking_every_page_refuses_framing(client, staff_client):
    for response in (client.get(reverse("login")), staff_client.get(reverse("core:home"))):
        assert response["X-Frame-Options"] == "DENY"
        assert _policy(response)["frame-ancestors"] == ["'none'"]


def test_htmx_runs_without_eval_and_without_injected_styles(staff_client):
    html = staff_client.get(reverse("core:home")).content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert match, "base.html must configure htmx"
    import json

    config = json.loads(match.group(1))
    assert config == {"includeIndicatorStyles": False, "allowEval": False}
    css = (DANGJIAN_DIR / "static" / "dangjian" / "app.css").read_text()
    assert ".htmx-indicator" in css  # the indicator style htmx no longer injects


def _templates():
    return sorted(DANGJIAN_DIR.rglob("templates/**/*.html"))


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style", re.I)


def test_no_template_has_inline_script_handlers_or_styles():
    """The policy would block them; they must live in static files."""
    assert _templates()
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern, what in (
            (INLINE_SCRIPT, "inline <script>"),
            (INLINE_HANDLER, "on* handler"),
            (INLINE_STYLE, "inline style"),
        ):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(DANGJIAN_DIR)}:{line}: {what}")
    assert not offenders, "\n".join(offenders)


def _home(user, *, secure: bool, **overrides):
    """SecurityMiddleware reads its settings when built: a new client per configuration."""
    with override_settings(**overrides):
        client = Client()
        client.force_login(user)
        return client.get(reverse("core:home"), secure=secure)


def test_hsts_sent_over_https_in_production_settings(office_staff):
    response = _home(
        office_staff,
        secure=True,
        SECURE_HSTS_SECONDS=31536000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=False,
    )
    header = response["Strict-Transport-Security"]
    assert "max-age=31536000" in header
    assert "includeSubDomains" in header
    assert "preload" not in header


def test_hsts_not_sent_over_plain_http_or_in_demo_mode(office_staff):
    plain = _home(office_staff, secure=False, SECURE_HSTS_SECONDS=31536000)
    assert "Strict-Transport-Security" not in plain
    demo = _home(office_staff, secure=True, SECURE_HSTS_SECONDS=0)
    assert "Strict-Transport-Security" not in demo


def test_hsts_preload_off_by_default_and_ssl_redirect_configurable(db):
    assert settings.SECURE_HSTS_PRELOAD is False
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = Client().get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
