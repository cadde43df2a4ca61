"""``dangjian backup`` / ``dangjian restore``: one encrypted, checksummed archive.

Format (docs/architecture.md, "Backup and restore")::

    b"DJBACKUP1\\n" + nonce(12) + SM4-GCM(tar) + tag(16)        (AAD = the magic line)

The tar holds ``manifest.json`` (format, time, database vendor, applied
migrations, row counts, and the SHA-256 and size of every other entry),
``db/<app>.<model>.json`` (a logical dump: Django's JSON serializer, primary
keys kept, many-to-many with their parent) and ``media/<path>`` (every file
under MEDIA_ROOT: uploads, rosters, photos). Logical rows make the backup
database-neutral: a SQLite backup restores into PostgreSQL and back.

Consistency: the dump runs in one transaction (PostgreSQL: REPEATABLE READ,
READ ONLY — one snapshot; SQLite: the IMMEDIATE transaction holds off writers).

Key: ``DANGJIAN_BACKUP_KEY`` (16 bytes hex; in the key file ``BACKUP_KEY=``),
else derived from the data key: ``HMAC-SM3(data key, "dangjian/backup")[:16]``.
Never from the database. After a data-key rotation keep the old backup key
(set ``DANGJIAN_BACKUP_KEY``) to read older backups.

Restore verifies the authentication tag and every checksum before it touches
anything, refuses a target that already holds data (rows other than what
``migrate`` writes, or files under MEDIA_ROOT) or runs other migrations, and
is all-or-nothing: the rows load in one transaction; the files written first
are removed again if the rows fail.

Both are audited without personal data (actor: none, i.e. the system; counts
only): a backup after its snapshot (so the record is not in the backup itself),
a restore in the rows' transaction, chained onto the restored chain head — the
restored log plus that record verifies (``dangjian audit verify``). A failed
restore writes no record (the target must stay empty for the next attempt); the
command's error and exit status say why.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ImproperlyConfigured
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from . import audit, crypto
from .models import AuditEvent

MAGIC = b"DJBACKUP1\n"
NONCE_BYTES = 12
TAG_BYTES = 16
CHUNK = 1024 * 1024
FORMAT = "dangjian-backup"
VERSION = 1

# Rows ``migrate`` itself writes (content types, permissions, default rules, the
# audit chain head): a fresh instance has them, restore replaces them.
SEED_MODELS = frozenset(
    {"contenttypes.contenttype", "auth.permission", "meetings.liferule", "core.auditchainhead"}
)


class BackupError(Exception):
    """The backup cannot be written or restored; the message says why (no data in it)."""


@dataclass(frozen=True)
class Summary:
    rows: int
    files: int
    tables: dict[str, int]


def backup_key() -> bytes:
    value = getattr(settings, "DANGJIAN_BACKUP_KEY", None)
    if not value and settings.DANGJIAN_KEY_FILE:
        with open(settings.DANGJIAN_KEY_FILE, encoding="ascii") as fh:
            for line in fh:
                name, _, found = line.strip().partition("=")
                if name == "BACKUP_KEY" and found:
                    value = found
    if value:
        try:
            key = bytes.fromhex(value.strip())
        except ValueError as exc:
            raise ImproperlyConfigured("DANGJIAN_BACKUP_KEY must be hexadecimal.") from exc
        if len(key) != 16:
            raise ImproperlyConfigured("DANGJIAN_BACKUP_KEY must be 16 bytes (32 hex digits).")
        return key
    return crypto.hmac_sm3(crypto.get_keys().data, b"dangjian/backup")[:16]


def dumped_models() -> list:
    """Every concrete model with a table of its own (auto-created M2M tables go with
    their parent), in a stable order."""
    models = [
        m
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    return sorted(models, key=lambda m: m._meta.label_lower)


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


@contextlib.contextmanager
def _snapshot(using: str):
    """One consistent read of every table (see the module docstring)."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def dump_rows(using: str = DEFAULT_DB_ALIAS) -> Iterable[tuple[str, bytes, int]]:
    """(entry name, JSON bytes, row count) for every model; call inside ``_snapshot``."""
    for model in dumped_models():
        queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
        rows = serializers.serialize("python", queryset.iterator(chunk_size=2000))
        data = json.dumps(rows, cls=ExactJSONEncoder, ensure_ascii=False).encode("utf-8")
        yield f"db/{model._meta.label_lower}.json", data, len(rows)


