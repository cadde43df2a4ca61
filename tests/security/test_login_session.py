"""A log-in always starts a new session for the person who logged in (issue 11, point 9).

Before, the log-in page answered a browser carrying a live session (another user's, or
the same user's) with a redirect, also for the POST of the form: the browser stayed
logged in as that session's user. Now, with right credentials, the carried session is
ended (audited log-out of its user; their other sessions elsewhere stay) and Django's
``login()`` gives the new one a new key; wrong credentials leave it alone.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.security import services
from dangjian.security.models import UserSession
from dangjian.security.views import REPLACED_NOTE
from tests.factories import PASSWORD
from tests.twofactor.conftest import code_for

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _post_login(client, user, password=PASSWORD):
    return client.post(LOGIN, {"username": user.username, "password": password})


def _session_user(client) -> str | None:
    return client.session.get("_auth_user_id")


def _logged_in_as(client, user):
    response = _post_login(client, user)
    assert response.status_code == 302
    assert _session_user(client) == str(user.pk)
    return client.session.session_key


def test_logging_in_over_another_users_session_gives_the_new_user_a_new_session(tree, client):
    first, second = tree.users["branch_secretary"], tree.users["member"]
    old_key = _logged_in_as(client, first)

    response = _post_login(client, second)

    assert response.status_code == 302
    assert _session_user(client) == str(second.pk)
    new_key = client.session.session_key
    assert new_key != old_key
    assert client.get(reverse("core:home")).context["user"] == second
    # The carried session is over: gone from the store and the session table, audited.
    assert not Session.objects.filter(session_key=old_key).exists()
    assert not UserSession.objects.filter(session_key=old_key).exists()
    assert UserSession.objects.get(session_key=new_key).user == second
    assert AuditEvent.objects.filter(
        actor=first, action=AuditEvent.Action.LOGOUT, note=REPLACED_NOTE
    ).exists()
    assert AuditEvent.objects.filter(actor=second, action=AuditEvent.Action.LOGIN).exists()


def test_the_log_in_page_is_shown_to_a_browser_with_a_live_session(tree, client):
    """The form is there to log in as someone else (before: a redirect to the home page)."""
    _logged_in_as(client, tree.users["branch_secretary"])
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_logging_in_again_as_the_same_user_gives_a_new_session_key(tree, client):
    user = tree.users["member"]
    old_key = _logged_in_as(client, user)
    assert _post_login(client, user).status_code == 302
    assert _session_user(client) == str(user.pk)
    assert client.session.session_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()


def test_wrong_credentials_leave_the_carried_session_alone(tree, client):
    first = tree.users["branch_secretary"]
    old_key = _logged_in_as(client, first)
    response = _post_login(client, tree.users["member"], password="wrong-password")
    assert response.status_code == 200
    assert _session_user(client) == str(first.pk)
    assert client.session.session_key == old_key


def test_the_other_users_sessions_elsewhere_stay(tree, client):
    """Only the session this browser carried ends; the first user's other browser goes on."""
    from django.test import Client

    first = tree.users["branch_secretary"]
    elsewhere = Client()
    elsewhere_key = _logged_in_as(elsewhere, first)
    _logged_in_as(client, first)
    _post_login(client, tree.users["member"])
    assert Session.objects.filter(session_key=elsewhere_key).exists()
    assert elsewhere.get(reverse("core:home")).context["user"] == first


def test_a_session_held_at_the_forced_password_change_does_not_keep_the_browser(tree, client):
    """Before: the forced password change sent the log-in POST to the password page, still
    as the first user."""
    first, second = tree.users["branch_secretary"], tree.users["member"]
    _logged_in_as(client, first)
    session = client.session
    session[services.MUST_CHANGE] = "assigned"
    session.save()
    assert client.get(reverse("core:home"))["Location"] == reverse("security:password_change")

    response = _post_login(client, second)

    assert response.status_code == 302
    assert _session_user(client) == str(second.pk)
    assert client.get(reverse("core:home")).status_code == 200


@override_settings(SESSION_IDLE_MINUTES=30)
def test_a_timed_out_session_does_not_swallow_the_log_in(tree, client):
    """The carried session timed out: it is ended and the posted log-in goes through at once."""
    first, second = tree.users["branch_secretary"], tree.users["member"]
    _logged_in_as(client, first)
    session = client.session
    session[services.SEEN_AT] = int(timezone.now().timestamp()) - 3600
    session.save()

    response = _post_login(client, second)

    assert response.status_code == 302 and response["Location"] != LOGIN
    assert _session_user(client) == str(second.pk)


# --- with two-factor login -------------------------------------------------------------


@pytest.fixture
def enrolled():
    from dangjian.twofactor import services as twofactor

    def do(user):
        device = twofactor.enrollment_start(user=user)
        assert twofactor.enrollment_confirm(user=user, code=code_for(device)).ok
        device.refresh_from_db()
        return device

    return do


def test_a_verified_session_does_not_verify_the_next_user(tree, client, settings, enrolled):
    """The first user gave their second factor; the second must give their own."""
    settings.DANGJIAN_2FA = "required"
    first, second = tree.users["office_staff"], tree.users["dangzu_office"]
    first_device, second_device = enrolled(first), enrolled(second)
    _logged_in_as(client, first)
    client.post(reverse("twofactor:verify"), {"code": code_for(first_device, offset=1)})
    assert client.get(reverse("core:home")).status_code == 200
    verified_key = client.session.session_key

    assert _post_login(client, second).status_code == 302

    assert _session_user(client) == str(second.pk)
    assert client.session.session_key != verified_key
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor:verify"))
    client.post(reverse("twofactor:verify"), {"code": code_for(second_device, offset=1)})
    assert client.get(reverse("core:home")).context["user"] == second


def test_a_user_with_a_second_factor_logging_in_over_a_session_is_asked_for_it(
    tree, client, enrolled
):
    """Optional mode: the first user has no second factor, the second has one."""
    first, second = tree.users["branch_secretary"], tree.users["member"]
    enrolled(second)
    _logged_in_as(client, first)
    assert client.get(reverse("core:home")).status_code == 200

    _post_login(client, second)

    assert _session_user(client) == str(second.pk)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor:verify"))
