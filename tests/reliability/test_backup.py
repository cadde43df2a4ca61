"""Backup and restore (issue 6, Reliability): consistent, checksummed, encrypted, lossless.

The round trip runs on whichever database the suite runs on (SQLite and
PostgreSQL in CI): rich data → ``dangjian backup`` → every table emptied (an
instance fresh from ``migrate``) → ``dangjian restore`` → every table's rows and
every file's bytes equal what they were.
"""

from __future__ import annotations

import datetime
import io
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from dangjian.core import backup
from dangjian.core.models import AuditChainHead, AuditEvent
from dangjian.meetings import services as meeting_services
from dangjian.people.models import Member
from dangjian.tasks import services as task_services

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4 progress report\n" + bytes(range(256))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def rich(tree, media):
    """Members with encrypted fields (the tree), a meeting with attendance and a decision
    turned into tasks, progress reports with attachments, and the audit chain they wrote."""
    office = tree.users["office_staff"]
    meeting = meeting_services.meeting_create(
        actor=None,
        organization=tree.orgs["committee"],
        kind="branch_assembly",
        title="机关党委会议",
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        check=False,
    )
    item = meeting_services.agenda_item_add(
        actor=office,
        meeting=meeting,
        kind="deliberation",
        title="研究部署",
        minutes="会议认为……",
        decisions=["一要抓好学习", "二要狠抓落实"],
    )
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    tasks = meeting_services.decision_to_tasks(
        actor=office,
        item=item,
        decision_index=1,
        tasks=[
            {"title": "制定落实方案", "deadline": deadline, "lead_unit": tree.units["office"]},
            {
                "title": "开展专题学习",
                "deadline": deadline,
                "lead_organization": tree.orgs["branch"],
                "responsible": tree.members["member"],
            },
        ],
    )
    task_services.progress_report_add(
        actor=tree.users["admin"],
        task=tasks[1],
        reported_on=timezone.localdate(),
        text="已召开专题会议部署",
        percent=40,
        attachments=[
            SimpleUploadedFile("总结.pdf", PDF),
            SimpleUploadedFile("照片.png", png_bytes()),
        ],
        check=False,
    )
    return tree


