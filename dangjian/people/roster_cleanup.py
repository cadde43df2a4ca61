"""Roster imports that were left behind: dead commits and abandoned files.

An uploaded roster holds ID numbers in clear, so its file must not outlive the
import. The import's own steps delete it when they end (committed, invalid,
failed); this module handles what they cannot:

* a commit whose process died (``recover_commit``): recognised by its lease
  being free (people/commit_lease.py), never by its age. Its transaction was
  rolled back, so the roster goes back to "validated" (its file is still there:
  it may be committed again) or, without its file, to "failed";
* imports nobody finished — pending, being checked, checked but never
  committed, or a background commit whose job never started — untouched for
  ``DANGJIAN_ROSTER_FILE_MAX_AGE_HOURS`` (default 24): "expired", file deleted;
* files of finished imports that could not be deleted at the time, and files
  no import refers to (a process that died between saving the upload and
  recording it), older than the same age.

``dangjian cleanup_rosters`` runs :func:`cleanup` hourly (scripts/demo; README,
Operations); the roster pages and a new commit call :func:`recover_commit` for
the roster at hand.
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from dangjian.core import audit

from . import commit_lease
from .models import RosterImport

logger = logging.getLogger(__name__)
S = RosterImport.Status
FINAL = (S.COMMITTED, S.INVALID, S.FAILED, S.EXPIRED)
UNFINISHED = (S.PENDING, S.VALIDATING, S.VALIDATED)


def max_age() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.ROSTER_FILE_MAX_AGE_HOURS)


def _file_exists(item: RosterImport) -> bool:
    return bool(item.file) and item.file.storage.exists(item.file.name)


def recover_commit(item: RosterImport) -> bool:
    """Put back a roster whose committing process died; True if it did.

    Only a commit a process had started (``commit_owner`` set) whose lease is
    free: a live commit holds its lease, and a background commit whose job has
    not started yet is the job queue's (``dangjian recover_jobs``).
    """
    if item.status != S.COMMITTING or not item.commit_owner:
        return False
    if commit_lease.holder_alive(item.pk):  # also when this very thread holds it
        return False
    from .roster import discard_file

    with commit_lease.held(item.pk) as acquired:
        if not acquired:
            return False  # alive
        item.refresh_from_db()
        if item.status != S.COMMITTING or not item.commit_owner:
            return False
        keep = _file_exists(item) and item.error_count == 0
        with transaction.atomic(), override(item.language or None):
            fields = {"status": S.VALIDATED if keep else S.FAILED, "processed_rows": 0}
            if not keep:
                message = _(
                    "The import stopped when the process doing it ended, and its file is "
                    "gone; nothing was imported. Upload the roster again."
                )
                fields |= {
                    "errors": [{"row": None, "column": "", "message": message}],
                    "error_count": 1,
                    "finished_at": timezone.now(),
                }
            RosterImport.objects.filter(pk=item.pk, status=S.COMMITTING).update(
                **fields, updated_at=timezone.now()
            )
            audit.record(
                actor=None,
                action=audit.AuditEvent.Action.UPDATE,
                obj=item,
                changes={"status": [S.COMMITTING, fields["status"]]},
                note="roster commit: its process ended before the end; nothing was imported",
            )
        logger.warning("roster %s: the committing process died; put back", item.pk)
    item.refresh_from_db()
    if not keep:
        discard_file(item)
    return True


def _expire(item: RosterImport) -> None:
    from .roster import discard_file

    with transaction.atomic():
        changed = RosterImport.objects.filter(pk=item.pk, status=item.status).update(
            status=S.EXPIRED, finished_at=timezone.now(), updated_at=timezone.now()
        )
        if not changed:
            return
        audit.record(
            actor=None,
            action=audit.AuditEvent.Action.UPDATE,
            obj=item,
            changes={"status": [item.status, S.EXPIRED]},
            note="roster import abandoned: expired, file deleted",
        )
    item.refresh_from_db()
    discard_file(item)


def _orphan_files(before: datetime.datetime) -> int:
    """Delete files under rosters/ that no import refers to and that are older than ``before``."""
    storage = RosterImport._meta.get_field("file").storage
    root = Path(storage.location) / "rosters"
    if not root.is_dir():
        return 0
    known = set(RosterImport.objects.exclude(file="").values_list("file", flat=True))
    removed = 0
    for path in root.rglob("*"):
        name = path.relative_to(storage.location).as_posix()
        if not path.is_file() or name in known:
            continue
        if datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC) < before:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def cleanup(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Recover dead commits, expire abandoned imports, delete left-over files."""
    from .roster import discard_file

    now = now or timezone.now()
    before = now - max_age()
    counts = {"recovered": 0, "expired": 0, "files": 0}
    for item in RosterImport.objects.filter(status=S.COMMITTING):
        if recover_commit(item):
            counts["recovered"] += 1
        elif (
            not item.commit_owner
            and item.updated_at < before
            and not commit_lease.holder_alive(item.pk)
        ):
            _expire(item)  # its job never ran
            counts["expired"] += 1
    for item in RosterImport.objects.filter(status__in=UNFINISHED, updated_at__lt=before):
        _expire(item)
        counts["expired"] += 1
    for item in RosterImport.objects.filter(status__in=FINAL).exclude(file=""):
        discard_file(item)
        counts["files"] += 1
    counts["files"] += _orphan_files(before)
    return counts
