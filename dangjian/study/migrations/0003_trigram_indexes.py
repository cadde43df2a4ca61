"""GIN trigram indexes for the search columns, on PostgreSQL only and only if
the pg_trgm extension exists or may be created. Elsewhere (SQLite, or a role
that may not create extensions) nothing happens and search still works: the
same LIKE queries then scan the table (docs/architecture.md, "Chinese search").
"""

from django.db import migrations, transaction

INDEXES = {
    "study_topic_search_text_trgm": "search_text",
    "study_topic_search_words_trgm": "search_words",
}


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # noqa: BLE001 - no privilege or not installed: keep the plain scan
            return
        for name, column in INDEXES.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON study_topic "
                f"USING gin ({column} gin_trgm_ops)"
            )


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("study", "0002_topic_tag_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
