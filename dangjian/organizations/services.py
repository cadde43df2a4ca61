"""Writes to the organization tree. Each service checks the policy, validates,
writes the audit row in the same transaction, and keeps ``path`` consistent."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import audit

from .models import ALLOWED_CHILD_KINDS, Organization, Unit, encode_step

AUDITED_FIELDS = ("name", "short_name", "kind", "parent", "unit", "sort_order", "established_on")


def _guard(actor, action, obj, check: bool) -> None:
    if check and not policy.can(actor, action, obj):
        raise PermissionDenied


def _check_kind(kind: str, parent: Organization | None) -> None:
    allowed = ALLOWED_CHILD_KINDS[parent.kind if parent else None]
    if kind not in allowed:
        raise ValidationError(
            {"kind": _("This kind of organization cannot be placed under the chosen parent.")}
        )


def _check_sibling_name(name: str, parent: Organization | None, exclude_pk=None) -> None:
    siblings = Organization.objects.active().filter(parent=parent, name=name)
    if exclude_pk:
        siblings = siblings.exclude(pk=exclude_pk)
    if siblings.exists():
        raise ValidationError({"name": _("An organization of this name already exists here.")})


@transaction.atomic
def organization_create(
    *,
    actor,
    name: str,
    kind: str,
    parent: Organization | None = None,
    unit: Unit | None = None,
    short_name: str = "",
    sort_order: int = 0,
    established_on: datetime.date | None = None,
    check: bool = True,
) -> Organization:
    if parent is None:
        # A new root is outside every subtree grant: only platform-wide managers.
        if check and policy.paths_for(actor, Action.ORG_MANAGE) is not None:
            raise PermissionDenied
    else:
        _guard(actor, Action.ORG_MANAGE, parent, check)
        if parent.is_dissolved:
            raise ValidationError({"parent": _("The parent organization has been dissolved.")})
    _check_kind(kind, parent)
    _check_sibling_name(name, parent)
    org = Organization(
        name=name,
        short_name=short_name,
        kind=kind,
        parent=parent,
        unit=unit,
        sort_order=sort_order,
        established_on=established_on,
        path=f"~{uuid.uuid4().hex}",
        depth=(parent.depth + 1) if parent else 0,
    )
    org.full_clean()
    org.save()
    org.path = (parent.path if parent else "") + encode_step(org.pk)
    Organization.objects.filter(pk=org.pk).update(path=org.path)
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.CREATE,
        obj=org,
        changes=audit.diff({}, audit.snapshot(org, AUDITED_FIELDS)),
    )
    return org


@transaction.atomic
def organization_update(
    *, actor, organization: Organization, version: int | None = None, check: bool = True, **fields
) -> Organization:
    """Change an organization's own fields (not its place in the tree)."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _guard(actor, Action.ORG_MANAGE, org, check)
    if version is not None and version != org.version:
        raise ValidationError(
            _(
                "Someone else changed this organization while you were editing it. "
                "Reload the page to see their changes, then apply yours again."
            ),
            code="conflict",
        )
    before = audit.snapshot(org, AUDITED_FIELDS)
    allowed = {"name", "short_name", "kind", "unit", "sort_order", "established_on"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"organization_update() cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(org, name, value)
    if "kind" in fields:
        _check_kind(org.kind, org.parent)
        child_kinds = set(org.children.active().values_list("kind", flat=True))
        if not child_kinds <= ALLOWED_CHILD_KINDS[org.kind]:
            raise ValidationError(
                {"kind": _("The organizations below this one cannot sit under that kind.")}
            )
    if "name" in fields:
        _check_sibling_name(org.name, org.parent, exclude_pk=org.pk)
    org.full_clean()
    org.version = F("version") + 1
    org.save()
    org.refresh_from_db()
    changes = audit.diff(before, audit.snapshot(org, AUDITED_FIELDS))
    if changes:
        audit.record(actor=actor, action=audit.AuditEvent.Action.UPDATE, obj=org, changes=changes)
    return org


@transaction.atomic
def organization_move(
    *, actor, organization: Organization, new_parent: Organization, check: bool = True
) -> Organization:
    """Put an organization (with its whole subtree) under ``new_parent``."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    _guard(actor, Action.ORG_MANAGE, org, check)
    _guard(actor, Action.ORG_MANAGE, new_parent, check)
    if check and org.parent_id is None:
        raise PermissionDenied
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ValidationError(
            {"parent": _("An organization cannot be moved under itself or its own descendants.")}
        )
    if new_parent.is_dissolved:
        raise ValidationError({"parent": _("The parent organization has been dissolved.")})
    if new_parent.pk == org.parent_id:
        return org
    _check_kind(org.kind, new_parent)
    _check_sibling_name(org.name, new_parent, exclude_pk=org.pk)
    old_parent, old_path = org.parent, org.path
    new_path = new_parent.path + encode_step(org.pk)
    delta = new_parent.depth + 1 - org.depth
    # One statement rewrites the subtree's paths; the unique index stays valid
    # because every new path is the old one under a new prefix.
    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    Organization.objects.filter(pk=org.pk).update(parent=new_parent, version=F("version") + 1)
    org.refresh_from_db()
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=org,
        changes={"parent": [str(old_parent), str(new_parent)]},
        note="move",
    )
    return org


@transaction.atomic
def organization_dissolve(*, actor, organization: Organization, check: bool = True) -> Organization:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _guard(actor, Action.ORG_MANAGE, org, check)
    if org.is_dissolved:
        raise ValidationError(_("This organization has already been dissolved."))
    from dangjian.people.models import Member

    if Member.objects.current().in_subtree(org).exists():
        raise ValidationError(
            _(
                "This organization still has members. Transfer them to another organization "
                "before dissolving it."
            ),
            code="has_members",
        )
    if org.children.active().exists():
        raise ValidationError(
            _("This organization still has sub-organizations. Move or dissolve them first.")
        )
    org.dissolved_at = timezone.now()
    org.save(update_fields=["dissolved_at", "updated_at"])
    audit.record(actor=actor, action=audit.AuditEvent.Action.DELETE, obj=org, note="dissolve")
    return org


UNIT_FIELDS = ("name", "kind", "parent", "sort_order")


@transaction.atomic
def unit_save(*, actor, unit: Unit | None = None, check: bool = True, **fields) -> Unit:
    """Create a unit (``unit`` None) or change one."""
    if check and not policy.can(actor, Action.UNIT_MANAGE):
        raise PermissionDenied
    creating = unit is None
    unit = Unit() if creating else Unit.objects.select_for_update().get(pk=unit.pk)
    before = {} if creating else audit.snapshot(unit, UNIT_FIELDS)
    for name, value in fields.items():
        setattr(unit, name, value)
    parent = unit.parent
    while parent is not None:
        if parent.pk == unit.pk:
            raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
        parent = parent.parent
    unit.full_clean()
    unit.save()
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.CREATE if creating else audit.AuditEvent.Action.UPDATE,
        obj=unit,
        changes=audit.diff(before, audit.snapshot(unit, UNIT_FIELDS)),
    )
    return unit
