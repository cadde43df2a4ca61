"""Integrity seals of important records: HMAC-SM3 over their important fields.

Members, meetings (with their agenda items' minutes and decisions) and
four-strong assessments (status and total score) are sealed in
``core.RecordSeal``, beside the records and not in them. A seal is written

* by the ``post_save`` / ``post_delete`` signals of those models (and of
  ``AgendaItem`` for its meeting), and
* by ``audit.record`` for the audited object, because every change the
  application makes is audited in the same transaction — this also covers
  changes the services make with ``QuerySet.update()`` (member transfers),
  which send no signal.

The seal is always computed from the row as stored (reloaded), never from
the in-memory object. A change made outside the application (SQL on the
database) leaves the seal stale: ``dangjian integrity check`` lists such
records and their pages show a warning. Rows the application wrote in bulk
(roster import, demo data) carry no seal until ``dangjian integrity seal``.

The field lists are versioned (``fields_version``): changing a list means a
new version and re-sealing with ``dangjian integrity seal --all``.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from . import crypto
from .models import RecordSeal

SEAL_PURPOSE = "record-seal"


@dataclass(frozen=True)
class SealSpec:
    label: str  # app_label.model_name
    version: str
    fields: tuple[str, ...]
    related: Callable[[models.Model], Any] | None = None  # related content (agenda items)
    prefetch: tuple[str, ...] = ()


def _agenda(meeting) -> list:
    items = getattr(meeting, "_prefetched_objects_cache", {}).get("agenda_items")
    if items is None:
        items = meeting.agenda_items.all()
    items = sorted(items, key=lambda i: (i.order, i.pk))
    return [[i.pk, i.order, i.kind, i.title, i.minutes, i.decisions] for i in items]


SPECS = {
    spec.label: spec
    for spec in (
        # member-2: the masks are display only (derived from the sealed ciphertext),
        # so a change of the mask form (people 0004_display_masks) leaves seals valid.
        SealSpec(
            "people.member",
            "member-2",
            (
                "name",
                "gender",
                "ethnicity",
                "birth_date",
                "education",
                "id_number_cipher",
                "id_number_index",
                "phone_cipher",
                "phone_index",
                "joined_party_on",
                "full_member_on",
                "status",
                "organization",
                "admin_title",
                "left_at",
            ),
        ),
        SealSpec(
            "meetings.meeting",
            "meeting-1",
            (
                "organization",
                "kind",
                "title",
                "starts_at",
                "ends_at",
                "venue",
                "status",
                "chair",
                "recorder",
                "chair_name",
                "invited_leaders",
                "summary",
            ),
            related=_agenda,
            prefetch=("agenda_items",),
        ),
        SealSpec(
            "fourstrong.assessment",
            "assessment-1",
            ("cycle", "branch", "status", "total", "notice_start", "notice_end"),
        ),
    )
}

# Models whose change changes another record's seal: label → attribute of the sealed record.
DEPENDENTS = {"meetings.agendaitem": "meeting_id"}


def _plain(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bytes | memoryview | bytearray):
        return bytes(value).hex()
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        places = getattr(field, "decimal_places", None)
        return f"{value:.{places}f}" if places is not None else str(value)
    return value


def content(obj: models.Model, spec: SealSpec | None = None) -> bytes:
    spec = spec or SPECS[obj._meta.label_lower]
    data: dict[str, Any] = {"_model": spec.label, "_pk": str(obj.pk), "_v": spec.version}
    for name in spec.fields:
        field = obj._meta.get_field(name)
        data[name] = _plain(field, getattr(obj, field.attname))
    if spec.related:
        data["_related"] = spec.related(obj)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_mac(obj: models.Model, spec: SealSpec | None = None) -> str:
    return crypto.hmac_sm3(crypto.derived_key(SEAL_PURPOSE), content(obj, spec)).hex()


def _stored(model, pk) -> models.Model | None:
    spec = SPECS[model._meta.label_lower]
    qs = model._base_manager.filter(pk=pk)
    if spec.prefetch:
        qs = qs.prefetch_related(*spec.prefetch)
    return qs.first()


def seal(obj: models.Model) -> None:
    """(Re)compute the seal of ``obj`` from its row as stored now."""
    model = obj._meta.concrete_model
    spec = SPECS[model._meta.label_lower]
    stored = _stored(model, obj.pk)
    if stored is None:
        return None
    return _write(ContentType.objects.get_for_model(model), str(obj.pk), stored, spec)


def _write(ct, object_id: str, stored, spec: SealSpec) -> None:
    values = {
        "mac": compute_mac(stored, spec),
        "fields_version": spec.version,
        "sealed_at": timezone.now(),
    }
    if not RecordSeal.objects.filter(content_type=ct, object_id=object_id).update(**values):
        RecordSeal.objects.create(content_type=ct, object_id=object_id, **values)


def reseal_if_sealed(obj: models.Model) -> None:
    """Called for every audited object: re-seal it (or the record it belongs to)."""
    label = obj._meta.concrete_model._meta.label_lower
    if label in SPECS:
        seal(obj)
    elif label in DEPENDENTS:
        _reseal_owner(obj, label)


def _reseal_owner(obj, label: str) -> None:
    owner_id = getattr(obj, DEPENDENTS[label], None)
    if owner_id is None:
        return
    owner_model = obj._meta.get_field(DEPENDENTS[label].removesuffix("_id")).related_model
    owner = owner_model._base_manager.filter(pk=owner_id).first()
    if owner is not None:
        seal(owner)


# --- status and checks -------------------------------------------------------------------------

OK, TAMPERED, UNSEALED, OUTDATED = "ok", "tampered", "unsealed", "outdated"


def status(obj: models.Model) -> str:
    """ok / tampered / unsealed / outdated (sealed under an older field list) for one record."""
    model = obj._meta.concrete_model
    spec = SPECS.get(model._meta.label_lower)
    if spec is None or obj.pk is None:
        return UNSEALED
    ct = ContentType.objects.get_for_model(model)
    record = RecordSeal.objects.filter(content_type=ct, object_id=str(obj.pk)).first()
    if record is None:
        return UNSEALED
    if record.fields_version != spec.version:
        return OUTDATED
    stored = _stored(model, obj.pk)
    if stored is None:
        return UNSEALED
    return OK if crypto.constant_time_equals(record.mac, compute_mac(stored, spec)) else TAMPERED


@dataclass(frozen=True)
class Finding:
    label: str
    object_id: str
    problem: str  # tampered / unsealed / outdated / deleted


CHUNK = 1000


def _batches(model, spec: SealSpec) -> Iterator[tuple[list[models.Model], dict[str, RecordSeal]]]:
    """The model's rows in primary-key order, a chunk at a time, with their seals."""
    ct = ContentType.objects.get_for_model(model)
    qs = model._base_manager.order_by("pk")
    last = None
    while True:
        batch_qs = qs if last is None else qs.filter(pk__gt=last)
        if spec.prefetch:
            batch_qs = batch_qs.prefetch_related(*spec.prefetch)
        batch = list(batch_qs[:CHUNK])
        if not batch:
            return
        seals = {
            s.object_id: s
            for s in RecordSeal.objects.filter(
                content_type=ct, object_id__in=[str(o.pk) for o in batch]
            )
        }
        yield batch, seals
        last = batch[-1].pk


