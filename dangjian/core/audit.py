"""Writing the audit log. Called by services inside their transaction.

The log is a chain: record *n* carries ``seq = n`` and
``mac = HMAC-SM3(k, canonical(record n) ‖ mac(n-1))`` with a key derived from
the audit key (configuration, never the database). Appends are serialized by
locking the single :class:`~dangjian.core.models.AuditChainHead` row for the
rest of the surrounding transaction, so two transactions can never give two
records the same predecessor; a rolled-back transaction rolls back its records
and the head together. ``verify_chain`` walks archive + live log and names the
first record that does not match.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils.functional import Promise

from . import crypto
from .middleware import current_ip
from .models import AuditArchiveEvent, AuditChainHead, AuditEvent

SENSITIVE_MARK = "***"
# Actions that change the object (a reveal or an export must not renew a seal: that would
# hide a change made outside the application).
_CHANGES = {AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.IMPORT}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return SENSITIVE_MARK
    return str(value) if isinstance(value, Promise) else value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` (foreign keys by their text)."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.is_relation and field.many_to_one:
            data[name] = _plain(getattr(obj, name))
        else:
            data[name] = _plain(getattr(obj, field.attname))
    return data


def diff(
    before: dict[str, Any], after: dict[str, Any], *, sensitive: Iterable[str] = ()
) -> dict[str, Any]:
    """Changed fields as {field: [old, new]}; sensitive ones only as changed."""
    sensitive = set(sensitive)
    changes: dict[str, Any] = {}
    for name in after:
        if before.get(name) != after[name]:
            changes[name] = SENSITIVE_MARK if name in sensitive else [before.get(name), after[name]]
    return changes


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
    object_type: str = "",
    object_repr: str = "",
) -> AuditEvent:
    if action not in AuditEvent.Action.values:
        # A typo would write an event no filter of the audit page finds.
        raise ValueError(f"unknown audit action {action!r}")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_repr = object_repr or str(obj)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        ip_address=current_ip(),
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=object_repr[:200],
        changes=changes or {},
        note=note[:300],
    )
    if obj is not None and obj.pk is not None and action in _CHANGES:
        from . import integrity  # every audited change of a sealed record re-seals it

        integrity.reseal_if_sealed(obj)
    return event


# --- the chain ---------------------------------------------------------------------------------

CHAIN_PURPOSE = "audit-chain"
GENESIS = ""  # the "previous MAC" of record 1


def _utc_text(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical(event) -> bytes:
    """The content a record's MAC covers (AuditEvent or AuditArchiveEvent), as fixed JSON.

    The user's id is not covered (it becomes NULL when an account is deleted);
    the user's name is.
    """
    content = {
        "seq": event.seq,
        "time": _utc_text(event.occurred_at),
        "user": event.actor_name,
        "address": event.ip_address or "",
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object": event.object_repr,
        "changes": event.changes,
        "note": event.note,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_mac(event, previous_mac: str) -> str:
    key = crypto.derived_key(CHAIN_PURPOSE)
    return crypto.hmac_sm3(key, canonical(event) + b"\x00" + previous_mac.encode("ascii")).hex()


def _normalize(event: AuditEvent) -> None:
    """Give the fields the values they will have when read back from the database."""
    field = AuditEvent._meta.get_field("ip_address")
    event.ip_address = field.get_prep_value(event.ip_address) or None
    # JSON as stored: tuples become lists, lazy strings plain strings.
    event.changes = json.loads(json.dumps(event.changes or {}, default=str))
    event.object_repr = (event.object_repr or "")[:200]
    event.note = (event.note or "")[:300]


def chain_append(event: AuditEvent, insert: Callable[[], None]) -> None:
    """Number and MAC ``event`` after the current head, insert it and move the head."""
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditChainHead.objects.get_or_create(pk=1)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        _normalize(event)
        event.seq = head.seq + 1
        event.mac = event_mac(event, head.mac)
        insert()
        AuditChainHead.objects.filter(pk=1).update(seq=event.seq, mac=event.mac)


# --- verification ------------------------------------------------------------------------------


@dataclass
class ChainResult:
    ok: bool
    checked: int = 0
    total: int = 0
    verified_through: int = 0  # last seq whose MAC and predecessor were right
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""  # a short code: mac, gap, head, anchor, missing

    def describe(self) -> str:
        if self.ok:
            return (
                f"audit chain intact: {self.checked} records, "
                f"verified up to record {self.verified_through}"
            )
        where = f"record {self.broken_seq}" if self.broken_seq is not None else "the head"
        if self.broken_id is not None:
            where += f" (id {self.broken_id})"
        return f"audit chain broken at {where}: {REASONS.get(self.reason, self.reason)}"


REASONS = {
    "mac": "its content or its predecessor's MAC was changed",
    "gap": "records before it are missing (deleted or renumbered)",
    "unsealed": "it carries no record number (inserted outside the application)",
    "head": "records at the end of the log are missing",
    "anchor": "the archive anchor does not match the archive",
}

BATCH = 2000

_FIELDS = (
    "id",
    "seq",
    "mac",
    "occurred_at",
    "actor_name",
    "ip_address",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "note",
)


def _rows(model, after: int) -> Iterator[Any]:
    """Rows of ``model`` in chain order from ``seq > after``, in batches (keyset paging)."""
    last = after
    while True:
        qs = model._base_manager.filter(seq__gt=last).order_by("seq").only(*_FIELDS)
        batch = list(qs[:BATCH])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def chain_total(*, include_archive: bool = True) -> int:
    total = AuditEvent._base_manager.count()
    if include_archive:
        total += AuditArchiveEvent._base_manager.count()
    return total


def verify_chain(
    *,
    include_archive: bool = True,
    progress: Callable[[int], None] | None = None,
    progress_every: int = BATCH,
) -> ChainResult:
    """Check every record's number, predecessor and MAC; stop at the first broken one.

    Archived records come first (seq 1 … archived_seq), then the live log; the
    live log must start from the anchor stored in the head. Without the
    archive, the live log is checked from the anchor.
    """
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(pk=1)
    result = ChainResult(ok=True, total=chain_total(include_archive=include_archive))
    unsealed = AuditEvent._base_manager.filter(seq__isnull=True).order_by("id").first()
    previous_seq, previous_mac = 0, GENESIS

    def check(row) -> bool:
        nonlocal previous_seq, previous_mac
        if row.seq != previous_seq + 1:
            result.ok, result.broken_seq, result.reason = False, row.seq, "gap"
        elif not crypto.constant_time_equals(row.mac, event_mac(row, previous_mac)):
            result.ok, result.broken_seq, result.reason = False, row.seq, "mac"
        if not result.ok:
            result.broken_id = getattr(row, "pk", None) if isinstance(row, AuditEvent) else None
            return False
        previous_seq, previous_mac = row.seq, row.mac
        result.checked += 1
        result.verified_through = row.seq
        if progress and result.checked % progress_every == 0:
            progress(result.checked)
        return True

    if include_archive:
        for row in _rows(AuditArchiveEvent, 0):
            if not check(row):
                return result
        if previous_seq != head.archived_seq or previous_mac != head.archived_mac:
            result.ok, result.reason = False, "anchor"
            result.broken_seq = previous_seq + 1
            return result
    else:
        previous_seq, previous_mac = head.archived_seq, head.archived_mac
        result.verified_through = previous_seq
    for row in _rows(AuditEvent, previous_seq):
        if not check(row):
            return result
    if unsealed is not None:
        result.ok, result.reason, result.broken_id = False, "unsealed", unsealed.pk
        result.broken_seq = None
        return result
    if previous_seq != head.seq or previous_mac != head.mac:
        result.ok, result.reason = False, "head"
        result.broken_seq = previous_seq + 1
    if progress:
        progress(result.checked)
    return result


# --- archive -----------------------------------------------------------------------------------

_ARCHIVE_SETTING = "dangjian.audit_archive"


@transaction.atomic
def archive_before(cutoff: datetime.datetime, *, batch: int = BATCH) -> int:
    """Move records older than ``cutoff`` (a prefix of the chain) into the archive table.

    Copies first, then removes from the live table, then stores the newest
    archived record as the anchor — all in one transaction. Records are
    taken in chain order and only up to the first record that is not old
    enough, so the archive is always a gap-free prefix of the chain.
    """
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        return 0
    newest_old = (
        AuditEvent._base_manager.filter(seq__isnull=False, seq__gt=head.archived_seq)
        .exclude(occurred_at__lt=cutoff)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    limit = (newest_old - 1) if newest_old is not None else head.seq
    moved = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the immutability trigger lets the archive delete
            cursor.execute("SELECT set_config(%s, 'on', true)", [_ARCHIVE_SETTING])
    last = None
    for start in range(head.archived_seq, limit, batch):
        rows = list(
            AuditEvent._base_manager.filter(seq__gt=start, seq__lte=min(limit, start + batch))
            .order_by("seq")
            .only(*_FIELDS, "actor_id")
        )
        AuditArchiveEvent._base_manager.bulk_create(
            [
                AuditArchiveEvent(
                    seq=r.seq,
                    mac=r.mac,
                    occurred_at=r.occurred_at,
                    actor_ref=r.actor_id,
                    actor_name=r.actor_name,
                    ip_address=r.ip_address,
                    action=r.action,
                    object_type=r.object_type,
                    object_id=r.object_id,
                    object_repr=r.object_repr,
                    changes=r.changes,
                    note=r.note,
                )
                for r in rows
            ]
        )
        AuditEvent._base_manager.filter(pk__in=[r.pk for r in rows])._raw_delete(connection.alias)
        moved += len(rows)
        if rows:
            last = rows[-1]
    if last is not None:
        AuditChainHead.objects.filter(pk=1).update(archived_seq=last.seq, archived_mac=last.mac)
    return moved
