"""Logging in while the browser carries another user's live session cookie (issue 11, point 9).

One browser logs in as a branch secretary; its session cookie is copied into a second
browser, as a shared office PC or a planted cookie would leave it. Logging in there as
someone else must give that person their own new session — with and without a second
factor — and end the carried one.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.twofactor.conftest import code_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def path_of(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def _session_cookie(context) -> dict:
    return next(c for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)


def _carrying_the_session_of(page, other_page, login, user):
    """Log ``other_page`` in as ``user`` and put its session cookie into ``page``'s browser."""
    login(other_page, user.username)
    expect(other_page.get_by_test_id("current-user")).to_contain_text(user.username)
    cookie = _session_cookie(other_page.context)
    page.context.add_cookies([cookie])
    page.goto("/")
    expect(page.get_by_test_id("current-user")).to_contain_text(user.username)
    return cookie["value"]


def _submit_login(page, username: str) -> None:
    from tests.factories import PASSWORD

    page.goto("/accounts/login/")  # before: a redirect home, still as the carried user
    expect(page.get_by_test_id("login-replaces-session")).to_be_visible()
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_test_id("login-form").locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def other_page(chromium, app_server):
    context = chromium.new_context(base_url=app_server, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_log_in_over_another_users_session_cookie(page, other_page, browser_tree, login):
    first, second = browser_tree.users["branch_secretary"], browser_tree.users["member"]
    carried = _carrying_the_session_of(page, other_page, login, first)

    _submit_login(page, second.username)

    expect(page.get_by_test_id("current-user")).to_contain_text(second.username)
    expect(page.get_by_test_id("current-user")).not_to_contain_text(first.username)
    assert _session_cookie(page.context)["value"] != carried
    # The carried session ended: the browser it came from is sent to log in.
    other_page.goto("/orgs/")
    assert path_of(other_page).startswith("/accounts/login/")


def test_log_in_with_a_second_factor_over_another_users_session_cookie(
    page, other_page, browser_tree, login
):
    from dangjian.twofactor import services as twofactor

    first, second = browser_tree.users["branch_secretary"], browser_tree.users["office_staff"]
    device = twofactor.enrollment_start(user=second)
    assert twofactor.enrollment_confirm(user=second, code=code_for(device)).ok
    device.refresh_from_db()
    carried = _carrying_the_session_of(page, other_page, login, first)

    _submit_login(page, second.username)

    assert path_of(page).startswith("/2fa/verify/"), "the second user's own second factor"
    expect(page.get_by_test_id("current-user")).to_contain_text(second.username)
    page.goto("/orgs/")
    assert path_of(page).startswith("/2fa/verify/"), "nothing of the carried session opens"
    page.fill("#id_code", code_for(device, offset=1))
    page.get_by_test_id("otp-verify").click()
    page.wait_for_url(lambda url: "/2fa/verify/" not in url)
    expect(page.get_by_test_id("current-user")).to_contain_text(second.username)
    assert _session_cookie(page.context)["value"] != carried
