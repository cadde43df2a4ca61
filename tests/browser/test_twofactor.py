"""Two-factor login in a real browser: an office user sets up an authenticator (the test reads
the secret from the page and computes the code, as an app would), logs out, and logs in
again with password + code, then with a recovery code. The server runs in the default
(optional) mode, where whoever set up a second factor must give it at every log-in."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from dangjian.core.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STEP, DIGITS = 30, 6


def path_of(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def code(secret: bytes, offset: int = 0) -> str:
    return f"{totp(secret, STEP, 0, DIGITS, drift=offset):0{DIGITS}d}"


def test_office_user_enrols_logs_out_and_logs_in_with_password_and_code(
    page, browser_tree, login, screenshot_dir
):
    """Enrol (QR + secret, activate with a computed code, recovery codes), then a new log-in
    stops at the verify page until the code is given; a wrong code is refused."""
    office = browser_tree.users["office_staff"]
    login(page, office.username)
    page.get_by_test_id("twofactor-link").click()
    page.get_by_test_id("twofactor-setup").click()

    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    secret = b32decode(page.get_by_test_id("otp-secret").inner_text().strip())
    page.fill("#id_code", code(secret))
    page.get_by_test_id("otp-activate").click()
    codes = page.get_by_test_id("recovery-codes").locator("code")
    expect(codes).to_have_count(10)
    page.screenshot(path=str(screenshot_dir / "twofactor-recovery-codes.png"))
    recovery_code = codes.first.inner_text().strip()
    page.get_by_test_id("recovery-continue").click()

    page.locator("form[action='/accounts/logout/'] button").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))

    login(page, office.username)
    assert path_of(page).startswith("/2fa/verify/"), "the password alone does not open the site"
    page.goto("/orgs/")
    assert path_of(page).startswith("/2fa/verify/")
    expect(page.get_by_test_id("current-user")).to_contain_text(office.username)

    page.fill("#id_code", "000000")
    page.get_by_test_id("otp-verify").click()
    expect(page.locator("ul.errorlist[data-field='code']")).to_be_visible()
    assert path_of(page).startswith("/2fa/verify/")

    # The code of the enrolment period was used; the next period's code is accepted (±1 step).
    time.sleep(1.1)  # past django-otp's back-off after the wrong code
    page.fill("#id_code", code(secret, offset=1))
    page.get_by_test_id("otp-verify").click()
    page.wait_for_url(lambda url: "/2fa/verify/" not in url)
    assert path_of(page).startswith("/orgs/"), "back to the page asked for before the code"
    expect(page.get_by_test_id("org-tree")).to_be_visible()

    notes = list(AuditEvent.objects.filter(actor=office).values_list("action", "note"))
    assert ("login", "two-factor verified (totp)") in notes
    assert any(a == "create" and "two-factor enrolment" in n for a, n in notes)
    assert any(a == "login_failed" and "two-factor code refused" in n for a, n in notes)

    # A recovery code as shown at enrolment (only its keyed hash is stored) logs in too.
    page.locator("form[action='/accounts/logout/'] button").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    login(page, office.username)
    page.fill("#id_code", recovery_code)
    page.get_by_test_id("otp-verify").click()
    page.wait_for_url(lambda url: "/2fa/verify/" not in url)
    notes = list(AuditEvent.objects.filter(actor=office).values_list("action", "note"))
    assert ("login", "two-factor verified with a recovery code (9 left)") in notes
