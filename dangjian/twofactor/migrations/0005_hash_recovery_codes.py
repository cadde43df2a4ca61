"""Recovery codes stored only as their keyed hash: every clear code in django-otp's
``otp_static_statictoken.token`` is replaced by ``models.recovery_token`` of it.

Existing codes keep working (the check hashes the typed code the same way). The audit
key is read only when there are codes to hash, so a fresh installation migrates without
keys. Irreversible in substance: a hash gives no code back, so migrating back deletes
the hashed rows (the old code could never match them) and users make new recovery codes
on their two-factor page. PostgreSQL may keep the replaced clear values in its files until
``VACUUM``; run ``VACUUM FULL otp_static_statictoken`` if old database files could leak.
"""

from django.db import migrations


def hash_codes(apps, schema_editor):
    from dangjian.twofactor.models import recovery_token

    token_model = apps.get_model("otp_static", "StaticToken")
    rows = token_model.objects.values_list("pk", "token", "device__user_id").order_by("pk")
    for pk, token, user_id in list(rows):
        # Codes were issued lower-case (base32); the check lower-cases what is typed.
        token_model.objects.filter(pk=pk).update(token=recovery_token(user_id, token.lower()))


def drop_hashed_codes(apps, schema_editor):
    apps.get_model("otp_static", "StaticToken").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("twofactor", "0004_device_secrets_required"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_codes, drop_hashed_codes)]
