"""Recovery codes are stored only as a keyed hash (HMAC-SM3), work once, survive key
rotation, and the migration hashes the codes stored before.

GB/T 39786-2021 / MLPS level 3 (confidentiality of authentication data in storage) —
docs/security.md.
"""

from __future__ import annotations

import json
import threading
from base64 import b32decode
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from dangjian.core import crypto
from dangjian.twofactor import services
from dangjian.twofactor.models import recovery_token
from tests.factories import PASSWORD

NEW_DATA = "0f" * 16
NEW_INDEX = "1e" * 32


def _stored_tokens() -> list[str]:
    """The token column exactly as the database holds it (what a dump would show)."""
    table = connection.ops.quote_name(StaticToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _forms_of(code: str) -> list[str]:
    """A code as shown (xxxx-xxxx), typed, upper-case, and its 5 random bytes in hex."""
    clear = code.replace("-", "")
    raw = b32decode(clear.upper())
    return [code, clear, clear.upper(), code.upper(), raw.hex(), raw.hex().upper()]


@pytest.mark.django_db
def test_the_stored_token_column_and_a_dump_contain_no_recovery_code(tree, office_staff, enrolled):
    """Neither ``otp_static_statictoken.token`` nor a dumpdata of the two-factor tables shows
    any recovery code in any form; the column holds 80-bit HMAC-SM3 tags, one per code."""
    _device, codes = enrolled(office_staff)
    stored = _stored_tokens()
    assert len(stored) == len(codes) == 10
    dump = StringIO()
    call_command("dumpdata", "otp_static", "twofactor", stdout=dump)
    assert {row["model"] for row in json.loads(dump.getvalue())} >= {"otp_static.statictoken"}
    for code in codes:
        for form in _forms_of(code):
            assert not any(form in token or form.lower() in token for token in stored)
            assert form not in dump.getvalue()
    assert all(len(token) == 16 for token in stored)
    assert sorted(stored) == sorted(
        recovery_token(office_staff.pk, code.replace("-", "")) for code in codes
    )


@pytest.mark.django_db
def test_a_recovery_code_works_once_and_a_wrong_code_fails(
    tree, office_staff, security_admin, enrolled, no_backoff, log_in
):
    """The typed code (any case, spaces or dash) is hashed and its row consumed: it logs in
    once; a wrong code, a used code and another user's code are refused. /2fa/ counts the
    rest."""
    _device, codes = enrolled(office_staff)
    _other_device, other_codes = enrolled(security_admin)
    assert not services.verify(user=office_staff, code="abcd-efgh").ok
    assert not services.verify(user=office_staff, code=other_codes[0]).ok
    # Another account's stored hashes moved onto this account do not match here either.
    victim_device = StaticDevice.objects.get(user=office_staff)
    moved = list(
        StaticToken.objects.filter(device__user=security_admin).values_list("pk", flat=True)
    )
    StaticToken.objects.filter(pk__in=moved).update(device=victim_device)
    assert not services.verify(user=office_staff, code=other_codes[2]).ok
    StaticToken.objects.filter(pk__in=moved).delete()

    assert services.verify(user=office_staff, code=f"  {codes[0].upper()} ").ok
    assert not services.verify(user=office_staff, code=codes[0]).ok
    assert StaticToken.objects.filter(device__user=office_staff).count() == 9

    client = log_in(office_staff)
    assert client.post(reverse("twofactor:verify"), {"code": codes[1]}).status_code == 302
    assert _left_on_status_page(client) == 8
    # The API token request accepts a recovery code the same way, once.
    api = _token(client, office_staff, codes[2])
    assert api.status_code == 200 and api.json()["token"]
    assert _token(client, office_staff, codes[2]).status_code == 400
    assert StaticToken.objects.filter(device__user=office_staff).count() == 7


def _left_on_status_page(client) -> int:
    return client.get(reverse("twofactor:overview")).context["status"]["recovery_left"]


def _token(client, user, code):
    data = {"username": user.username, "password": PASSWORD, "otp_token": code}
    return client.post(reverse("api-token"), data=json.dumps(data), content_type="application/json")


@pytest.mark.django_db(transaction=True)
def test_the_same_recovery_code_used_twice_at_once_succeeds_once(tree, office_staff, enrolled):
    """Two connections send the same code at the same moment: exactly one is accepted (the
    user's code lock and the device row are locked before django-otp consumes the row)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers with its database lock (IMMEDIATE transactions)")
    _device, codes = enrolled(office_staff)
    barrier = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            barrier.wait()
            results.append(services.verify(user=office_staff, code=codes[0]).ok)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == [False, True]
    assert StaticToken.objects.filter(device__user=office_staff).count() == 9


@pytest.mark.django_db
def test_rotate_keys_leaves_the_recovery_codes_working(tree, office_staff, enrolled, settings):
    """The hash key derives from the audit key, which `rotate_keys` does not rotate: after a
    rotation of the data and index keys the stored hashes are unchanged and a code logs in."""
    _device, codes = enrolled(office_staff)
    before = _stored_tokens()
    rotation = {
        "DANGJIAN_DATA_KEY": NEW_DATA,
        "DANGJIAN_INDEX_KEY": NEW_INDEX,
        "DANGJIAN_OLD_DATA_KEY": settings.DANGJIAN_DATA_KEY,
        "DANGJIAN_OLD_INDEX_KEY": settings.DANGJIAN_INDEX_KEY,
    }
    try:
        crypto.get_keys.cache_clear()
        with override_settings(**rotation):
            call_command("rotate_keys", stdout=StringIO())
        crypto.get_keys.cache_clear()
        with override_settings(DANGJIAN_DATA_KEY=NEW_DATA, DANGJIAN_INDEX_KEY=NEW_INDEX):
            call_command("rotate_keys", "--check", stdout=StringIO())
            assert _stored_tokens() == before
            assert services.verify(user=office_staff, code=codes[5]).ok
    finally:
        crypto.get_keys.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_migration_hashes_the_recovery_codes_stored_before(django_user_model):
    """Migration 0005 replaces each clear code by its hash; the codes still log in once.
    Migrating back cannot restore a code: it removes the hashed rows (the device stays)."""
    user = django_user_model.objects.create_user(username="migrated", password="x-Long-pass-1")
    clear = ["abcdefgh", "mnopqrst", "234567ab"]
    before = [("twofactor", "0004_device_secrets_required")]
    old_state = [*before, ("otp_static", "0003_add_timestamps")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(old_state).apps
    device = old_apps.get_model("otp_static", "StaticDevice").objects.create(
        user_id=user.pk, name=services.RECOVERY_DEVICE_NAME, confirmed=True
    )
    for token in clear:
        old_apps.get_model("otp_static", "StaticToken").objects.create(device=device, token=token)
    assert sorted(_stored_tokens()) == sorted(clear)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    stored = _stored_tokens()
    assert sorted(stored) == sorted(recovery_token(user.pk, t) for t in clear)
    assert not set(stored) & set(clear)
    assert services.verify(user=user, code="ABCD-EFGH").ok
    assert not services.verify(user=user, code="abcdefgh").ok
    assert StaticToken.objects.filter(device__user=user).count() == 2

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(old_state).apps
    assert not old_apps.get_model("otp_static", "StaticToken").objects.exists()
    assert old_apps.get_model("otp_static", "StaticDevice").objects.filter(user_id=user.pk).exists()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
