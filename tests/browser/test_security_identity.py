"""Identity controls in a real browser (GB/T 22239-2019 8.1.4.1 a and b).

* Lockout: wrong passwords lock the account; the page says only that the
  credentials are wrong, before and after the lock, even for the right password.
* Forced password change: a server started in production mode
  (``DANGJIAN_PRODUCTION=1``, its own gunicorn) sends a demo account whose
  password the demo set to the password page at the first log-in, holds it there,
  refuses a password that breaks the MLPS rules, and lets it in after the change.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.core.models import AuditEvent
from dangjian.security.models import AccountState
from tests import factories
from tests.browser.conftest import (
    DEFAULT_TIMEOUT_MS,
    PAGE_PROBLEMS,
    SERVER_START_SECONDS,
    PageProblems,
    _free_port,
    _wait_until_serving,
    database_url,
)
from tests.security.servers import gunicorn

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LOGIN_PATH = "/accounts/login/"
# Production mode refuses the repository's own and low-entropy keys (dangjian.E001, E007):
# this server gets random ones. It decrypts nothing the test process encrypted.
STRONG_KEY = secrets.token_urlsafe(50)
PRODUCTION_KEYS = {
    "DANGJIAN_DATA_KEY": secrets.token_hex(16),
    "DANGJIAN_INDEX_KEY": secrets.token_hex(32),
    "DANGJIAN_AUDIT_KEY": secrets.token_hex(32),
}


def path_of(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def submit_login(page, username: str, password: str) -> None:
    page.goto(LOGIN_PATH)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_8_1_4_1_b_lockout_after_wrong_passwords_says_only_wrong_credentials(
    page, browser_tree, screenshot_dir
):
    user = browser_tree.users["member"]
    limit = settings.LOGIN_MAX_FAILURES
    messages = set()
    for _ in range(limit):
        submit_login(page, user.username, "not-the-password")
        assert path_of(page).startswith(LOGIN_PATH)
        messages.add(page.get_by_test_id("login-error").inner_text().strip())
    state = AccountState.objects.get(user=user)
    assert state.locked_until is not None and state.locked_until > timezone.now()

    # Locked: the right password is refused too, with the very same words.
    submit_login(page, user.username, factories.PASSWORD)
    assert path_of(page).startswith(LOGIN_PATH)
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    messages.add(page.get_by_test_id("login-error").inner_text().strip())
    # An unknown user name gets the same words as well.
    submit_login(page, "no-such-account", factories.PASSWORD)
    messages.add(page.get_by_test_id("login-error").inner_text().strip())
    assert len(messages) == 1, "one message for wrong password, locked and unknown accounts"
    page.screenshot(path=str(screenshot_dir / "security-lockout.png"))

    notes = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).values_list(
            "note", flat=True
        )
    )
    assert notes.count("wrong password") == limit
    assert "account locked" in notes and "unknown user" in notes


@pytest.fixture(scope="module")
def production_server(django_db_setup):
    """gunicorn in production mode on the test database (refuses to start if unsafe)."""
    port = _free_port()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    log_path = Path(settings.VAR_DIR) / f"browser-production-server-{worker}.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DANGJIAN_") or k in {"DANGJIAN_CHROMIUM"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.security.production_settings",
            "DANGJIAN_PRODUCTION": "1",
            "DANGJIAN_SECRET_KEY": STRONG_KEY,
            "DATABASE_URL": database_url(),
            "DANGJIAN_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DANGJIAN_DB_CONN_MAX_AGE": "0",
            "DANGJIAN_VAR_DIR": str(settings.VAR_DIR),
            "DANGJIAN_LOG_LEVEL": "WARNING",
        }
    )
    env.update(PRODUCTION_KEYS)
    base_url = f"http://localhost:{port}"
    with gunicorn(env, log_path, port) as process:
        # Its worker loads the application and runs the start checks before it answers;
        # a loaded CI machine needs more than the shared server's start time.
        status = _wait_until_serving(f"{base_url}{LOGIN_PATH}", process, 4 * SERVER_START_SECONDS)
        if status != 200:
            tail = log_path.read_text(errors="replace")[-3000:]
            pytest.fail(f"the production-mode server answers {status}:\n{tail}")
        yield base_url


@pytest.fixture
def production_page(request, chromium, production_server):
    context = chromium.new_context(
        base_url=production_server, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    # Production hashing and the start checks make this server slower than the shared one.
    context.set_default_timeout(3 * DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems = request.node.stash[PAGE_PROBLEMS] = PageProblems()
    problems.watch(page)
    yield page
    context.close()


def test_8_1_4_1_a_forced_password_change_on_first_login_in_production(
    production_page, browser_tree, screenshot_dir
):
    from dangjian.core import demo

    page = production_page
    user = browser_tree.users["branch_secretary"]  # "zhibu", one of the demo accounts
    demo_password = "Demo-Passw0rd-2026"
    demo.reset_passwords(password=demo_password)  # as load_demo does at every start
    assert AccountState.objects.get(user=user).password_assigned

    submit_login(page, user.username, demo_password)
    assert path_of(page).startswith("/security/password/"), "first stop: the password page"
    expect(page.get_by_test_id("password-change-required")).to_be_visible()
    page.goto("/orgs/")
    assert path_of(page).startswith("/security/password/"), "nothing else opens before it"
    page.screenshot(path=str(screenshot_dir / "security-forced-password-change.png"))

    # Production mode applies the MLPS rules: two character classes are not enough.
    page.fill("#id_old_password", demo_password)
    page.fill("#id_new_password1", "onlylowercase-and-symbols")
    page.fill("#id_new_password2", "onlylowercase-and-symbols")
    page.click("main form button[type=submit]")
    expect(page.locator("ul.errorlist[data-field='new_password1']")).to_be_visible()
    assert path_of(page).startswith("/security/password/")

    new_password = "Own-Chosen-Passw0rd"
    page.fill("#id_old_password", demo_password)
    page.fill("#id_new_password1", new_password)
    page.fill("#id_new_password2", new_password)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/security/password/" not in url)
    page.goto("/orgs/")
    assert path_of(page).startswith("/orgs/")
    expect(page.get_by_test_id("current-user")).to_be_visible()

    state = AccountState.objects.get(user=user)
    assert not state.password_assigned
    user.refresh_from_db()
    # Stored by the server with the production hasher (the tests' own is MD5).
    assert PBKDF2PasswordHasher().verify(new_password, user.password)
    assert AuditEvent.objects.filter(
        actor=user, note="password changed by the account holder"
    ).exists()