def _encrypt_file(plain: Path, target: Path, key: bytes) -> None:
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(MAGIC)
    tmp = target.with_name(target.name + ".part")
    with open(plain, "rb") as src, open(tmp, "wb") as dst:
        dst.write(MAGIC + nonce)
        for chunk in iter(lambda: src.read(CHUNK), b""):
            dst.write(encryptor.update(chunk))
        dst.write(encryptor.finalize())
        dst.write(encryptor.tag)
        dst.flush()
        os.fsync(dst.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)


def _decrypt_file(source: Path, plain, key: bytes) -> None:
    size = source.stat().st_size
    if size < len(MAGIC) + NONCE_BYTES + TAG_BYTES:
        raise BackupError("not a dangjian backup (too short)")
    with open(source, "rb") as src:
        if src.read(len(MAGIC)) != MAGIC:
            raise BackupError("not a dangjian backup (unknown format)")
        nonce = src.read(NONCE_BYTES)
        src.seek(size - TAG_BYTES)
        tag = src.read(TAG_BYTES)
        src.seek(len(MAGIC) + NONCE_BYTES)
        remaining = size - len(MAGIC) - NONCE_BYTES - TAG_BYTES
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(MAGIC)
        while remaining:
            chunk = src.read(min(CHUNK, remaining))
            remaining -= len(chunk)
            plain.write(decryptor.update(chunk))
        try:
            plain.write(decryptor.finalize())
        except Exception as exc:  # InvalidTag
            raise BackupError(
                "the backup failed authentication: it was changed or the backup key is wrong"
            ) from exc
    plain.flush()


