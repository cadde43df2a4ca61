"""The audit log as a reader sees it: field names and choice values in words, not code.

``AuditEvent.changes`` keeps what the services wrote (``{"lead_unit": [old, new]}``,
``{"status": ["not_started", "in_progress"]}``); the auditor's page shows the model's
verbose names and the choices' labels in the page's language (issue 14, point 5). Keys
that are not model fields (``members``, ``api_tokens_revoked``) are shown as written.
"""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

HIDDEN = "***"  # personal data: the value was never logged


@functools.cache
def _model(object_type: str):
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _value(field, value: Any) -> Any:
    if value is None or value == "":
        return value
    if isinstance(value, list):
        return "、".join(str(_value(field, v)) for v in value)
    if field is not None and getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.BooleanField) or isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def change_rows(event) -> list[dict]:
    """One row per changed field: its label, and the old and new value (or hidden)."""
    model = _model(event.object_type or "")
    rows = []
    for name, change in (event.changes or {}).items():
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else name
        if change == HIDDEN:
            rows.append({"field": label, "hidden": True})
        elif isinstance(change, list | tuple) and len(change) == 2:
            old, new = change
            rows.append({"field": label, "old": _value(field, old), "new": _value(field, new)})
        else:
            rows.append({"field": label, "value": _value(field, change)})
    return rows


def object_label(event) -> str:
    """The kind of record, e.g. 督办事项 for ``tasks.task`` ('' when unknown)."""
    model = _model(event.object_type or "")
    return str(model._meta.verbose_name) if model is not None else ""
