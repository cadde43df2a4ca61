"""Topics get an owning organization (issue 11, point 11).

Existing topics: the organization of their creator's outermost grant of a role
that manages the topic library (organ party committee office, leading party
group office) — the grant through which the creator could add it; a topic
whose creator is unknown or holds no such grant any more belongs to the first
root organization (sort order, then path). docs/security.md, "Topic ownership".
"""

import django.db.models.deletion
from django.db import migrations, models

# The roles holding topic.manage when this migration was written (access/roles.py).
MANAGING_ROLES = ("organ_office", "leading_group_office")


def assign_owners(apps, schema_editor):
    Topic = apps.get_model("study", "Topic")
    Organization = apps.get_model("organizations", "Organization")
    RoleGrant = apps.get_model("access", "RoleGrant")
    root = (
        Organization.objects.filter(parent__isnull=True).order_by("sort_order", "path").first()
    )
    owners: dict[int | None, int | None] = {}
    for topic in Topic.objects.filter(organization__isnull=True).only("pk", "added_by_id"):
        user_id = topic.added_by_id
        if user_id not in owners:
            grant = (
                RoleGrant.objects.filter(
                    user_id=user_id, role__in=MANAGING_ROLES, organization__isnull=False
                )
                .order_by("organization__depth", "organization__path")
                .values_list("organization_id", flat=True)
                .first()
                if user_id
                else None
            )
            owners[user_id] = grant or (root.pk if root else None)
        Topic.objects.filter(pk=topic.pk).update(organization_id=owners[user_id])


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_initial"),
        ("organizations", "0001_initial"),
        ("study", "0003_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="owned_topics",
                to="organizations.organization",
                verbose_name="owning organization",
            ),
        ),
        migrations.RunPython(assign_owners, migrations.RunPython.noop),
    ]
