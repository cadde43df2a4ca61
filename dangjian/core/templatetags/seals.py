"""Integrity seal and SM2 signature state of a record, for the record's page.

``{% include "core/_seal_status.html" with obj=member %}`` and
``{% include "core/_signature_status.html" with obj=task %}`` use these.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from dangjian.core import integrity, signing

register = template.Library()

OPERATION_LABELS = {
    "task.close": _("closure of the task"),
    "fourstrong.name": _("naming as a four-strong branch"),
    "submission.accept": _("acceptance of the submission"),
}


@register.simple_tag
def seal_status(obj) -> str:
    if obj is None or getattr(obj, "pk", None) is None:
        return ""
    return integrity.status(obj)


@register.simple_tag
def signatures(obj) -> list:
    return [
        {
            "signature": c.signature,
            "status": c.status,
            "operation": OPERATION_LABELS.get(c.signature.operation, c.signature.operation),
        }
        for c in signing.signatures_for(obj)
    ]
