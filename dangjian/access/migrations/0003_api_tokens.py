"""API tokens of our own (``ApiToken``), stored only as a keyed hash; the clear keys of
DRF's ``authtoken_token`` are moved into it and deleted.

Each moved token keeps working with the same key (the check hashes what is presented)
for the usual idle time and ``DANGJIAN_API_TOKEN_MAX_DAYS`` from the upgrade on; it
counts as issued without a second factor (nobody knows whether it was). The audit key is
read only when there are tokens to move, so a fresh installation migrates without keys.
Irreversible in substance: migrating back deletes the hashed tokens (a hash gives no key
back) and clients ask for new ones. PostgreSQL may keep the deleted clear keys in its
files until ``VACUUM``; run ``VACUUM FULL authtoken_token`` if old database files could
leak.
"""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_clear_tokens(apps, schema_editor):
    from django.utils import timezone

    from dangjian.access.api_tokens import PREFIX_LENGTH, key_hash

    clear = apps.get_model("authtoken", "Token")
    hashed = apps.get_model("access", "ApiToken")
    rows = list(clear.objects.values_list("key", "user_id", "created").order_by("created"))
    if not rows:
        return
    now = timezone.now()
    days = float(getattr(settings, "DANGJIAN_API_TOKEN_MAX_DAYS", 30))
    hashed.objects.bulk_create(
        hashed(
            user_id=user_id,
            key_hash=key_hash(key),
            prefix=key[:PREFIX_LENGTH],
            name="",
            second_factor=False,
            created_at=created,
            last_used_at=now,
            expires_at=now + datetime.timedelta(days=days),
        )
        for key, user_id, created in rows
    )
    clear.objects.all().delete()


def drop_hashed_tokens(apps, schema_editor):
    apps.get_model("access", "ApiToken").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0002_initial'),
        ('authtoken', '0004_alter_tokenproxy_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key_hash', models.CharField(editable=False, max_length=64, unique=True, verbose_name='key hash')),
                ('prefix', models.CharField(editable=False, max_length=8, verbose_name='beginning of the key')),
                ('name', models.CharField(blank=True, max_length=50, verbose_name='name')),
                ('second_factor', models.BooleanField(default=False, verbose_name='issued after a second factor')),
                ('created_at', models.DateTimeField(verbose_name='created at')),
                ('last_used_at', models.DateTimeField(verbose_name='last used')),
                ('expires_at', models.DateTimeField(verbose_name='expires at')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                ('revoked_reason', models.CharField(blank=True, max_length=100, verbose_name='why revoked')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'API token',
                'verbose_name_plural': 'API tokens',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['user', 'revoked_at'], name='apitoken_user_revoked')],
            },
        ),
        migrations.RunPython(move_clear_tokens, drop_hashed_tokens),
    ]