def create_backup(target: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Write the encrypted archive to ``target`` (atomically: a ``.part`` file renamed)."""
    target = Path(target)
    key = backup_key()
    media_root = Path(settings.MEDIA_ROOT)
    entries: dict[str, dict] = {}
    tables: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="dangjian-backup-") as tmpdir:
        plain = Path(tmpdir) / "backup.tar"
        with tarfile.open(plain, "w", format=tarfile.PAX_FORMAT) as tar:
            with _snapshot(using):
                for name, data, count in dump_rows(using):
                    _add_bytes(tar, name, data)
                    entries[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                    tables[name[3:-5]] = count
                migrations = applied_migrations(using)
                vendor = connections[using].vendor
                # Files are read inside the snapshot too: a file written after it is left
                # out with its row, one deleted later is still captured with its row.
                files = media_files(media_root)
                for path in files:
                    name = "media/" + path.relative_to(media_root).as_posix()
                    digest = _sha256_file(path)
                    tar.add(path, arcname=name, recursive=False)
                    entries[name] = {"sha256": digest, "size": path.stat().st_size}
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "vendor": vendor,
                "migrations": migrations,
                "tables": tables,
                "entries": entries,
            }
            _add_bytes(tar, "manifest.json", json.dumps(manifest, sort_keys=True).encode())
        target.parent.mkdir(parents=True, exist_ok=True)
        _encrypt_file(plain, target, key)
    summary = Summary(rows=sum(tables.values()), files=len(files), tables=tables)
    with transaction.atomic():  # the audit log lives in the default database
        audit.record(
            actor=None,
            action=AuditEvent.Action.EXPORT,
            object_type="core.backup",
            object_repr=f"backup {target.name}",
            changes={
                "outcome": "written",
                "rows": summary.rows,
                "files": summary.files,
                "tables": len(tables),
            },
            note="dangjian backup",
        )
    return summary


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def _verify_archive(tar: tarfile.TarFile) -> dict:
    members = {m.name: m for m in tar.getmembers()}
    if "manifest.json" not in members:
        raise BackupError("the backup has no manifest")
    manifest = json.load(tar.extractfile(members["manifest.json"]))
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("unknown backup format or version")
    entries = manifest["entries"]
    if set(members) - {"manifest.json"} != set(entries):
        raise BackupError("the backup's entries do not match its manifest")
    for name, expected in entries.items():
        member = members[name]
        if not member.isfile() or not _safe_name(name):
            raise BackupError(f"unsafe entry in the backup: {name!r}")
        if not (name.startswith("db/") or name.startswith("media/")):
            raise BackupError(f"unexpected entry in the backup: {name!r}")
        digest = hashlib.sha256()
        fh = tar.extractfile(member)
        for chunk in iter(lambda fh=fh: fh.read(CHUNK), b""):
            digest.update(chunk)
        if digest.hexdigest() != expected["sha256"] or member.size != expected["size"]:
            raise BackupError(f"checksum mismatch: {name}")
    return manifest


def target_problems(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Why the target is not an empty instance (empty list: it is)."""
    problems = []
    for model in dumped_models():
        if model._meta.label_lower in SEED_MODELS:
            continue
        if model._base_manager.using(using).exists():
            problems.append(f"table {model._meta.db_table} has rows")
    if media_files(Path(settings.MEDIA_ROOT)):
        problems.append("MEDIA_ROOT holds files")
    return problems


def read_manifest(source: Path | str) -> dict:
    """Decrypt and verify a backup without restoring it (``dangjian restore --check``)."""
    with tempfile.TemporaryFile() as plain:
        _decrypt_file(Path(source), plain, backup_key())
        plain.seek(0)
        with tarfile.open(fileobj=plain, mode="r:") as tar:
            return _verify_archive(tar)


def restore_backup(source: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Restore into an empty, migrated instance; all or nothing (module docstring)."""
    source = Path(source)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryFile() as plain:
        _decrypt_file(source, plain, backup_key())
        plain.seek(0)
        with tarfile.open(fileobj=plain, mode="r:") as tar:
            manifest = _verify_archive(tar)
            if manifest["migrations"] != applied_migrations(using):
                raise BackupError(
                    "the target's migrations differ from the backup's: "
                    "run the same release and 'migrate' first"
                )
            problems = target_problems(using)
            if problems:
                raise BackupError("the target is not empty: " + "; ".join(problems))
            written: list[Path] = []
            try:
                for name in sorted(n for n in manifest["entries"] if n.startswith("media/")):
                    path = media_root / PurePosixPath(name[len("media/") :])
                    path.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(name) as src, open(path, "xb") as dst:
                        written.append(path)  # before copying: a partial file is removed too
                        shutil.copyfileobj(src, dst, CHUNK)
                rows = _load_rows(
                    tar, manifest, using, audited={"files": len(written), "name": source.name}
                )
            except BaseException:
                for path in written:
                    path.unlink(missing_ok=True)
                _remove_empty_dirs(media_root)
                raise
            finally:
                # The content types were replaced: ids cached in this process are stale.
                ContentType.objects.clear_cache()
    return Summary(rows=rows, files=len(written), tables=manifest["tables"])


def _load_rows(tar: tarfile.TarFile, manifest: dict, using: str, *, audited: dict) -> int:
    connection = connections[using]
    models = dumped_models()
    by_label = {m._meta.label_lower: m for m in models}
    count = 0
    with transaction.atomic(using=using):
        with connection.constraint_checks_disabled():
            for label in sorted(SEED_MODELS, reverse=True):  # permissions before content types
                if label in by_label:
                    by_label[label]._base_manager.using(using).all()._raw_delete(using)
            for name in sorted(n for n in manifest["entries"] if n.startswith("db/")):
                rows = json.load(tar.extractfile(name))
                for obj in serializers.deserialize("python", rows, using=using):
                    obj.save(using=using)
                    count += 1
        connection.check_constraints()
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        ContentType.objects.clear_cache()
        # After the sequences are reset (the record needs a new key) and in the same
        # transaction: the record chains onto the restored head, or nothing is restored.
        audit.record(
            actor=None,
            action=AuditEvent.Action.IMPORT,
            object_type="core.backup",
            object_repr=f"restore {audited['name']}",
            changes={
                "outcome": "restored",
                "rows": count,
                "files": audited["files"],
                "backup_created_at": manifest["created_at"],
                "backup_vendor": manifest["vendor"],
            },
            note="dangjian restore",
        )
    return count


def _remove_empty_dirs(root: Path) -> None:
    if not root.exists():
        return
    for path in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        with contextlib.suppress(OSError):
            path.rmdir()
