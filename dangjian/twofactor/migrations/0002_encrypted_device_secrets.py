"""Device secrets SM4-encrypted at rest, step 1 of 3: the columns for the ciphertext.

No defaults here: a default on a new or altered column is evaluated by the schema
editor, and the model's default encrypts (it needs the data key). 0003 fills the
columns, 0004 makes them required and drops the clear ``key``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("twofactor", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="sm3device",
            name="key_cipher",
            field=models.BinaryField(null=True, verbose_name="seed (SM4-encrypted)"),
        ),
        migrations.CreateModel(
            name="EncryptedTOTPDevice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="The human-readable name of this device.", max_length=64
                    ),
                ),
                (
                    "confirmed",
                    models.BooleanField(default=True, help_text="Is this device ready for use?"),
                ),
                (
                    "throttling_failure_timestamp",
                    models.DateTimeField(
                        blank=True,
                        default=None,
                        help_text="A timestamp of the last failed verification attempt. "
                        "Null if last attempt succeeded.",
                        null=True,
                    ),
                ),
                (
                    "throttling_failure_count",
                    models.PositiveIntegerField(
                        default=0, help_text="Number of successive failed attempts."
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        auto_now_add=True,
                        help_text="The date and time when this device was initially created "
                        "in the system.",
                        null=True,
                    ),
                ),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="The most recent date and time this device was used.",
                        null=True,
                    ),
                ),
                ("key_cipher", models.BinaryField(verbose_name="secret (SM4-encrypted)")),
                (
                    "step",
                    models.PositiveSmallIntegerField(
                        default=30, verbose_name="time step (seconds)"
                    ),
                ),
                (
                    "t0",
                    models.BigIntegerField(
                        default=0, verbose_name="start of the first step (Unix time)"
                    ),
                ),
                (
                    "digits",
                    models.PositiveSmallIntegerField(
                        choices=[(6, 6), (8, 8)], default=6, verbose_name="digits"
                    ),
                ),
                (
                    "tolerance",
                    models.PositiveSmallIntegerField(default=1, verbose_name="tolerance (steps)"),
                ),
                ("drift", models.SmallIntegerField(default=0, verbose_name="drift (steps)")),
                ("last_t", models.BigIntegerField(default=-1, verbose_name="last step used")),
                (
                    "user",
                    models.ForeignKey(
                        help_text="The user that this device belongs to.",
                        on_delete=django.db.models.deletion.CASCADE,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "authenticator app",
                "verbose_name_plural": "authenticator apps",
                "abstract": False,
            },
        ),
    ]
