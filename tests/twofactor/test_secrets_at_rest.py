"""Two-factor secrets are SM4-encrypted at rest, survive key rotation, and the migration
encrypts the secrets stored before.

GB/T 39786-2021 / MLPS level 3 (confidentiality of authentication data in storage;
keys from configuration, rotated) — docs/security.md.
"""

from __future__ import annotations

import json
from base64 import b32encode
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice as PlainTOTPDevice

from dangjian.core import crypto
from dangjian.twofactor import services
from dangjian.twofactor.models import EncryptedTOTPDevice, SM3Device
from tests.twofactor.conftest import code_for

NEW_DATA = "0f" * 16
NEW_INDEX = "1e" * 32


def _stored(model, pk) -> bytes:
    """The key column exactly as the database holds it (what a dump would show)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key_cipher FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return bytes(cursor.fetchone()[0])


def _forms_of(secret_hex: str) -> list[bytes]:
    raw = bytes.fromhex(secret_hex)
    return [secret_hex.encode(), secret_hex.upper().encode(), raw, b32encode(raw)]


@pytest.fixture
def both_devices(tree, office_staff, branch_secretary, enrolled, settings):
    """office_staff with an authenticator app (TOTP), branch_secretary with an SM3 token."""
    totp, _codes = enrolled(office_staff)
    settings.DANGJIAN_OTP_ALGORITHM = "sm3"
    sm3, _codes = enrolled(branch_secretary)
    assert isinstance(totp, EncryptedTOTPDevice) and isinstance(sm3, SM3Device)
    return totp, sm3


@pytest.mark.django_db
def test_the_stored_key_column_does_not_contain_the_secret(both_devices):
    """Neither the key column nor a dumpdata of the two-factor tables shows any secret, in
    hex, base32 or raw form; the column decrypts (SM4-GCM, data key) to the device's key."""
    dump = StringIO()
    call_command("dumpdata", "twofactor", "otp_totp", stdout=dump)
    for device in both_devices:
        secret = device.key
        assert len(bytes.fromhex(secret)) >= 20
        stored = _stored(type(device), device.pk)
        for form in _forms_of(secret):
            assert form not in stored
            assert form.decode("latin-1") not in dump.getvalue()
        assert crypto.decrypt(stored) == secret
    columns = {
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), SM3Device._meta.db_table
        )
    }
    assert "key_cipher" in columns and "key" not in columns
    assert not PlainTOTPDevice.objects.exists()  # django-otp's clear-text table stays empty
    dumped = {row["model"] for row in json.loads(dump.getvalue())}
    assert {"twofactor.encryptedtotpdevice", "twofactor.sm3device"} <= dumped


@pytest.mark.django_db
def test_rotate_keys_re_encrypts_the_secrets_and_devices_keep_working(both_devices, settings):
    """After `dangjian rotate_keys`, the secrets are under the new data key alone
    (--check passes), the old key no longer reads them, and both devices accept codes."""
    old_data = settings.DANGJIAN_DATA_KEY
    before = {type(d): _stored(type(d), d.pk) for d in both_devices}
    rotation = {
        "DANGJIAN_DATA_KEY": NEW_DATA,
        "DANGJIAN_INDEX_KEY": NEW_INDEX,
        "DANGJIAN_OLD_DATA_KEY": old_data,
        "DANGJIAN_OLD_INDEX_KEY": settings.DANGJIAN_INDEX_KEY,
    }
    try:
        crypto.get_keys.cache_clear()
        with override_settings(**rotation):
            out = StringIO()
            call_command("rotate_keys", stdout=out)
            assert "twofactor.encryptedtotpdevice: 1 secrets re-encrypted" in out.getvalue()
            assert "twofactor.sm3device: 1 secrets re-encrypted" in out.getvalue()
        crypto.get_keys.cache_clear()
        with override_settings(DANGJIAN_DATA_KEY=NEW_DATA, DANGJIAN_INDEX_KEY=NEW_INDEX):
            call_command("rotate_keys", "--check", stdout=StringIO())
            for device in both_devices:
                stored = _stored(type(device), device.pk)
                assert stored != before[type(device)]
                with pytest.raises(crypto.DecryptionError):
                    crypto.decrypt(stored, key=bytes.fromhex(old_data))
                device.refresh_from_db()
                # the next period's code (this one was used at enrolment) logs in
                outcome = services.verify(user=device.user, code=code_for(device, offset=1))
                assert outcome.ok and outcome.device.pk == device.pk, outcome.error
    finally:
        crypto.get_keys.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_migration_encrypts_the_secrets_stored_before(django_user_model):
    """Migrations 0002-0004 encrypt existing SM3 seeds in place and move django-otp's clear
    TOTP devices into the encrypted model (same settings, counters and confirmation), leaving
    django-otp's table empty; migrating back restores the clear secrets."""
    user = django_user_model.objects.create_user(username="migrated", password="x-Long-pass-1")
    totp_hex, sm3_hex = "3132333435363738393031323334353637383930", "ab" * 32
    executor = MigrationExecutor(connection)
    before = [("twofactor", "0001_initial")]
    old_state = [*before, ("otp_totp", "0003_add_timestamps")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(old_state).apps
    old_apps.get_model("otp_totp", "TOTPDevice").objects.create(
        user_id=user.pk, name="phone", confirmed=True, key=totp_hex, last_t=7, drift=1
    )
    old_apps.get_model("twofactor", "SM3Device").objects.create(
        user_id=user.pk, name="token", confirmed=True, key=sm3_hex
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert not PlainTOTPDevice.objects.exists()
    totp = EncryptedTOTPDevice.objects.get(user=user)
    assert (totp.name, totp.confirmed, totp.last_t, totp.drift) == ("phone", True, 7, 1)
    assert totp.key == totp_hex and totp_hex.encode() not in _stored(EncryptedTOTPDevice, totp.pk)
    sm3 = SM3Device.objects.get(user=user)
    assert sm3.key == sm3_hex and sm3_hex.encode() not in _stored(SM3Device, sm3.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(old_state).apps
    assert old_apps.get_model("otp_totp", "TOTPDevice").objects.get(user_id=user.pk).key == (
        totp_hex
    )
    assert old_apps.get_model("twofactor", "SM3Device").objects.get(user_id=user.pk).key == (
        sm3_hex
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
