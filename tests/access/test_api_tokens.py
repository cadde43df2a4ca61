"""API tokens (issue 11.2): stored only as a keyed hash, shown once, ending by idle time,
expiry and revocation (password, second factor, account, roles), listed and revoked by
their holder; personal data through the API needs a token issued after a second factor."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.access import api_tokens, services
from dangjian.access.models import ApiToken
from dangjian.access.roles import Role
from dangjian.core.models import AuditEvent
from dangjian.security import services as security_services
from dangjian.twofactor import services as twofactor
from tests.factories import PASSWORD
from tests.twofactor.conftest import code_for

TOKEN_URL = "/api/auth/token/"


def get_token(username, **extra) -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD, **extra})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    status = with_key(key).get("/api/me/").status_code
    assert status in (200, 401), status
    return status == 200


def issue(user, **kwargs) -> str:
    return api_tokens.token_issue(actor=user, user=user, second_factor=False, **kwargs)[1]


def enrol(user):
    device = twofactor.enrollment_start(user=user)
    assert twofactor.enrollment_confirm(user=user, code=code_for(device)).ok
    device.refresh_from_db()
    return device


def revocations(user, reason: str) -> int:
    return AuditEvent.objects.filter(
        object_type="access.user", object_id=str(user.pk), note=f"api tokens revoked: {reason}"
    ).count()


# --- storage -------------------------------------------------------------------------


def test_only_a_keyed_hash_is_stored_and_each_request_gives_a_new_key(tree, office_staff):
    """The answer carries the key; the database holds its HMAC-SM3 hash and 8 characters."""
    key = get_token(office_staff.username)
    token = ApiToken.objects.get(user=office_staff)
    assert token.key_hash == api_tokens.key_hash(key) and len(token.key_hash) == 64
    assert token.prefix == key[:8] and len(key) >= 40
    stored = " ".join(str(v) for v in ApiToken.objects.values_list().get())
    assert key not in stored and key[8:16] not in stored
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    second = get_token(office_staff.username)
    assert second != key and works(key) and works(second)
    assert ApiToken.objects.filter(user=office_staff).count() == 2


def test_the_key_is_not_on_the_list_page_after_it_was_shown(tree, office_staff, client):
    """The account page shows a new key once, then only its beginning."""
    client.force_login(office_staff)
    issued = client.post(reverse("access:token_create"), {"name": "report script"})
    assert issued.status_code == 200 and issued["Cache-Control"] == "no-store"
    key = issued.context["new_key"]
    assert works(key) and key in issued.content.decode()
    page = client.get(reverse("access:token_list")).content.decode()
    assert key not in page and key[:8] in page and "report script" in page


# --- life ----------------------------------------------------------------------------


def test_a_token_unused_for_the_idle_time_is_refused(tree, office_staff, settings):
    """Default 8 hours unused; configurable; use within the idle time keeps it alive."""
    key = issue(office_staff)
    token = ApiToken.objects.get(user=office_staff)
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now - datetime.timedelta(hours=7))
    assert works(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at >= now
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now - datetime.timedelta(hours=3))
    settings.DANGJIAN_API_TOKEN_IDLE_HOURS = 2
    response = with_key(key).get("/api/me/")
    assert response.status_code == 401 and response.json()["error"] == "not_authenticated"
    settings.DANGJIAN_API_TOKEN_IDLE_HOURS = 8
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now - datetime.timedelta(hours=9))
    assert not works(key)


def test_a_token_ends_at_its_expiry_however_much_it_is_used(tree, office_staff, settings):
    """Default 30 days after issue (DANGJIAN_API_TOKEN_MAX_DAYS); use does not extend it."""
    settings.DANGJIAN_API_TOKEN_MAX_DAYS = 2
    key = issue(office_staff)
    token = ApiToken.objects.get(user=office_staff)
    assert token.expires_at - token.created_at == datetime.timedelta(days=2)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    assert not works(key)


def test_last_used_is_written_at_most_once_a_minute(tree, office_staff):
    """An authenticated request reads the token; it writes "last used" only when it is a
    minute old or older."""
    key = issue(office_staff)
    token = ApiToken.objects.get(user=office_staff)
    recent = timezone.now() - datetime.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    assert works(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == recent
    old = timezone.now() - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    assert works(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > old


# --- revocation ----------------------------------------------------------------------


def test_a_password_change_revokes_every_token(tree, office_staff):
    """Any saved password (the own change, an administrator's set_password) ends them."""
    key = issue(office_staff)
    security_services.password_change(
        actor=office_staff, user=office_staff, new_password="Another-Secret-42"
    )
    assert not works(key)
    assert ApiToken.objects.get(user=office_staff).revoked_reason == api_tokens.PASSWORD_CHANGED
    assert revocations(office_staff, api_tokens.PASSWORD_CHANGED) == 1
    key = issue(office_staff)
    office_staff.set_password("Yet-Another-Secret-43")
    office_staff.save()
    assert not works(key)


def test_two_factor_enrolment_and_reset_revoke_every_token(tree, member_user, security_admin):
    key = issue(member_user)
    enrol(member_user)
    assert not works(key)
    assert revocations(member_user, api_tokens.TWO_FACTOR_ENROLLED) == 1
    key = issue(member_user)
    twofactor.device_reset(actor=security_admin, user=member_user)
    assert not works(key)
    assert revocations(member_user, api_tokens.TWO_FACTOR_RESET) == 1


def test_disabling_the_account_revokes_every_token(tree, member_user, admin_user):
    key = issue(member_user)
    services.user_set_active(actor=admin_user, user=member_user, active=False)
    services.user_set_active(actor=admin_user, user=member_user, active=True)
    assert not works(key)
    assert revocations(member_user, api_tokens.ACCOUNT_DISABLED) == 1


def test_a_role_granted_or_revoked_revokes_every_token(tree, member_user, security_admin):
    key = issue(member_user)
    grant = services.grant_create(
        actor=security_admin,
        user=member_user,
        role=Role.BRANCH_SECRETARY,
        organization=tree.orgs["branch"],
    )
    assert not works(key)
    key = issue(member_user)
    services.grant_revoke(actor=security_admin, grant=grant)
    assert not works(key)
    assert revocations(member_user, api_tokens.ROLES_CHANGED) == 2
    event = AuditEvent.objects.filter(note=f"api tokens revoked: {api_tokens.ROLES_CHANGED}")
    assert event.first().actor == security_admin


def test_the_holder_lists_and_revokes_their_tokens(tree, member_user, branch_secretary, client):
    """One token or all of them, from the account page; another user's token is not found."""
    first, second = issue(member_user, name="one"), issue(member_user, name="two")
    other = issue(branch_secretary)
    client.force_login(member_user)
    listed = client.get(reverse("access:token_list")).context["tokens"]
    assert [t.name for t in listed] == ["two", "one"]
    theirs = ApiToken.objects.get(user=branch_secretary)
    url = reverse("access:token_revoke", kwargs={"pk": theirs.pk})
    assert client.post(url).status_code == 404
    assert works(other)
    mine = ApiToken.objects.get(user=member_user, name="one")
    client.post(reverse("access:token_revoke", kwargs={"pk": mine.pk}))
    assert not works(first) and works(second)
    assert revocations(member_user, api_tokens.BY_HOLDER) == 1
    client.post(reverse("access:token_revoke_all"))
    assert not works(second) and works(other)
    assert client.get(reverse("access:token_list")).context["tokens"] == []


def test_more_than_ten_live_tokens_revoke_the_oldest(tree, member_user):
    keys = [issue(member_user) for _ in range(api_tokens.MAX_ACTIVE_PER_USER + 1)]
    assert not works(keys[0]) and all(works(k) for k in keys[1:])


# --- personal data needs the second factor -------------------------------------------


def test_reveal_and_lookup_need_a_token_issued_after_the_second_factor(tree, member_user):
    """A user with two-factor login: a token issued with otp_token reveals; one without (a
    session-issued, unverified or old token) is refused with a structured 403."""
    device = enrol(member_user)
    own = tree.members["member"]
    plain = issue(member_user)
    refused = with_key(plain).post(
        f"/api/members/{own.pk}/reveal/", {"field": "phone"}, format="json"
    )
    assert refused.status_code == 403
    assert refused.json()["error"] == "second_factor_required"
    assert set(refused.json()) == {"error", "detail", "fields"}
    assert works(plain)  # the rest of the API stays open to it
    key = get_token(member_user.username, otp_token=code_for(device, offset=1))
    assert ApiToken.objects.get(key_hash=api_tokens.key_hash(key)).second_factor
    shown = with_key(key).post(f"/api/members/{own.pk}/reveal/", {"field": "phone"}, format="json")
    assert shown.status_code == 200 and shown.json()["value"] == "13800001234"


def test_lookup_needs_the_second_factor_for_tokens_and_sessions(
    tree, office_staff, settings, client
):
    """Required roles: a token without the second factor and an unverified session are
    refused; a verified session may look up."""
    device = enrol(office_staff)
    body = json.dumps({"phone": "13800001234"})
    plain = issue(office_staff)
    response = with_key(plain).post("/api/members/lookup/", body, content_type="application/json")
    assert response.status_code == 403 and response.json()["error"] == "second_factor_required"
    settings.DANGJIAN_2FA = "required"
    assert client.login(username=office_staff.username, password=PASSWORD)
    unverified = client.post("/api/members/lookup/", body, content_type="application/json")
    assert unverified.status_code == 403
    client.post(reverse("twofactor:verify"), {"code": code_for(device, offset=1)})
    verified = client.post("/api/members/lookup/", body, content_type="application/json")
    assert verified.status_code == 200 and len(verified.json()) == 1


def test_without_two_factor_login_a_plain_token_may_reveal(tree, member_user):
    """Optional mode, no device: nothing more is asked than before."""
    own = tree.members["member"]
    key = issue(member_user)
    response = with_key(key).post(
        f"/api/members/{own.pk}/reveal/", {"field": "phone"}, format="json"
    )
    assert response.status_code == 200


# --- the upgrade ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_hashes_the_clear_tokens_stored_before(django_user_model):
    """Migration access 0003 moves every clear authtoken key into a hash (the same key keeps
    working) and empties the clear table; migrating back deletes the hashes."""
    user = django_user_model.objects.create_user(username="migrated", password="x-Long-pass-1")
    clear = "0123456789abcdef0123456789abcdef01234567"
    before = [("access", "0002_initial")]
    old_state = [*before, ("authtoken", "0004_alter_tokenproxy_options")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(old_state).apps
    old_apps.get_model("authtoken", "Token").objects.create(key=clear, user_id=user.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    token = ApiToken.objects.get(user=user)
    assert token.key_hash == api_tokens.key_hash(clear) and token.prefix == clear[:8]
    assert not token.second_factor and token.revoked_at is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    assert works(clear)

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert not ApiToken.objects.exists()


def test_ended_tokens_are_deleted_when_the_holder_gets_a_new_one(tree, member_user):
    """Revoked, idle and expired rows do not pile up; the audit log keeps their history."""
    revoked, idle, live = issue(member_user), issue(member_user), issue(member_user)
    api_tokens.token_revoke(
        actor=member_user, token=ApiToken.objects.get(key_hash=api_tokens.key_hash(revoked))
    )
    ApiToken.objects.filter(key_hash=api_tokens.key_hash(idle)).update(
        last_used_at=timezone.now() - datetime.timedelta(hours=9)
    )
    new = issue(member_user)
    stored = set(ApiToken.objects.filter(user=member_user).values_list("key_hash", flat=True))
    assert stored == {api_tokens.key_hash(live), api_tokens.key_hash(new)}
