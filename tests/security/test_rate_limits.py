"""Rate limits (issue 6, "rate limits on login, sign-in and the API"; "every 4xx carries a
structured error") and the shared cache they count in.

The clock of the limits is fixed in every test (``ratelimit._now``), so no window ends
between two requests of a test and the ``Retry-After`` value is exact.
"""

from __future__ import annotations

import importlib
import logging
import os
import sqlite3
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.access import api_tokens
from dangjian.access.models import User
from dangjian.core import ratelimit
from dangjian.core.models import AuditEvent
from dangjian.meetings import services as meeting_services
from dangjian.meetings.models import Attendance
from dangjian.security.models import AccountState, UserSession
from tests.factories import PASSWORD, make_member, make_user

# The start of a window of every period used here (a multiple of a day), plus 10 seconds.
NOW = 1_800_057_600 + 10
TABLE = settings.CACHES["default"]["LOCATION"]
MEMBERS = "/api/members/"
LOOKUP = "/api/members/lookup/"
SIGNIN = reverse("meetings:signin")
PASSWORD_PAGE = reverse("security:password_change")


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(ratelimit, "_now", lambda: NOW)


@pytest.fixture
def rates(settings):
    """Set API rates for a test (the others keep their configured value)."""

    def set_rates(**changes):
        rest = dict(settings.REST_FRAMEWORK)
        rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], **changes}
        settings.REST_FRAMEWORK = rest

    return set_rates


def token_client(user, address="10.0.0.1") -> APIClient:
    """A client with the user's token: as another process or machine would send it."""
    client = APIClient(REMOTE_ADDR=address)
    _token, key = api_tokens.token_issue(actor=user, user=user, second_factor=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_throttled(response, wait: int) -> dict:
    assert response.status_code == 429, response.status_code
    assert response["Retry-After"] == str(wait)
    body = response.json()
    assert set(body) == {"error", "detail", "fields"}
    assert body["error"] == "throttled" and body["fields"] == {}
    assert str(wait) in body["detail"]
    return body


def throttled_audits():
    return AuditEvent.objects.filter(action=AuditEvent.Action.THROTTLED)


# --- the shared cache ---------------------------------------------------------------------


def test_default_cache_is_the_database_table_created_by_migrate(db):
    """The default cache is DatabaseCache in its own table, and migration core.0005 creates the
    table (Django's test runner would create it anyway, so the migration's step is run here
    on a database without it)."""
    assert isinstance(caches["default"], DatabaseCache)
    assert TABLE in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(TABLE)}")
    assert TABLE not in connection.introspection.table_names()
    migration = importlib.import_module(
        "dangjian.core.migrations.0005_cache_table_throttled_action"
    )
    migration.create_cache_table(None, SimpleNamespace(connection=connection))
    assert TABLE in connection.introspection.table_names()
    caches["default"].set("after-migrate", 1)
    assert caches["default"].get("after-migrate") == 1


