"""Writes to trainings: the record and its attendance, audited.

Every write checks ``policy.can(actor, MEETING_MANAGE, training.organization)``
as a second guard, validates, and writes an audit row in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import audit
from dangjian.organizations.models import Organization
from dangjian.people.models import Member

from .models import Training, TrainingAttendance

TRAINING_FIELDS = ("kind", "title", "date", "hours", "capabilities", "summary")
AUDITED_FIELDS = ("organization", *TRAINING_FIELDS)


def _guard(actor, obj, check: bool) -> None:
    if check and not policy.can(actor, Action.MEETING_MANAGE, obj):
        raise PermissionDenied


def _conflict() -> ValidationError:
    return ValidationError(
        _(
            "Someone else changed this training while you were editing it. "
            "Reload the page to see their changes, then apply yours again."
        ),
        code="conflict",
    )


def _locked(training: Training) -> Training:
    return (
        Training.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=training.pk)
    )


@transaction.atomic
def training_create(
    *,
    actor,
    organization: Organization,
    kind: str,
    title: str,
    date: datetime.date,
    hours,
    capabilities: Iterable[str],
    summary: str = "",
    check: bool = True,
) -> Training:
    if organization is None:
        raise ValidationError({"organization": _("Choose the organization holding the training.")})
    _guard(actor, organization, check)
    if organization.is_dissolved:
        raise ValidationError({"organization": _("This organization has been dissolved.")})
    same = Training.objects.filter(
        organization=organization, title=(title or "").strip(), date=date
    ).first()
    if same is not None:
        raise ValidationError(
            _("This training is already recorded: %(title)s (%(url)s).")
            % {"title": same.title, "url": same.get_absolute_url()},
            code="duplicate",
        )
    training = Training(
        organization=organization,
        kind=kind,
        title=title,
        date=date,
        hours=hours,
        capabilities=list(capabilities or []),
        summary=summary,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    training.full_clean()
    training.save()
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.CREATE,
        obj=training,
        changes=audit.diff({}, audit.snapshot(training, AUDITED_FIELDS)),
    )
    return training


@transaction.atomic
def training_update(
    *, actor, training: Training, version: int | None = None, check: bool = True, **fields
) -> Training:
    """Change a training's own fields; its organization stays (attendance belongs to it).

    Attendees recorded with the full hours follow a change of the hours; the
    hours cannot drop below what some attendee was credited with.
    """
    t = _locked(training)
    _guard(actor, t.organization, check)
    if version is not None and version != t.version:
        raise _conflict()
    if "organization" in fields:
        org = fields.pop("organization")
        if org is not None and org.pk != t.organization_id:
            raise ValidationError(
                {"organization": _("A recorded training cannot move to another organization.")}
            )
    unknown = set(fields) - set(TRAINING_FIELDS)
    if unknown:
        raise TypeError(f"training_update() cannot change {sorted(unknown)}")
    before = audit.snapshot(t, AUDITED_FIELDS)
    old_hours = t.hours
    for name, value in fields.items():
        setattr(t, name, list(value) if name == "capabilities" else value)
    t.full_clean()
    if t.hours != old_hours:
        partial = t.attendances.exclude(hours=old_hours)
        if partial.filter(hours__gt=t.hours).exists():
            raise ValidationError(
                {
                    "hours": _(
                        "Some attendees were credited with more hours than this; "
                        "change their hours first."
                    )
                }
            )
        t.attendances.filter(hours=old_hours).update(hours=t.hours)
    t.version = F("version") + 1
    t.save()
    t.refresh_from_db()
    changes = audit.diff(before, audit.snapshot(t, AUDITED_FIELDS))
    if changes:
        audit.record(actor=actor, action=audit.AuditEvent.Action.UPDATE, obj=t, changes=changes)
    return t


def _hours(value, training: Training, member: Member) -> Decimal:
    if value is None or value == "":
        return training.hours
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        hours = None
    if hours is None or not hours.is_finite() or hours <= 0 or hours > training.hours:
        raise ValidationError(
            {
                "hours": _(
                    "The hours of %(name)s must be more than 0 and at most the "
                    "training's %(hours)s hours."
                )
                % {"name": member.name, "hours": training.hours}
            }
        )
    if hours.as_tuple().exponent < -1:
        raise ValidationError({"hours": _("Give hours with at most one decimal place (e.g. 1.5).")})
    return hours


@transaction.atomic
def attendance_set(
    *,
    actor,
    training: Training,
    entries: Iterable[tuple[Member, object]],
    version: int | None = None,
    check: bool = True,
) -> list[TrainingAttendance]:
    """Replace who attended: ``entries`` of (member, hours or None for the training's hours).

    Every member must be a current member of the organizing organization or
    below it; anything wrong refuses the whole change.
    """
    t = _locked(training)
    _guard(actor, t.organization, check)
    if version is not None and version != t.version:
        raise _conflict()
    wanted: dict[int, tuple[Member, Decimal]] = {}
    root = t.organization.path
    entries = list(entries)
    fresh = Member.objects.select_related("organization").in_bulk([m.pk for m, _h in entries])
    for member, hours in entries:
        member = fresh[member.pk]
        if member.left_at is not None or not member.organization.path.startswith(root):
            raise ValidationError(
                {
                    "member": _(
                        "%(name)s is not a member of %(org)s or of an organization below it."
                    )
                    % {"name": member.name, "org": t.organization.name}
                }
            )
        if member.pk in wanted:
            raise ValidationError(
                {"member": _("%(name)s is listed twice.") % {"name": member.name}}
            )
        wanted[member.pk] = (member, _hours(hours, t, member))
    existing = {a.member_id: a for a in t.attendances.all()}
    removed = [pk for pk in existing if pk not in wanted]
    added, changed = [], []
    for pk, (member, hours) in wanted.items():
        row = existing.get(pk)
        if row is None:
            added.append(TrainingAttendance(training=t, member=member, hours=hours))
        elif row.hours != hours:
            row.hours = hours
            changed.append(row)
    for row in added + changed:
        row.full_clean(validate_unique=False)
    TrainingAttendance.objects.filter(training=t, member_id__in=removed).delete()
    TrainingAttendance.objects.bulk_create(added)
    TrainingAttendance.objects.bulk_update(changed, ["hours"])
    if added or changed or removed:
        Training.objects.filter(pk=t.pk).update(version=F("version") + 1, updated_at=timezone.now())
        audit.record(
            actor=actor,
            action=audit.AuditEvent.Action.UPDATE,
            obj=t,
            changes={"attendance": [len(existing), len(wanted)]},
            note=_("Attendance: %(added)s added, %(changed)s changed, %(removed)s removed")
            % {"added": len(added), "changed": len(changed), "removed": len(removed)},
        )
    return list(t.attendances.select_related("member"))


def overview_export_audit(*, actor, root: Organization, year: int) -> None:
    """Record that the training hours overview of ``root``'s subtree was exported."""
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.EXPORT,
        obj=root,
        note=_("Training hours %(year)s") % {"year": year},
    )
