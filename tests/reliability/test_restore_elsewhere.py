"""A backup restores into another, separately migrated database (issue 6, Reliability).

The round trip in ``test_backup.py`` restores into the database it came from;
here the target is a different database, migrated on its own, run by
``dangjian`` subprocesses with their own ``DATABASE_URL``:

* a fresh SQLite file whose content-type and permission ids differ from the
  source's (the source made its content types in another order): every row,
  every uploaded file and the generic relations (record seals, SM2 signatures
  name their record by content type) survive;
* SQLite → PostgreSQL → SQLite (README: "a SQLite backup restores into
  PostgreSQL and back"), when a PostgreSQL server is reachable.

Each restore adds exactly one audit record ("dangjian restore"), chained onto
the restored head; everything else is compared row by row and byte by byte.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from dangjian.core import backup, integrity, signing
from dangjian.core.models import RecordSeal, Signature
from dangjian.tasks import services as task_services
from tests.reliability.test_backup import media, rich  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
RESTORE_NOTE = "dangjian restore"

# One process per target (Django's start-up is the slow part): dangjian restore, dangjian
# backup, the generic relations as the target resolves them, dangjian audit verify.
IN_TARGET = """
import io, json, sys
import django
django.setup()
from django.core.management import call_command
from dangjian.core import integrity, signing
from dangjian.core.models import RecordSeal, Signature
out = {}
for name, args in (("restore", [sys.argv[1]]), ("backup", [sys.argv[2]])):
    text = io.StringIO()
    call_command(name, *args, stdout=text)
    out[name] = text.getvalue()
verify = io.StringIO()
call_command("audit", "verify", stdout=verify)
print(json.dumps({
    **out,
    "verify": verify.getvalue(),
    "seals": sorted([s.content_type.app_label + "." + s.content_type.model, s.object_id]
                    for s in RecordSeal.objects.select_related("content_type")),
    "signatures": sorted([s.content_type.app_label + "." + s.content_type.model, s.object_id,
                          s.operation, signing.check(s)]
                         for s in Signature.objects.select_related("content_type")),
    "findings": sorted([f.label, f.object_id, f.problem] for f in integrity.check()),
}))
"""


# --- the source: content types made in another order, data with seals and a signature ---------


@pytest.fixture
def other_content_type_ids(db):
    """Recreate every content type (and so every permission) in reverse order: the ids no
    longer match what a fresh ``migrate`` writes."""
    pairs = list(ContentType.objects.order_by("pk").values_list("app_label", "model"))
    ContentType.objects.all().delete()  # permissions cascade
    ContentType.objects.clear_cache()
    for app_label, model in reversed(pairs):
        ContentType.objects.create(app_label=app_label, model=model)
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0)
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def signed(rich, settings, tmp_path):  # noqa: F811
    """A task closed by a user with an SM2 key: a Signature naming the task by content type."""
    settings.DANGJIAN_SM2_KEY_DIR = str(tmp_path / "sm2")
    office = rich.users["dangzu_office"]
    call_command("sm2key", "generate", office.username, stdout=io.StringIO())
    task = task_services.task_create(
        actor=office,
        title="贯彻落实第一项要求",
        organization=rich.orgs["root"],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        lead_organization=rich.orgs["branch"],
        lead_unit=rich.units["office"],
    )
    secretary = rich.users["branch_secretary"]
    task_services.task_start(actor=secretary, task=task)
    task_services.task_request_closure(actor=secretary, task=task, reason="已完成")
    task_services.task_approve_closure(actor=office, task=task, reason="同意")
    assert Signature.objects.filter(object_id=str(task.pk), operation="task.close").exists()
    return rich


def source_links() -> dict:
    """What the target must answer for the generic relations (the shape IN_TARGET prints)."""
    ContentType.objects.clear_cache()
    return {
        "seals": sorted(
            [f"{s.content_type.app_label}.{s.content_type.model}", s.object_id]
            for s in RecordSeal.objects.select_related("content_type")
        ),
        "signatures": sorted(
            [
                f"{s.content_type.app_label}.{s.content_type.model}",
                s.object_id,
                s.operation,
                signing.check(s),
            ]
            for s in Signature.objects.select_related("content_type")
        ),
        "findings": sorted([f.label, f.object_id, f.problem] for f in integrity.check()),
    }


# --- targets: dangjian subprocesses with their own DATABASE_URL and MEDIA_ROOT -----------------


def dangjian(*args: str, url: str, var: Path, timeout: int = 600) -> str:
    env = {
        **os.environ,
        "DANGJIAN_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "dangjian.config.settings",
        "DATABASE_URL": url,
        "DANGJIAN_VAR_DIR": str(var),
    }
    command = (
        [sys.executable, *args] if args[0] == "-c" else [sys.executable, "-m", "dangjian", *args]
    )
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stderr[-3000:]}"
    return done.stdout


class Target:
    """A freshly migrated database with its own var directory (MEDIA_ROOT under it)."""

    def __init__(self, url: str, var: Path):
        self.url, self.var = url, var
        var.mkdir(parents=True, exist_ok=True)

    def run(self, *args: str) -> str:
        return dangjian(*args, url=self.url, var=self.var)

    def restore(self, archive: Path, out: Path) -> dict:
        """Restore ``archive``, back the result up to ``out``; what the target then says."""
        found = json.loads(self.run("-c", IN_TARGET, str(archive), str(out)).splitlines()[-1])
        assert found.pop("restore").startswith("restored")
        assert found.pop("backup").startswith("backup written")
        assert "audit chain intact" in found.pop("verify")
        return found  # seals, signatures, integrity findings


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """One SQLite file migrated by ``dangjian migrate``; each target is a copy of it."""
    base = tmp_path_factory.mktemp("template")
    path = base / "fresh.sqlite3"
    dangjian("migrate", "--noinput", "-v0", url=f"sqlite:///{path}", var=base / "var")
    return path


def sqlite_target(template: Path, where: Path) -> Target:
    where.mkdir(parents=True)
    shutil.copy(template, where / "db.sqlite3")
    return Target(f"sqlite:///{where / 'db.sqlite3'}", where / "var")


def content_type_ids(sqlite_path: Path) -> dict[str, int]:
    with sqlite3.connect(sqlite_path) as db:
        rows = db.execute("SELECT id, app_label, model FROM django_content_type").fetchall()
    return {f"{app}.{model}": pk for pk, app, model in rows}


def postgres_server() -> str | None:
    """A URL of a PostgreSQL server to create a scratch database on, or None."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return os.environ.get("DANGJIAN_TEST_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")


