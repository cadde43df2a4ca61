"""Writing the audit log. Called by services inside their transaction."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.functional import Promise

from .middleware import current_ip
from .models import AuditEvent

SENSITIVE_MARK = "***"


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
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_repr = object_repr or str(obj)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
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
