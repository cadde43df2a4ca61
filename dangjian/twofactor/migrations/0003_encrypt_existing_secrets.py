"""Device secrets SM4-encrypted at rest, step 2 of 3: encrypt what is stored.

SM3 seeds are encrypted in place. django-otp's TOTP devices (clear hex in
``otp_totp_totpdevice.key``) are copied into ``twofactor.EncryptedTOTPDevice`` with the
secret encrypted, then deleted, so the old table holds no secret. Sessions verified
with an old device are asked for a code again (the device id changed). Reversible.
"""

from django.db import migrations

TOTP_FIELDS = (
    "user_id",
    "name",
    "confirmed",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "last_used_at",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
)


def encrypt_secrets(apps, schema_editor):
    from dangjian.core import crypto

    sm3 = apps.get_model("twofactor", "SM3Device")
    for pk, key in sm3.objects.filter(key_cipher__isnull=True).values_list("pk", "key"):
        sm3.objects.filter(pk=pk).update(key_cipher=crypto.encrypt(key))
    old_model = apps.get_model("otp_totp", "TOTPDevice")
    new_model = apps.get_model("twofactor", "EncryptedTOTPDevice")
    for old in old_model.objects.order_by("pk"):
        new = new_model.objects.create(
            key_cipher=crypto.encrypt(old.key), **{f: getattr(old, f) for f in TOTP_FIELDS}
        )
        new_model.objects.filter(pk=new.pk).update(created_at=old.created_at)
        old.delete()


def decrypt_secrets(apps, schema_editor):
    from dangjian.core import crypto

    sm3 = apps.get_model("twofactor", "SM3Device")
    for pk, cipher in sm3.objects.exclude(key_cipher__isnull=True).values_list("pk", "key_cipher"):
        sm3.objects.filter(pk=pk).update(key=crypto.decrypt(cipher), key_cipher=None)
    old_model = apps.get_model("otp_totp", "TOTPDevice")
    new_model = apps.get_model("twofactor", "EncryptedTOTPDevice")
    for new in new_model.objects.order_by("pk"):
        old = old_model.objects.create(
            key=crypto.decrypt(new.key_cipher), **{f: getattr(new, f) for f in TOTP_FIELDS}
        )
        old_model.objects.filter(pk=old.pk).update(created_at=new.created_at)
        new.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("twofactor", "0002_encrypted_device_secrets"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