@pytest.fixture
def postgres_target(tmp_path):
    import psycopg

    server = postgres_server()
    name = f"dj_restore_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        pytest.skip(
            f"PostgreSQL not reachable at {server.rsplit('@', 1)[-1]} ({type(exc).__name__}); "
            "set DANGJIAN_TEST_POSTGRES_SERVER=postgres://USER[:PASSWORD]@HOST:PORT to run it"
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            target = Target(f"{server}/{name}", tmp_path / "pg" / "var")
            target.run("migrate", "--noinput", "-v0")
            yield target
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- comparing archives --------------------------------------------------------------------------


def contents(archive: Path) -> tuple[dict[str, list], dict[str, bytes], dict]:
    """(rows per model, bytes per media file, manifest) of a backup."""
    with tempfile.TemporaryFile() as plain:
        backup._decrypt_file(archive, plain, backup.backup_key())
        plain.seek(0)
        with tarfile.open(fileobj=plain, mode="r:") as tar:
            manifest = backup._verify_archive(tar)
            rows, files = {}, {}
            for name in manifest["entries"]:
                data = tar.extractfile(name).read()
                if name.startswith("db/"):
                    rows[name[3:-5]] = json.loads(data)
                else:
                    files[name] = data
    return rows, files, manifest


def without_restore_records(rows: dict[str, list]) -> tuple[dict[str, list], int]:
    """The rows minus the records restores add (and the chain head they move)."""
    rows = dict(rows)
    events = rows["core.auditevent"]
    kept = [e for e in events if e["fields"]["note"] != RESTORE_NOTE]
    rows["core.auditevent"] = kept
    rows.pop("core.auditchainhead")
    return rows, len(events) - len(kept)


def assert_same_data(source: Path, copy: Path, *, restores: int) -> None:
    rows, files, manifest = contents(source)
    copied_rows, copied_files, copied_manifest = contents(copy)
    assert copied_files == files
    assert copied_manifest["tables"].keys() == manifest["tables"].keys()
    expected, none = without_restore_records(rows)
    assert none == 0
    got, added = without_restore_records(copied_rows)
    assert added == restores
    for label in expected:
        assert got[label] == expected[label], f"{label} differs after restore elsewhere"


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_backup_restores_into_a_separately_migrated_database_with_other_content_type_ids(
    other_content_type_ids,
    signed,
    tmp_path,
    migrated_sqlite,
):
    source = tmp_path / "source.backup"
    backup.create_backup(source)
    links = source_links()
    assert links["seals"] and links["signatures"]
    assert all(s[-1] == signing.VERIFIED for s in links["signatures"])
    ours = {
        f"{ct.app_label}.{ct.model}": ct.pk
        for ct in ContentType.objects.filter(app_label__in=["people", "tasks", "meetings"])
    }
    fresh = content_type_ids(migrated_sqlite)
    assert any(fresh[label] != pk for label, pk in ours.items())  # the ids really differ

    target = sqlite_target(migrated_sqlite, tmp_path / "sqlite")
    copy = tmp_path / "copy.backup"
    # Seals and signatures find their records and verify; the audit chain verifies.
    assert target.restore(source, copy) == links

    assert_same_data(source, copy, restores=1)
    restored_ids = content_type_ids(Path(target.url.removeprefix("sqlite:///")))
    assert {label: restored_ids[label] for label in ours} == ours


@pytest.mark.django_db
@pytest.mark.once
def test_sqlite_backup_restores_into_postgresql_and_back(
    signed,
    tmp_path,
    migrated_sqlite,
    postgres_target,
):
    source = tmp_path / "source.backup"
    backup.create_backup(source)
    links = source_links()

    from_sqlite, from_postgres, again = (tmp_path / f"{n}.backup" for n in (1, 2, 3))
    first = sqlite_target(migrated_sqlite, tmp_path / "sqlite1")
    assert first.restore(source, from_sqlite) == links
    assert contents(from_sqlite)[2]["vendor"] == "sqlite"

    assert postgres_target.restore(from_sqlite, from_postgres) == links
    assert contents(from_postgres)[2]["vendor"] == "postgresql"
    assert_same_data(source, from_postgres, restores=2)

    back = sqlite_target(migrated_sqlite, tmp_path / "sqlite2")
    assert back.restore(from_postgres, again) == links
    assert_same_data(source, again, restores=3)