def test_migrate_on_an_empty_database_creates_the_cache_table(tmp_path):
    """`dangjian migrate` (what ./scripts/demo and production run) on a new SQLite database
    leaves the cache table in it."""
    database = tmp_path / "fresh.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DANGJIAN_TESTING": "1",
        "DANGJIAN_VAR_DIR": str(tmp_path),
    }
    subprocess.run(
        [sys.executable, "-m", "dangjian", "migrate", "--noinput", "--verbosity", "0"],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert TABLE in tables


def test_healthz_checks_the_shared_database_cache(db, client):
    """/healthz writes and reads its probe through the database cache table."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "ok"
    assert any(TABLE in query["sql"] for query in ctx.captured_queries)


def test_rates_are_parsed_like_drf_and_can_be_switched_off():
    assert ratelimit.parse_rate("600/min") == ratelimit.Rate(600, 60)
    assert ratelimit.parse_rate("60/hour") == ratelimit.Rate(60, 3600)
    assert ratelimit.parse_rate("5/15min") == ratelimit.Rate(5, 900)
    assert ratelimit.parse_rate("10/s") == ratelimit.Rate(10, 1)
    for off in ("off", "0", "", None, "0/min"):
        assert ratelimit.parse_rate(off) is None
    for bad in ("many", "10/fortnight", "ten/min"):
        with pytest.raises(ImproperlyConfigured):
            ratelimit.parse_rate(bad)


# --- the API ------------------------------------------------------------------------------


def test_api_user_rate_answers_429_structured_with_retry_after_shared_by_processes(tree, rates):
    """Requests of one user count together whichever client, worker or server sends them:
    the count is a row of the database cache, read afresh by a new cache connection (as
    another process has). Beyond the rate: 429, the structured error and Retry-After."""
    rates(user="2/min")
    office_staff = tree.users["office_staff"]
    assert token_client(office_staff, "10.0.0.1").get(MEMBERS).status_code == 200
    assert token_client(office_staff, "10.0.0.2").get(MEMBERS).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {connection.ops.quote_name(TABLE)} "  # noqa: S608
            "WHERE cache_key LIKE %s",
            ["%rl:api_user:%"],
        )
        assert cursor.fetchone()[0] == 1
    another_process = caches.create_connection("default")
    key = ratelimit._key(ratelimit.API_USER, office_staff.pk, NOW // 60)
    assert another_process.get(key) == 2
    assert_throttled(token_client(office_staff, "10.0.0.3").get(MEMBERS), 50)
    # Another user has a count of their own.
    assert token_client(tree.users["branch_secretary"]).get(MEMBERS).status_code == 200


def test_api_anonymous_rate_per_address_counts_refused_requests(tree, rates):
    """Anonymous requests (refused 401 before any throttle) count for their address; beyond
    the rate 429 with the structured error; another address is not affected."""
    rates(anon="3/min")
    stranger = APIClient(REMOTE_ADDR="10.9.9.9")
    for _ in range(3):
        assert stranger.get(MEMBERS).status_code == 401
    stranger.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert_throttled(stranger.get(MEMBERS), 50)
    assert APIClient(REMOTE_ADDR="10.9.9.10").get(MEMBERS).status_code == 401


def test_personal_data_lookup_and_reveal_have_a_stricter_scoped_rate(tree, rates):
    """Look-up by ID number and reveal share the scoped rate `personal_data`, far below the
    user's rate; other endpoints still answer."""
    rates(user="100/min", personal_data="2/hour")
    office_staff, member = tree.users["office_staff"], tree.members["member"]
    client = token_client(office_staff)
    assert client.post(LOOKUP, {"phone": "13800001234"}, format="json").status_code == 200
    reveal = f"{MEMBERS}{member.pk}/reveal/"
    assert client.post(reveal, {"field": "phone"}, format="json").status_code == 200
    assert_throttled(client.post(LOOKUP, {"phone": "13800001234"}, format="json"), 3590)
    assert_throttled(client.post(reveal, {"field": "phone"}, format="json"), 3590)
    assert client.get(MEMBERS).status_code == 200
    # The scope counts per user.
    secretary = token_client(tree.users["branch_secretary"])
    assert secretary.post(LOOKUP, {"phone": "13800001234"}, format="json").status_code == 200


def test_request_refused_by_the_scoped_rate_is_not_charged_to_the_user_rate(tree, rates):
    """A look-up refused by `personal_data` does not use up the user's general budget."""
    rates(user="3/min", personal_data="1/hour")
    client = token_client(tree.users["office_staff"])
    assert client.post(LOOKUP, {"phone": "13800001234"}, format="json").status_code == 200
    for _ in range(3):
        assert_throttled(client.post(LOOKUP, {"phone": "13800001234"}, format="json"), 3590)
    # One request charged so far: two more general requests pass, the third is refused.
    assert client.get(MEMBERS).status_code == 200
    assert client.get(MEMBERS).status_code == 200
    assert client.get(MEMBERS).status_code == 429


def test_report_parse_and_import_have_a_stricter_scoped_rate(tree, rates):
    """The news-report parse and import (parser work, writes) share the scoped rate `reports`."""
    rates(user="100/min", reports="1/hour")
    client = token_client(tree.users["office_staff"])
    first = client.post("/api/reports/parse/", {"text": "2023年5月6日,召开会议。"}, format="json")
    assert first.status_code == 200
    assert_throttled(client.post("/api/reports/import/", {}, format="json"), 3590)
    assert_throttled(client.post("/api/reports/parse/", {"text": "会议"}, format="json"), 3590)
    assert client.get(MEMBERS).status_code == 200


def test_429_audited_once_per_window_and_logged_without_personal_data(tree, rates, caplog):
    """The first refusal of a window writes one audit row (user, address, scope); every
    refusal is logged with the scope, the user id and the view — not the address, the
    user name or what was sent."""
    rates(personal_data="1/hour")
    office_staff = tree.users["office_staff"]
    client = token_client(office_staff, "10.7.7.7")
    phone = "13800001234"
    client.post(LOOKUP, {"phone": phone}, format="json")
    with caplog.at_level(logging.WARNING, logger="dangjian.core.ratelimit"):
        for _ in range(3):
            assert client.post(LOOKUP, {"phone": phone}, format="json").status_code == 429
    event = throttled_audits().get()
    assert event.actor == office_staff and event.ip_address == "10.7.7.7"
    assert event.object_repr == "api_personal_data_user" and "api-member-lookup" in event.note
    logged = [r.getMessage() for r in caplog.records if r.name == "dangjian.core.ratelimit"]
    assert len(logged) == 3
    assert all(f"user={office_staff.pk}" in line and "api-member-lookup" in line for line in logged)
    assert not any(text in line for line in logged for text in ("10.7.7.7", "jiguan", phone))


def test_default_rates_leave_normal_use_alone(tree):
    """With the configured defaults a burst of ordinary requests is never refused."""
    client = token_client(tree.users["office_staff"])
    for _ in range(30):
        assert client.get(MEMBERS).status_code == 200
    for _ in range(5):
        assert client.post(LOOKUP, {"phone": "13800001234"}, format="json").status_code == 200


# --- the QR sign-in -----------------------------------------------------------------------


@pytest.fixture
def meeting(tree):
    from django.utils import timezone

    return meeting_services.meeting_create(
        actor=None,
        organization=tree.orgs["branch"],
        kind="branch_committee",
        title="支部委员会会议",
        starts_at=timezone.now(),
        check=False,
    )


def test_qr_signin_rate_per_user_answers_a_429_page(tree, meeting, client, settings):
    """The sign-in page and its confirm count per user; beyond the rate a 429 page with
    Retry-After says to wait, and the refused confirm records nothing."""
    settings.MEETING_SIGNIN_RATE_USER = "2/min"
    token = meeting_services.signin_token(meeting)
    assert client.login(username="dangyuan", password=PASSWORD)
    assert client.get(SIGNIN, {"t": token}).status_code == 200
    assert client.get(SIGNIN, {"t": token}).status_code == 200
    response = client.post(SIGNIN, {"t": token})
    assert response.status_code == 429
    assert response["Retry-After"] == "50"
    assert b'data-testid="signin-error"' in response.content and b"50" in response.content
    row = Attendance.objects.get(meeting=meeting, member=tree.members["member"])
    assert row.status == "expected" and not row.via_qr
    assert throttled_audits().filter(object_repr=ratelimit.SIGNIN_USER).count() == 1


def test_qr_signin_rate_per_address_counts_every_user_of_the_address(
    tree, meeting, client, settings
):
    """Requests from one address count together whoever sends them."""
    settings.MEETING_SIGNIN_RATE_ADDRESS = "2/min"
    token = meeting_services.signin_token(meeting)
    make_user("qiandao", member=make_member(tree.orgs["branch"], "签到人"))
    assert client.login(username="dangyuan", password=PASSWORD)
    assert client.get(SIGNIN, {"t": token}).status_code == 200
    assert client.post(SIGNIN, {"t": token}).status_code == 200
    client.logout()
    assert client.login(username="qiandao", password=PASSWORD)
    assert client.get(SIGNIN, {"t": token}).status_code == 429
    other_address = client.get(SIGNIN, {"t": token}, REMOTE_ADDR="10.1.2.3")
    assert other_address.status_code == 200


# --- guessing the current password --------------------------------------------------------


def _guess(client, old):
    new = "Another-password-2025"
    return client.post(
        PASSWORD_PAGE, {"old_password": old, "new_password1": new, "new_password2": new}
    )


@pytest.fixture
def wrong_message():
    """The log-in page's one message, in the page's language (Chinese unless chosen)."""
    from django.utils import translation

    from dangjian.core.forms import LoginForm

    with translation.override(settings.LANGUAGE_CODE):
        return str(LoginForm.error_messages["invalid_login"])


def test_password_page_guesses_of_the_current_password_lock_the_account(
    tree, client, settings, wrong_message
):
    """Wrong current passwords on the password page count toward the log-in lock: at the
    limit the account is locked, every session ends and the log-in page shows the one
    message; each guess and the lock are audited."""
    settings.LOGIN_MAX_FAILURES = 3
    user = tree.users["member"]
    assert client.login(username="dangyuan", password=PASSWORD)
    for count in (1, 2):
        response = _guess(client, "wrong-guess")
        assert response.status_code == 200
        assert AccountState.objects.get(user=user).failed_logins == count
    response = _guess(client, "wrong-guess")
    assert response.status_code == 302 and response["Location"] == reverse("login")
    state = AccountState.objects.get(user=user)
    assert state.locked_until is not None
    assert "_auth_user_id" not in client.session
    assert not UserSession.objects.filter(user=user).exists()
    page = client.get(response["Location"])
    assert wrong_message in page.content.decode()
    # Locked: the right password is refused at the log-in too.
    assert not client.login(username="dangyuan", password=PASSWORD)
    guesses = AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED,
        object_id=str(user.pk),
        note="wrong current password on the password page",
    )
    assert guesses.count() == 3
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, object_id=str(user.pk), note__startswith="account locked"
    ).exists()
    assert user.check_password(PASSWORD)  # nothing changed


def test_password_page_guesses_add_up_with_failed_log_ins(tree, client, settings):
    """One lock count: two wrong log-ins and one wrong guess on the password page lock it."""
    settings.LOGIN_MAX_FAILURES = 3
    user = tree.users["member"]
    # A log-in resets the count: the session is opened first, the wrong log-ins come after.
    other = type(client)()
    other.force_login(User.objects.get(pk=user.pk))
    for _ in range(2):
        assert not client.login(username="dangyuan", password="wrong-password")
    assert AccountState.objects.get(user=user).failed_logins == 2
    response = _guess(other, "wrong-guess")
    assert response.status_code == 302
    assert AccountState.objects.get(user=user).locked_until is not None


def test_right_current_password_is_not_counted(tree, client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    user = tree.users["member"]
    assert client.login(username="dangyuan", password=PASSWORD)
    _guess(client, "wrong-guess")
    assert AccountState.objects.get(user=user).failed_logins == 1
    response = _guess(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    state = AccountState.objects.get(user=user)
    assert state.locked_until is None
    assert state.failed_logins <= 1  # the right password added no failure