def check(labels: list[str] | None = None) -> Iterator[Finding]:
    """Every sealed model's records against their seals, and seals whose record is gone."""
    for label, spec in SPECS.items():
        if labels and label not in labels:
            continue
        model = apps.get_model(label)
        ct = ContentType.objects.get_for_model(model)
        for batch, seals in _batches(model, spec):
            for obj in batch:
                pk = str(obj.pk)
                record = seals.get(pk)
                if record is None:
                    yield Finding(label, pk, UNSEALED)
                elif record.fields_version != spec.version:
                    yield Finding(label, pk, OUTDATED)
                elif not crypto.constant_time_equals(record.mac, compute_mac(obj, spec)):
                    yield Finding(label, pk, TAMPERED)
        existing = model._base_manager.annotate(_pk_text=Cast("pk", models.CharField()))
        orphans = RecordSeal.objects.filter(content_type=ct).exclude(
            object_id__in=existing.values("_pk_text")
        )
        for object_id in orphans.values_list("object_id", flat=True).iterator():
            yield Finding(label, object_id, "deleted")


def seal_all(*, only_missing: bool = True, labels: list[str] | None = None) -> int:
    """Seal records without a seal (or every record): after bulk writes or a key change."""
    count = 0
    for label, spec in SPECS.items():
        if labels and label not in labels:
            continue
        model = apps.get_model(label)
        ct = ContentType.objects.get_for_model(model)
        for batch, seals in _batches(model, spec):
            for obj in batch:
                if only_missing and str(obj.pk) in seals:
                    continue
                _write(ct, str(obj.pk), obj, spec)
                count += 1
    return count


# --- signals -----------------------------------------------------------------------------------


def _saved(sender, instance, raw=False, **kwargs):
    if not raw:
        reseal_if_sealed(instance)


def _deleted(sender, instance, **kwargs):
    label = sender._meta.label_lower
    if label in SPECS:
        ct = ContentType.objects.get_for_model(sender)
        RecordSeal.objects.filter(content_type=ct, object_id=str(instance.pk)).delete()
    elif label in DEPENDENTS:
        _reseal_owner(instance, label)


def connect() -> None:
    for label in [*SPECS, *DEPENDENTS]:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(_saved, sender=model, dispatch_uid=f"dj-seal-save-{label}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"dj-seal-delete-{label}")
