"""Roster imports: the commit lease's holder and the "expired" state (issue 11, point 7)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_display_masks"),
    ]

    operations = [
        migrations.AddField(
            model_name="rosterimport",
            name="commit_owner",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AlterField(
            model_name="rosterimport",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "waiting to be checked"),
                    ("validating", "checking"),
                    ("validated", "checked, ready to import"),
                    ("invalid", "has errors"),
                    ("committing", "importing"),
                    ("committed", "imported"),
                    ("failed", "import failed"),
                    ("expired", "expired, not imported"),
                ],
                default="pending",
                max_length=20,
                verbose_name="status",
            ),
        ),
    ]
