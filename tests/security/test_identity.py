"""Identity controls of MLPS 2.0 level 3 (GB/T 22239-2019), each test named after its clause.

8.1.4.1 a  identification, password complexity and periodic change
8.1.4.1 b  login-failure handling, ending sessions, connection time-out
8.1.4.1 c  credentials protected in transit (secure cookies, HSTS)
8.1.4.2 b  default accounts renamed/disabled, default passwords changed
8.1.4.2 d  least privilege, separation of the administrators' duties
8.1.4.3 a/b audit of log-ins, log-outs, locks and unlocks
8.1.5.1-3  system administrator / auditor / security administrator (三员分立)

Real database and the Django test client throughout; time is moved by editing the
stored state (the session's stamps, the lock's end), not by mocking the clock.
"""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from dangjian.access import services as access_services
from dangjian.core.models import AuditEvent
from dangjian.security import services
from dangjian.security.models import AccountState, FailedLogin, PasswordHistory, UserSession
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
WRONG = "The user name or password is wrong."
NEW_PASSWORD = "Fresh-Passw0rd-2026"
# What DANGJIAN_PRODUCTION=1 gives in settings.py (test_production.py checks that it does).
PRODUCTION = {
    "DANGJIAN_PRODUCTION": True,
    "PASSWORD_MIN_CLASSES": 3,
    "PASSWORD_MAX_AGE_DAYS": 90,
    "PASSWORD_CHANGE_ASSIGNED": True,
    "SESSION_MAX_PER_USER": 1,
}


