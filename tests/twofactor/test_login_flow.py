"""Who must give a second factor, and what an unverified session may reach (the middleware)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from dangjian.access.models import ApiToken
from dangjian.twofactor import services
from tests.factories import PASSWORD
from tests.twofactor.conftest import code_for

REQUIRED_PERSONAS = ["admin", "security_admin", "auditor", "office_staff", "dangzu_office"]
OPTIONAL_PERSONAS = ["member", "branch_secretary"]


@pytest.mark.parametrize("persona", REQUIRED_PERSONAS)
def test_required_roles_are_sent_to_enrolment_until_they_have_a_device(
    persona, tree, required, log_in
):
    """Administrators and office roles: every page leads to enrolment first."""
    client = log_in(tree.users[persona])
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor:enroll"))
    # The way out stays open: the enrolment page itself, and log-out.
    assert client.get(reverse("twofactor:enroll")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_required_role_with_a_device_must_verify_before_any_page(
    tree, office_staff, required, enrolled, log_in, no_backoff
):
    """After the password, pages, htmx requests and the API wait for the code."""
    device, _codes = enrolled(office_staff)
    client = log_in(office_staff)
    response = client.get(reverse("organizations:organization_tree"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor:verify"))
    assert "next=" in response["Location"]
    htmx = client.get(reverse("organizations:organization_tree"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204
    assert htmx["HX-Redirect"].startswith(reverse("twofactor:verify"))
    api = client.get("/api/me/")
    assert api.status_code == 403 and api.json()["error"] == "two_factor_required"

    wrong = client.post(reverse("twofactor:verify"), {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["code"]
    assert client.get(reverse("core:home")).status_code == 302

    ok = client.post(
        reverse("twofactor:verify"),
        {"code": code_for(device, offset=1), "next": reverse("organizations:organization_tree")},
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("organizations:organization_tree")
    assert client.get(reverse("organizations:organization_tree")).status_code == 200
    assert client.get("/api/me/").status_code == 200


def test_verification_changes_the_session_key(tree, office_staff, required, enrolled, log_in):
    """The session that carries the second factor gets a new key (as at log-in)."""
    device, _codes = enrolled(office_staff)
    client = log_in(office_staff)
    before = client.session.session_key
    client.post(reverse("twofactor:verify"), {"code": code_for(device, offset=1)})
    assert client.session.session_key != before


def test_a_recovery_code_completes_the_log_in(tree, office_staff, required, enrolled, log_in):
    """A lost phone: a recovery code instead of the authenticator's code."""
    _device, codes = enrolled(office_staff)
    client = log_in(office_staff)
    assert client.post(reverse("twofactor:verify"), {"code": codes[3]}).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


def test_new_recovery_codes_keep_a_session_verified_with_a_recovery_code(
    tree, office_staff, required, enrolled, log_in
):
    """Logged in with a recovery code, the user makes new ones and stays logged in."""
    _device, codes = enrolled(office_staff)
    client = log_in(office_staff)
    client.post(reverse("twofactor:verify"), {"code": codes[0]})
    assert client.post(reverse("twofactor:recovery_regenerate")).status_code == 200
    assert client.get(reverse("core:home")).status_code == 200