def table_rows() -> dict[str, list]:
    """Every table's rows (bytes for binary columns), sorted; django_migrations aside."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table == "django_migrations" or table.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in cursor.fetchall()
            ]
            result[table] = sorted(rows, key=repr)
    return result


def file_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in backup.media_files(root)}


def wipe(media: Path) -> None:
    """Make this instance look fresh from ``migrate``: only the rows migrate writes remain."""
    tables = [
        m._meta.db_table
        for m in backup.dumped_models()
        if m._meta.label_lower not in backup.SEED_MODELS
    ]
    tables += [
        f.remote_field.through._meta.db_table
        for m in backup.dumped_models()
        for f in m._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL dangjian.audit_archive = 'on'")  # the audit trigger
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    for path in backup.media_files(media):
        path.unlink()
    assert backup.target_problems() == []


def test_backup_restore_round_trip_is_lossless(rich, media, tmp_path):
    before_rows, before_files = table_rows(), file_bytes(media)
    head_before = AuditChainHead.objects.get()
    assert len(before_files) >= 2
    assert Member.objects.exists()
    archive = tmp_path / "dangjian.backup"
    call_command("backup", str(archive), stdout=io.StringIO())

    # Encrypted: no clear text of the data in the archive.
    raw = archive.read_bytes()
    assert raw.startswith(backup.MAGIC)
    assert "机关党委会议".encode() not in raw and b"PDF-1.4" not in raw

    wipe(media)
    assert not Member.objects.exists() and not file_bytes(media)
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "restored" in out.getvalue()

    assert file_bytes(media) == before_files
    after_rows = table_rows()
    # The one addition: restore's own audit record, chained onto the restored head.
    restored = AuditEvent.objects.order_by("-seq").first()
    assert restored.note == "dangjian restore" and restored.seq == head_before.seq + 1
    head = AuditChainHead.objects.get()
    assert (head.seq, head.mac) == (restored.seq, restored.mac)
    after_rows["core_auditevent"] = [
        r for r in after_rows["core_auditevent"] if r[0] != restored.pk
    ]
    after_rows["core_auditchainhead"] = before_rows["core_auditchainhead"]
    assert after_rows.keys() == before_rows.keys()
    for table in before_rows:
        assert after_rows[table] == before_rows[table], f"table {table} differs after restore"
    # Encrypted personal data still reads under the configured key.
    member = Member.objects.get(pk=rich.members["member"].pk)
    assert member.decrypted("phone") == "13800001234"
    assert Member.objects.with_id_number(rich.members["member"].decrypted("id_number")).exists()


def test_restore_resets_sequences_so_new_rows_get_new_keys(rich, media, tmp_path):
    archive = tmp_path / "b"
    backup.create_backup(archive)
    highest = Member.objects.order_by("-pk").first().pk
    wipe(media)
    backup.restore_backup(archive)
    from tests.factories import make_member

    new = make_member(rich.orgs["branch"], "新党员")
    assert new.pk > highest


def test_restore_refuses_a_target_that_holds_data(rich, media, tmp_path):
    archive = tmp_path / "b"
    backup.create_backup(archive)
    before = table_rows()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))
    assert table_rows() == before


def test_restore_refuses_a_changed_archive_before_touching_anything(rich, media, tmp_path):
    archive = tmp_path / "b"
    backup.create_backup(archive)
    wipe(media)
    before = table_rows()
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    archive.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match="authentication"):
        backup.restore_backup(archive)
    assert table_rows() == before and not file_bytes(media)


def test_restore_refuses_a_wrong_key(rich, media, tmp_path, settings):
    archive = tmp_path / "b"
    backup.create_backup(archive)
    wipe(media)
    settings.DANGJIAN_BACKUP_KEY = "ff" * 16
    with pytest.raises(backup.BackupError, match="authentication"):
        backup.restore_backup(archive)
    assert not Member.objects.exists()


def _reencrypt_with_changed_entry(archive: Path, prefix: str) -> None:
    """An archive whose encryption is intact but one entry no longer matches the manifest
    (what a backup tool with the key, or a bug, could produce)."""
    key = backup.backup_key()
    plain = archive.with_suffix(".tar")
    with open(plain, "wb") as fh:
        backup._decrypt_file(archive, fh, key)
    changed = archive.with_suffix(".changed.tar")
    with tarfile.open(plain) as src, tarfile.open(changed, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith(prefix):
                data = data[:-1] + bytes([data[-1] ^ 1])
                prefix = "\0"  # change one entry only
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    backup._encrypt_file(changed, archive, key)


@pytest.mark.parametrize("prefix", ["db/people.member", "media/"])
def test_restore_verifies_every_checksum_first(rich, media, tmp_path, prefix):
    archive = tmp_path / "b"
    backup.create_backup(archive)
    _reencrypt_with_changed_entry(archive, prefix)
    wipe(media)
    with pytest.raises(backup.BackupError, match="checksum mismatch"):
        backup.restore_backup(archive)
    assert not Member.objects.exists() and not file_bytes(media)


def test_restore_is_all_or_nothing(rich, media, tmp_path, monkeypatch):
    """A failure half way through the rows leaves no rows and no files behind."""
    archive = tmp_path / "b"
    backup.create_backup(archive)
    wipe(media)
    before = table_rows()
    from django.core.serializers.base import DeserializedObject

    original = DeserializedObject.save
    calls = {"n": 0}

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 40:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DeserializedObject, "save", failing_save)
    with pytest.raises(RuntimeError, match="disk full"):
        backup.restore_backup(archive)
    assert calls["n"] == 40
    assert table_rows() == before
    assert not file_bytes(media)


def test_restore_check_only_verifies(rich, media, tmp_path):
    archive = tmp_path / "b"
    call_command("backup", str(archive), stdout=io.StringIO())
    out = io.StringIO()
    call_command("restore", str(archive), "--check", stdout=out)
    assert "backup intact" in out.getvalue()


def test_backup_key_is_derived_from_the_data_key_unless_configured(settings):
    from dangjian.core import crypto

    settings.DANGJIAN_BACKUP_KEY = None
    assert backup.backup_key() == crypto.hmac_sm3(crypto.get_keys().data, b"dangjian/backup")[:16]
    settings.DANGJIAN_BACKUP_KEY = "11" * 16
    assert backup.backup_key() == bytes.fromhex("11" * 16)


def test_backup_and_restore_are_audited_and_the_chain_still_verifies(rich, media, tmp_path):
    """Backup and restore each leave an audit record (the system as actor, outcome and
    counts, no personal data); the restore's record chains onto the restored head, so
    the restored log plus it verifies."""
    archive = tmp_path / "b"
    call_command("backup", str(archive), stdout=io.StringIO())
    written = AuditEvent.objects.order_by("-seq").first()
    assert (written.note, written.action, written.object_type) == (
        "dangjian backup",
        AuditEvent.Action.EXPORT,
        "core.backup",
    )
    assert written.actor is None and written.actor_name == ""
    assert written.changes["outcome"] == "written" and written.changes["files"] == 2
    manifest = backup.read_manifest(archive)
    assert written.changes["rows"] == sum(manifest["tables"].values())
    backup_head = written.seq - 1  # the backup's own record is not in the backup

    wipe(media)
    call_command("restore", str(archive), stdout=io.StringIO())
    restored = AuditEvent.objects.order_by("-seq").first()
    assert (restored.note, restored.action, restored.object_type) == (
        "dangjian restore",
        AuditEvent.Action.IMPORT,
        "core.backup",
    )
    assert restored.actor is None and restored.actor_name == "" and restored.ip_address is None
    assert restored.seq == backup_head + 1
    assert restored.changes["outcome"] == "restored"
    assert restored.changes["rows"] == written.changes["rows"]
    assert restored.changes["files"] == 2
    assert not AuditEvent.objects.filter(note="dangjian backup").exists()  # written after
    text = repr((restored.object_repr, restored.changes, written.object_repr, written.changes))
    member = rich.members["member"]
    for personal in (member.name, member.decrypted("phone"), member.decrypted("id_number")):
        assert personal not in text

    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert f"verified up to record {restored.seq}" in out.getvalue()


def test_restore_and_its_audit_record_are_all_or_nothing(rich, media, tmp_path, monkeypatch):
    """A restore whose audit record fails restores nothing (and writes no record): the
    target stays empty, so the restore can simply be run again."""
    archive = tmp_path / "b"
    backup.create_backup(archive)
    wipe(media)
    monkeypatch.setattr(
        backup.audit, "record", lambda **kw: (_ for _ in ()).throw(RuntimeError("audit down"))
    )
    with pytest.raises(RuntimeError, match="audit down"):
        backup.restore_backup(archive)
    assert backup.target_problems() == []
    monkeypatch.undo()
    backup.restore_backup(archive)
    assert AuditEvent.objects.order_by("-seq").first().note == "dangjian restore"