def _post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _says_only_wrong_credentials(response) -> bool:
    text = response.content.decode()
    return response.status_code == 200 and (gettext(WRONG) in text or WRONG in text)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _change_password(client, old, new):
    return client.post(
        reverse("security:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


# ---------------------------------------------------------------------------
# 8.1.4.1 a: password rules
# ---------------------------------------------------------------------------


@override_settings(PASSWORD_MIN_LENGTH=10, PASSWORD_MIN_CLASSES=3)
def test_8_1_4_1_a_password_complexity_length_and_classes(tree):
    from django.contrib.auth.password_validation import validate_password

    user = tree.users["member"]
    for weak in ("Short-1", "alllowercaseletters", "lowercase-and-symbols"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("Mixed-Case-42", user)  # three classes and long enough


@override_settings(PASSWORD_MIN_LENGTH=8, PASSWORD_MIN_CLASSES=1)
def test_8_1_4_1_a_owasp_rules_outside_production_need_length_only(tree):
    from django.contrib.auth.password_validation import validate_password

    validate_password("correct horse battery staple", tree.users["member"])
    with pytest.raises(ValidationError):
        validate_password("short", tree.users["member"])


def test_8_1_4_1_a_production_defaults_are_mlps_rules():
    """Production mode's defaults: three character classes and a 90-day change."""
    from dangjian.security import rules

    with override_settings(DANGJIAN_PRODUCTION=True):
        for name in (
            "PASSWORD_MIN_CLASSES",
            "PASSWORD_MAX_AGE_DAYS",
            "PASSWORD_CHANGE_ASSIGNED",
            "SESSION_MAX_PER_USER",
        ):
            delattr(settings, name)  # unset: the rule falls back to its production default
        assert rules.password_min_classes() == 3
        assert rules.password_max_age() == datetime.timedelta(days=90)
        assert rules.change_assigned_passwords()
        assert rules.session_limit() == 1
        assert rules.blocked_usernames() == {"admin"}


@override_settings(PASSWORD_HISTORY_COUNT=3)
def test_8_1_4_1_a_password_reuse_of_last_n_refused(tree, client):
    user = tree.users["member"]
    client.force_login(user)
    history = [PASSWORD, "Second-Passw0rd!", "Third-Passw0rd!!"]
    for old, new in itertools.pairwise(history):
        assert _change_password(client, old, new).status_code == 302
    # Each of the last three (the current one included) is refused ...
    for reused in history:
        response = _change_password(client, history[-1], reused)
        assert response.status_code == 200
        assert response.context["form"].errors.get("new_password1"), reused
    # ... and a fourth new one is accepted; the history keeps hashes, never the passwords.
    assert _change_password(client, history[-1], NEW_PASSWORD).status_code == 302
    stored = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True))
    assert len(stored) == 3
    assert all(NEW_PASSWORD not in h and "Passw0rd" not in h for h in stored)


@override_settings(PASSWORD_MAX_AGE_DAYS=90)
def test_8_1_4_1_a_expired_password_forces_change(tree, client):
    user = tree.users["member"]
    AccountState.objects.update_or_create(
        user=user,
        defaults={
            "password_assigned": False,
            "password_changed_at": timezone.now() - datetime.timedelta(days=91),
        },
    )
    assert _post_login(client, user.username, PASSWORD).status_code == 302
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("security:password_change")
    page = client.get(reverse("security:password_change"))
    assert page.status_code == 200 and page.context["reason"] == "expired"
    assert _change_password(client, PASSWORD, NEW_PASSWORD)["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200
    state = AccountState.objects.get(user=user)
    assert state.password_changed_at > timezone.now() - datetime.timedelta(minutes=1)


@override_settings(PASSWORD_MAX_AGE_DAYS=90)
def test_8_1_4_1_a_password_younger_than_max_age_not_forced(tree, client):
    user = tree.users["member"]
    AccountState.objects.update_or_create(
        user=user,
        defaults={
            "password_assigned": False,
            "password_changed_at": timezone.now() - datetime.timedelta(days=89),
        },
    )
    _post_login(client, user.username, PASSWORD)
    assert client.get(reverse("core:home")).status_code == 200


@override_settings(**PRODUCTION)
def test_8_1_4_1_a_initial_password_from_admin_forced_change_in_production(tree, client):
    created = access_services.user_create(
        actor=tree.users["admin"], username="newcomer", password="Initial-Passw0rd"
    )
    assert AccountState.objects.get(user=created).password_assigned
    assert _post_login(client, "newcomer", "Initial-Passw0rd").status_code == 302
    for path in (reverse("core:home"), reverse("people:member_list")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("security:password_change")
    page = client.get(reverse("security:password_change"))
    assert page.context["reason"] == "assigned"
    assert _change_password(client, "Initial-Passw0rd", NEW_PASSWORD).status_code == 302
    assert not AccountState.objects.get(user=created).password_assigned
    assert client.get(reverse("core:home")).status_code == 200


@override_settings(DANGJIAN_PRODUCTION=False, PASSWORD_CHANGE_ASSIGNED=False)
def test_8_1_4_1_a_demo_mode_does_not_force_assigned_passwords(tree, client):
    """The demo's accounts work at once outside production mode (./scripts/demo)."""
    assert _post_login(client, "dangyuan", PASSWORD).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


@override_settings(**PRODUCTION)
def test_8_1_4_1_a_demo_password_forced_change_on_first_login_in_production(tree, client):
    from dangjian.core import demo

    user = tree.users["branch_secretary"]  # "zhibu", a demo account name
    AccountState.objects.filter(user=user).update(password_assigned=False)
    demo.reset_passwords(password="Demo-Passw0rd-1")  # what load_demo does at each start
    assert AccountState.objects.get(user=user).password_assigned
    assert _post_login(client, "zhibu", "Demo-Passw0rd-1").status_code == 302
    assert client.get(reverse("core:home"))["Location"] == reverse("security:password_change")


@override_settings(**PRODUCTION)
def test_8_1_4_1_a_forced_change_still_allows_logout_and_static(tree, client):
    _post_login(client, "dangyuan", PASSWORD)
    assert client.get("/static/dangjian/app.css").status_code == 200
    assert client.get(reverse("security:password_change")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and not _logged_in(client)


@override_settings(**PRODUCTION)
def test_8_1_4_1_a_forced_change_refuses_the_api_with_a_structured_error(tree, client):
    _post_login(client, "dangyuan", PASSWORD)
    response = client.get("/api/me/")
    assert response.status_code == 403
    assert response.json()["error"] == "password_change_required"


@override_settings(**PRODUCTION)
def test_8_1_4_1_a_no_api_token_before_the_forced_change(tree, client):
    """A token would outlive the forced change: it is refused until the password is changed."""
    from dangjian.access.models import ApiToken

    user = tree.users["member"]
    response = client.post("/api/auth/token/", {"username": "dangyuan", "password": PASSWORD})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED, note="password change required before API access"
    ).exists()
    AccountState.objects.update_or_create(
        user=user, defaults={"password_assigned": False, "password_changed_at": timezone.now()}
    )
    response = client.post("/api/auth/token/", {"username": "dangyuan", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


# ---------------------------------------------------------------------------
# 8.1.4.1 b: login failures, locks, the address throttle
# ---------------------------------------------------------------------------


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_MINUTES=30)
def test_8_1_4_1_b_account_locked_after_failures(tree, client):
    user = tree.users["member"]
    for _ in range(3):
        assert _says_only_wrong_credentials(_post_login(client, "dangyuan", "wrong-password"))
    state = AccountState.objects.get(user=user)
    assert state.locked_until is not None
    assert state.locked_until > timezone.now() + datetime.timedelta(minutes=29)
    # Locked: even the right password is refused, with the same message.
    assert _says_only_wrong_credentials(_post_login(client, "dangyuan", PASSWORD))
    assert not _logged_in(client)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, object_id=str(user.pk), note__startswith="account locked"
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED, object_repr="dangyuan", note="account locked"
    ).exists()


@override_settings(LOGIN_MAX_FAILURES=3)
def test_8_1_4_1_b_lock_ends_by_itself_after_the_lock_time(tree, client):
    user = tree.users["member"]
    for _ in range(3):
        _post_login(client, "dangyuan", "wrong-password")
    AccountState.objects.filter(user=user).update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert _post_login(client, "dangyuan", PASSWORD).status_code == 302
    state = AccountState.objects.get(user=user)
    assert state.locked_until is None and state.failed_logins == 0
    assert AuditEvent.objects.filter(note="account unlocked: lock expired").exists()


@override_settings(LOGIN_MAX_FAILURES=3)
def test_8_1_4_1_b_success_resets_the_failure_count(tree, client):
    for _ in range(2):
        _post_login(client, "dangyuan", "wrong-password")
    assert _post_login(client, "dangyuan", PASSWORD).status_code == 302
    assert AccountState.objects.get(user=tree.users["member"]).failed_logins == 0


@override_settings(LOGIN_MAX_FAILURES=2)
def test_8_1_4_1_b_login_page_says_only_wrong_credentials(tree, client):
    """Unknown user, wrong password, locked, disabled, blocked: one message, one page."""
    tree.users["outsider"].is_active = False
    tree.users["outsider"].save(update_fields=["is_active"])
    for _ in range(2):
        _post_login(Client(), "zhibu", "wrong-password")
    answers = {
        "unknown user": _post_login(client, "no-such-user", PASSWORD),
        "wrong password": _post_login(client, "dangyuan", "wrong-password"),
        "locked": _post_login(client, "zhibu", PASSWORD),
        "disabled": _post_login(client, "outsider", PASSWORD),
    }
    bodies = set()
    for case, response in answers.items():
        assert _says_only_wrong_credentials(response), case
        form = response.context["form"]
        bodies.add(tuple(form.non_field_errors()))
        assert not form.errors.get("username") and not form.errors.get("password"), case
    assert len(bodies) == 1
    notes = set(
        AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).values_list(
            "note", flat=True
        )
    )
    assert {"unknown user", "wrong password", "account locked", "account disabled"} <= notes


@override_settings(LOGIN_ADDRESS_MAX_FAILURES=4, LOGIN_ADDRESS_WINDOW_MINUTES=15)
def test_8_1_4_1_b_client_address_throttled_across_accounts(tree, client):
    attacker = {"REMOTE_ADDR": "10.9.8.7"}
    for name in ("dangyuan", "zhibu", "jiguan", "no-such-user"):
        _post_login(client, name, "wrong-password", **attacker)
    assert FailedLogin.objects.filter(address="10.9.8.7").count() == 4
    # The address is refused even with a right password; another address is not.
    assert _says_only_wrong_credentials(_post_login(client, "shenji", PASSWORD, **attacker))
    assert AuditEvent.objects.filter(note="address throttled").exists()
    assert _post_login(Client(), "shenji", PASSWORD, REMOTE_ADDR="10.9.8.8").status_code == 302
    # The count lives in the database, so a second server process sees it (no process memory).
    FailedLogin.objects.filter(address="10.9.8.7").update(
        occurred_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    assert _post_login(client, "shenji", PASSWORD, **attacker).status_code == 302


def test_8_1_4_1_b_throttle_counts_rows_any_process_wrote(tree, client):
    """Failures written by another worker (rows in the table) count for this one."""
    FailedLogin.objects.bulk_create(
        [FailedLogin(address="10.1.1.1", username="x") for _ in range(20)]
    )
    assert _says_only_wrong_credentials(
        _post_login(client, "dangyuan", PASSWORD, REMOTE_ADDR="10.1.1.1")
    )


@override_settings(LOGIN_MAX_FAILURES=2)
def test_8_1_4_1_b_security_admin_unlocks_a_locked_account(tree, client):
    user = tree.users["member"]
    for _ in range(2):
        _post_login(Client(), "dangyuan", "wrong-password")
    client.force_login(tree.users["security_admin"])
    page = client.get(reverse("security:lock_list"))
    assert page.status_code == 200
    assert [s.user_id for s in page.context["object_list"]] == [user.pk]
    response = client.post(reverse("security:unlock", args=[user.pk]))
    assert response.status_code == 302
    assert not services.is_locked(user)
    assert AuditEvent.objects.filter(
        actor=tree.users["security_admin"],
        object_id=str(user.pk),
        note="account unlocked by the security administrator",
    ).exists()
    assert _post_login(Client(), "dangyuan", PASSWORD).status_code == 302


@pytest.mark.parametrize("persona", ["admin", "auditor", "office_staff", "member"])
def test_8_1_4_1_b_only_the_security_admin_unlocks(tree, client, persona):
    AccountState.objects.update_or_create(
        user=tree.users["member"],
        defaults={"locked_until": timezone.now() + datetime.timedelta(minutes=10)},
    )
    client.force_login(tree.users[persona])
    assert client.get(reverse("security:lock_list")).status_code == 403
    response = client.post(reverse("security:unlock", args=[tree.users["member"].pk]))
    assert response.status_code == 403
    assert services.is_locked(tree.users["member"])


# ---------------------------------------------------------------------------
# 8.1.4.3 a/b: log-in, failure, log-out in the audit log
# ---------------------------------------------------------------------------


def test_8_1_4_3_login_success_failure_and_logout_audited_with_address(tree, client):
    _post_login(client, "dangyuan", "wrong-password", REMOTE_ADDR="192.0.2.10")
    _post_login(client, "dangyuan", PASSWORD, REMOTE_ADDR="192.0.2.10")
    client.post(reverse("logout"), REMOTE_ADDR="192.0.2.10")
    rows = list(
        AuditEvent.objects.filter(object_type="access.user", object_id=str(tree.users["member"].pk))
        .filter(
            action__in=[
                AuditEvent.Action.LOGIN_FAILED,
                AuditEvent.Action.LOGIN,
                AuditEvent.Action.LOGOUT,
            ]
        )
        .order_by("id")
    )
    assert [r.action for r in rows] == ["login_failed", "login", "logout"]
    assert {r.ip_address for r in rows} == {"192.0.2.10"}
    assert rows[0].note == "wrong password"
    assert rows[1].actor == tree.users["member"]


# ---------------------------------------------------------------------------
# 8.1.4.1 b: sessions
# ---------------------------------------------------------------------------


def test_8_1_4_1_b_session_key_rotated_at_login(tree, client):
    client.get(LOGIN)
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == before
    assert _post_login(client, "dangyuan", PASSWORD).status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert UserSession.objects.filter(session_key=after, user=tree.users["member"]).exists()


@override_settings(SESSION_IDLE_MINUTES=30)
def test_8_1_4_1_b_idle_session_ends_after_timeout(tree, client):
    _post_login(client, "dangyuan", PASSWORD)
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session[services.SEEN_AT] -= 31 * 60
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not _logged_in(client)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGOUT, note="session ended: idle timeout"
    ).exists()
    assert not UserSession.objects.filter(user=tree.users["member"]).exists()


@override_settings(SESSION_IDLE_MINUTES=30)
def test_8_1_4_1_b_active_session_is_kept_alive(tree, client):
    _post_login(client, "dangyuan", PASSWORD)
    session = client.session
    session[services.SEEN_AT] -= 29 * 60
    session.save()
    assert client.get(reverse("core:home")).status_code == 200
    # The request refreshed "last seen": another 29 minutes later it is still alive.
    session = client.session
    session[services.SEEN_AT] -= 29 * 60
    session.save()
    assert client.get(reverse("core:home")).status_code == 200


@override_settings(SESSION_IDLE_MINUTES=30, SESSION_COOKIE_AGE=3600)
def test_8_1_4_1_b_session_absolute_lifetime(tree, client):
    _post_login(client, "dangyuan", PASSWORD)
    session = client.session
    session[services.LOGIN_AT] -= 3601
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert AuditEvent.objects.filter(note="session ended: lifetime reached").exists()


def test_8_1_4_1_b_timed_out_htmx_request_is_sent_to_login(tree, client):
    _post_login(client, "dangyuan", PASSWORD)
    session = client.session
    session[services.SEEN_AT] -= 31 * 60
    session.save()
    response = client.get(reverse("core:home"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("login")


def test_8_1_4_1_b_password_change_ends_all_other_sessions(tree, client):
    other = Client()
    _post_login(other, "dangyuan", PASSWORD)
    _post_login(client, "dangyuan", PASSWORD)
    assert other.get(reverse("core:home")).status_code == 200
    assert _change_password(client, PASSWORD, NEW_PASSWORD).status_code == 302
    # The changing session stays logged in (under a new key); the other one is gone.
    assert client.get(reverse("core:home")).status_code == 200
    assert other.get(reverse("core:home")).status_code == 302
    assert UserSession.objects.filter(user=tree.users["member"]).count() == 1
    assert AuditEvent.objects.filter(note="sessions ended: password changed").exists()


def test_8_1_4_1_b_password_set_by_an_administrator_ends_every_session(tree, client):
    _post_login(client, "dangyuan", PASSWORD)
    user = get_user_model().objects.get(username="dangyuan")
    user.set_password(NEW_PASSWORD)
    user.save()
    assert client.get(reverse("core:home")).status_code == 302
    assert not UserSession.objects.filter(user=user).exists()


def test_8_1_4_1_b_disabled_account_sessions_ended(tree, client):
    _post_login(client, "dangyuan", PASSWORD)
    key = client.session.session_key
    access_services.user_set_active(
        actor=tree.users["admin"], user=tree.users["member"], active=False
    )
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("core:home")).status_code == 302
    assert AuditEvent.objects.filter(note="sessions ended: account disabled").exists()


@override_settings(SESSION_MAX_PER_USER=2)
def test_8_1_4_1_b_concurrent_session_limit_ends_the_oldest(tree):
    first, second, third = Client(), Client(), Client()
    for c in (first, second, third):
        assert _post_login(c, "dangyuan", PASSWORD).status_code == 302
    assert first.get(reverse("core:home")).status_code == 302  # the oldest was ended
    assert second.get(reverse("core:home")).status_code == 200
    assert third.get(reverse("core:home")).status_code == 200
    assert UserSession.objects.filter(user=tree.users["member"]).count() == 2
    assert AuditEvent.objects.filter(note="sessions ended: concurrent session limit").exists()


@override_settings(SESSION_MAX_PER_USER=0)
def test_8_1_4_1_b_no_session_limit_when_configured_off(tree):
    clients = [Client() for _ in range(3)]
    for c in clients:
        _post_login(c, "dangyuan", PASSWORD)
    assert all(c.get(reverse("core:home")).status_code == 200 for c in clients)


def test_8_1_4_1_c_session_cookie_httponly_and_samesite(tree, client):
    response = _post_login(client, "dangyuan", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


# ---------------------------------------------------------------------------
# 8.1.4.2 b / d and 8.1.5: default accounts and separated duties
# ---------------------------------------------------------------------------


@override_settings(**PRODUCTION)
def test_8_1_4_2_b_builtin_admin_disabled_in_production(tree, client):
    AccountState.objects.filter(user=tree.users["admin"]).update(password_assigned=False)
    assert _says_only_wrong_credentials(_post_login(client, "admin", PASSWORD))
    assert not _logged_in(client)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED, note="account blocked in production mode"
    ).exists()


def test_8_1_4_2_b_builtin_admin_logs_in_outside_production(tree, client):
    assert _post_login(client, "admin", PASSWORD).status_code == 302


@override_settings(**PRODUCTION)
def test_8_1_4_2_b_superuser_disabled_in_production(tree, client):
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    assert _says_only_wrong_credentials(_post_login(client, "root", PASSWORD))


@pytest.mark.parametrize(
    ("held", "granted"),
    [
        ("system_admin", "security_admin"),
        ("system_admin", "auditor"),
        ("security_admin", "auditor"),
        ("security_admin", "system_admin"),
        ("auditor", "system_admin"),
        ("auditor", "security_admin"),
    ],
)
def test_8_1_4_2_d_no_account_holds_two_administrator_duties(tree, held, granted):
    from dangjian.access.models import RoleGrant

    user = get_user_model().objects.create_user("duty", password=PASSWORD)
    RoleGrant.objects.create(user=user, role=held)
    with pytest.raises(ValidationError):
        access_services.grant_create(actor=tree.users["security_admin"], user=user, role=granted)
    assert list(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == [held]


def test_8_1_5_1_system_admin_has_no_audit_access_and_no_reveal(tree, client):
    from dangjian.access import policy

    admin = tree.users["admin"]
    assert not policy.has_action(admin, "audit.view")
    assert not policy.has_action(admin, "member.reveal")
    assert not policy.has_action(admin, "grant.manage")
    client.force_login(admin)
    assert client.get(reverse("access:audit_list")).status_code == 403
    assert client.get(reverse("security:lock_list")).status_code == 403


def test_8_1_5_2_auditor_only_reads_the_audit_log(tree):
    from dangjian.access.roles import ROLE_ACTIONS, Role

    assert all(a.startswith("audit.") for a in ROLE_ACTIONS[Role.AUDITOR])


def test_8_1_5_3_security_admin_roles_and_locks_but_no_data(tree, client):
    from dangjian.access import policy

    sec = tree.users["security_admin"]
    assert policy.has_action(sec, "grant.manage")
    for action in ("audit.view", "member.reveal", "user.manage", "member.manage"):
        assert not policy.has_action(sec, action)
    client.force_login(sec)
    assert client.get(reverse("access:grant_list")).status_code == 200
    assert client.get(reverse("security:lock_list")).status_code == 200
    assert client.get(reverse("access:audit_list")).status_code == 403