def test_an_external_next_is_not_followed(tree, office_staff, required, enrolled, log_in):
    """After verification only a local address is followed."""
    device, _codes = enrolled(office_staff)
    client = log_in(office_staff)
    response = client.post(
        reverse("twofactor:verify"),
        {"code": code_for(device, offset=1), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("core:home")


@pytest.mark.parametrize("persona", OPTIONAL_PERSONAS)
def test_members_and_branch_secretaries_are_not_required_to_enrol(persona, tree, required, log_in):
    """Optional for members and branch secretaries, even in required mode."""
    client = log_in(tree.users[persona])
    assert client.get(reverse("core:home")).status_code == 200


def test_a_member_who_enrolled_is_asked_for_the_code(tree, member_user, enrolled, log_in):
    """Optional, but once set up it protects the account at every log-in."""
    device, _codes = enrolled(member_user)
    client = log_in(member_user)
    response = client.get(reverse("core:home"))
    assert response["Location"].startswith(reverse("twofactor:verify"))
    client.post(reverse("twofactor:verify"), {"code": code_for(device, offset=1)})
    assert client.get(reverse("core:home")).status_code == 200


def test_optional_mode_asks_only_users_who_enrolled(tree, log_in, settings):
    """DANGJIAN_2FA=optional (the demo and test default): no one is forced to enrol."""
    settings.DANGJIAN_2FA = "optional"
    for persona in REQUIRED_PERSONAS:
        client = log_in(tree.users[persona])
        assert client.get(reverse("core:home")).status_code == 200
        client.logout()


def test_off_mode_asks_nobody(tree, office_staff, enrolled, log_in, settings):
    """DANGJIAN_2FA=off: not even a user with a device is asked."""
    enrolled(office_staff)
    settings.DANGJIAN_2FA = "off"
    client = log_in(office_staff)
    assert client.get(reverse("core:home")).status_code == 200


def test_the_required_roles_are_configurable(tree, required, log_in, settings):
    """DANGJIAN_2FA_REQUIRED_ROLES names the roles that must enrol."""
    settings.DANGJIAN_2FA_REQUIRED_ROLES = ("member",)
    assert log_in(tree.users["member"]).get(reverse("core:home")).status_code == 302
    assert log_in(tree.users["office_staff"]).get(reverse("core:home")).status_code == 200


def test_after_a_reset_the_required_user_enrols_again(
    tree, office_staff, security_admin, required, enrolled, log_in
):
    """A verified session whose device was reset must set up a new one."""
    device, _codes = enrolled(office_staff)
    client = log_in(office_staff)
    client.post(reverse("twofactor:verify"), {"code": code_for(device, offset=1)})
    assert client.get(reverse("core:home")).status_code == 200
    services.device_reset(actor=security_admin, user=office_staff)
    response = client.get(reverse("core:home"))
    assert response["Location"].startswith(reverse("twofactor:enroll"))


def _token(client, **data):
    return client.post(reverse("api-token"), data=json.dumps(data), content_type="application/json")


def test_api_token_needs_a_code_for_users_who_need_a_second_factor(
    tree, office_staff, required, enrolled, client, no_backoff
):
    """API tokens are issued per user: password + otp_token when the user needs 2FA."""
    device, _codes = enrolled(office_staff)
    missing = _token(client, username=office_staff.username, password=PASSWORD)
    assert missing.status_code == 400 and "otp_token" in missing.json()["fields"]
    wrong = _token(client, username=office_staff.username, password=PASSWORD, otp_token="000000")
    assert wrong.status_code == 400
    assert not ApiToken.objects.filter(user=office_staff).exists()
    ok = _token(
        client,
        username=office_staff.username,
        password=PASSWORD,
        otp_token=code_for(device, offset=1),
    )
    assert ok.status_code == 200 and ok.json()["token"]
    # Form-encoded requests are checked the same way.
    form = client.post(
        reverse("api-token"), {"username": office_staff.username, "password": PASSWORD}
    )
    assert form.status_code == 400


def test_api_token_without_a_second_factor_and_wrong_passwords_are_unchanged(
    tree, member_user, office_staff, required, enrolled, client
):
    """A member without a device gets a token with the password; a wrong password says only
    that the credentials are wrong (nothing about the second factor)."""
    assert _token(client, username=member_user.username, password=PASSWORD).status_code == 200
    enrolled(office_staff)
    wrong = _token(client, username=office_staff.username, password="wrong-password")
    assert wrong.status_code == 400
    assert "otp_token" not in wrong.json()["fields"]


def test_malformed_token_requests_are_answered_by_the_view_not_the_check(tree, required, client):
    """Unreadable bodies pass the second-factor check untouched: a 4xx, never a 500."""
    bad_json = client.post(reverse("api-token"), data=b"{not json", content_type="application/json")
    assert 400 <= bad_json.status_code < 500
    bad_multipart = client.post(
        reverse("api-token"),
        data=b"--x\r\nbroken",
        content_type="multipart/form-data; boundary=x",
    )
    assert 400 <= bad_multipart.status_code < 500


def test_own_password_change_needs_the_second_factor(
    tree, office_staff, required, enrolled, log_in
):
    """Issue 11.3: after the password alone, the password page sends to the verify page and a
    posted change is not made; once verified, the change works."""
    device, _codes = enrolled(office_staff)
    client = log_in(office_staff)
    page = client.get(reverse("security:password_change"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("twofactor:verify"))
    new = "Another-Secret-42"
    change = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    posted = client.post(reverse("security:password_change"), change)
    assert posted.status_code == 302 and posted["Location"].startswith(reverse("twofactor:verify"))
    office_staff.refresh_from_db()
    assert office_staff.check_password(PASSWORD)
    client.post(reverse("twofactor:verify"), {"code": code_for(device, offset=1)})
    assert client.get(reverse("security:password_change")).status_code == 200
    assert client.post(reverse("security:password_change"), change).status_code == 302
    office_staff.refresh_from_db()
    assert office_staff.check_password(new)


def test_forced_password_change_comes_before_the_second_factor(
    tree, office_staff, required, enrolled, log_in, settings
):
    """Only the forced change (an assigned or expired password) is open after the password
    alone; every other page still waits for it, then for the code."""
    enrolled(office_staff)
    settings.PASSWORD_CHANGE_ASSIGNED = True
    client = log_in(office_staff)
    assert client.get(reverse("core:home"))["Location"] == reverse("security:password_change")
    assert client.get(reverse("security:password_change")).status_code == 200
    new = "Another-Secret-42"
    change = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    assert client.post(reverse("security:password_change"), change).status_code == 302
    office_staff.refresh_from_db()
    assert office_staff.check_password(new)
    home = client.get(reverse("core:home"))
    assert home["Location"].startswith(reverse("twofactor:verify"))
    # The change made, the page is no longer exempt.
    page = client.get(reverse("security:password_change"))
    assert page["Location"].startswith(reverse("twofactor:verify"))
