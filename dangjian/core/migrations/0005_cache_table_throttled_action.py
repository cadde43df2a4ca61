"""The database cache table (settings.CACHES) and the audit action "throttled".

``createcachetable`` is run here so that every ``migrate`` — ``./scripts/demo``,
``dangjian migrate`` in production, the test databases — has the shared cache that
the rate limits count in (dangjian/core/ratelimit.py).
"""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations, models

ACTIONS = [
    ("create", "create"),
    ("update", "update"),
    ("delete", "delete"),
    ("reveal", "reveal personal data"),
    ("export", "export"),
    ("import", "import"),
    ("grant", "grant role"),
    ("revoke", "revoke role"),
    ("login", "log in"),
    ("login_failed", "failed log-in"),
    ("logout", "log out"),
    ("throttled", "rate limit exceeded"),
]


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    connection = schema_editor.connection
    existing = set(connection.introspection.table_names())
    for cache in settings.CACHES.values():
        table = cache.get("LOCATION")
        if cache["BACKEND"].endswith("db.DatabaseCache") and table in existing:
            schema_editor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_seal_audit_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(choices=ACTIONS, db_index=True, max_length=20, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="auditarchiveevent",
            name="action",
            field=models.CharField(choices=ACTIONS, max_length=20, verbose_name="action"),
        ),
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
