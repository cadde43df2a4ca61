"""Device secrets SM4-encrypted at rest, step 3 of 3: the clear seed column goes, the
ciphertext becomes required, and new devices get a random encrypted secret (a Python
default only: altering non-null columns does not evaluate it)."""

from django.db import migrations, models

import dangjian.twofactor.models


class Migration(migrations.Migration):
    dependencies = [
        ("twofactor", "0003_encrypt_existing_secrets"),
    ]

    operations = [
        migrations.RemoveField(model_name="sm3device", name="key"),
        migrations.AlterField(
            model_name="sm3device",
            name="key_cipher",
            field=models.BinaryField(verbose_name="seed (SM4-encrypted)"),
        ),
        migrations.AlterField(
            model_name="sm3device",
            name="key_cipher",
            field=models.BinaryField(
                default=dangjian.twofactor.models.new_sm3_seed,
                verbose_name="seed (SM4-encrypted)",
            ),
        ),
        migrations.AlterField(
            model_name="encryptedtotpdevice",
            name="key_cipher",
            field=models.BinaryField(
                default=dangjian.twofactor.models.new_totp_secret,
                verbose_name="secret (SM4-encrypted)",
            ),
        ),
    ]
