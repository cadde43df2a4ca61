"""Writes to implementation tasks: creation, edits, progress and the closure lifecycle.

Every step checks the policy, validates, records a :class:`TaskEvent` (who,
when, why) and an audit row in the same transaction. ``overdue`` is never
stored: it follows from the deadline and the status.

Scope of a task: an action is allowed on a task when it is allowed on its
issuing organization or on its lead organization (the same rule as
``Task.objects.restrict``). Approving or returning a closure needs
TASK_SUPERVISE on the issuing organization itself.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import ROLE_ACTIONS, Action
from dangjian.core import audit, signing
from dangjian.core.notify import notify
from dangjian.core.uploads import validate_attachment

from .models import (
    OPEN_STATUSES,
    ProgressAttachment,
    ProgressReport,
    Task,
    TaskEvent,
    TaskPriority,
    TaskStatus,
)

AUDITED_FIELDS = (
    "title",
    "details",
    "organization",
    "origin_meeting",
    "origin_agenda_item",
    "origin_measure",
    "parent",
    "weight",
    "lead_unit",
    "lead_organization",
    "responsible",
    "deadline",
    "priority",
    "status",
    "progress",
)
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "details",
        "deadline",
        "weight",
        "lead_unit",
        "lead_organization",
        "cooperating_units",
        "responsible",
        "priority",
    }
)
MAX_ATTACHMENTS = 10
Kind = TaskEvent.Kind


# ---------------------------------------------------------------- permissions


def can_on_task(actor, action: str, task: Task) -> bool:
    """Whether ``action`` is allowed on the task's issuing or lead organization."""
    if policy.can(actor, action, task.organization):
        return True
    return task.lead_organization_id is not None and policy.can(
        actor, action, task.lead_organization
    )


def is_responsible(actor, task: Task) -> bool:
    member_id = getattr(actor, "member_id", None)
    return (
        member_id is not None
        and task.responsible_id == member_id
        and getattr(actor, "is_active", False)
    )


def can_report(actor, task: Task) -> bool:
    return can_on_task(actor, Action.TASK_REPORT, task) or is_responsible(actor, task)


def can_manage(actor, task: Task) -> bool:
    """Editing a task belongs to its issuer: a lead organization works on it but
    does not change its title or deadline."""
    return policy.can(actor, Action.TASK_MANAGE, task.organization)


def can_supervise(actor, task: Task) -> bool:
    return policy.can(actor, Action.TASK_SUPERVISE, task.organization)


def _guard(allowed: bool, check: bool) -> None:
    if check and not allowed:
        raise PermissionDenied


# ---------------------------------------------------------------- recipients


def _roles_with(action: str) -> list[str]:
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def reporters_of(task: Task) -> list:
    """Who carries a task out: the responsible member's user and the holders of
    TASK_REPORT granted on the lead organization itself (its secretaries), or,
    without a lead organization, on the organizations of the lead unit."""
    from dangjian.access.models import RoleGrant, User

    users = []
    if task.responsible_id:
        users.extend(User.objects.filter(member_id=task.responsible_id, is_active=True))
    grants = RoleGrant.objects.filter(role__in=_roles_with(Action.TASK_REPORT))
    if task.lead_organization_id:
        grants = grants.filter(organization_id=task.lead_organization_id)
    elif task.lead_unit_id:
        grants = grants.filter(
            organization__unit_id=task.lead_unit_id, organization__dissolved_at__isnull=True
        )
    else:
        grants = grants.none()
    users.extend(User.objects.filter(pk__in=grants.values("user_id"), is_active=True))
    return users


def supervisors_of(task: Task) -> list:
    """Holders of TASK_SUPERVISE granted on the issuing organization itself."""
    from dangjian.access.models import RoleGrant, User

    grants = RoleGrant.objects.filter(
        role__in=_roles_with(Action.TASK_SUPERVISE), organization_id=task.organization_id
    )
    return list(User.objects.filter(pk__in=grants.values("user_id"), is_active=True))


# ---------------------------------------------------------------- helpers


def _event(task: Task, kind: str, actor, reason: str = "") -> TaskEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return TaskEvent.objects.create(
        task=task, kind=kind, actor=actor if authenticated else None, reason=reason[:500]
    )


def _audit_status(actor, task: Task, old: str, note: str = "") -> None:
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=task,
        changes={"status": [old, task.status]},
        note=note,
    )


def _locked(task: Task) -> Task:
    return (
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer join.
        Task.objects.select_for_update(of=("self",))
        .select_related("organization", "lead_organization")
        .get(pk=task.pk)
    )


def _check_deadline(deadline, created_on: datetime.date) -> None:
    if deadline is None:
        raise ValidationError({"deadline": _("Enter a deadline.")})
    if deadline < created_on:
        raise ValidationError(
            {
                "deadline": _(
                    "The deadline (%(deadline)s) is before the task was created (%(created)s)."
                )
                % {"deadline": deadline.isoformat(), "created": created_on.isoformat()}
            }
        )


def _check_scope_of_links(
    actor,
    *,
    organization,
    lead_organization,
    responsible,
    parent,
    check: bool,
) -> None:
    if lead_organization is not None:
        if lead_organization.is_dissolved:
            raise ValidationError(
                {"lead_organization": _("The lead organization has been dissolved.")}
            )
        inside = lead_organization.path.startswith(organization.path)
        if check and not inside and not policy.can(actor, Action.TASK_MANAGE, lead_organization):
            raise ValidationError(
                {
                    "lead_organization": _(
                        "The lead organization must be below the issuing organization "
                        "or within your scope."
                    )
                }
            )
    if (
        responsible is not None
        and check
        and not policy.can(actor, Action.MEMBER_VIEW, responsible)
        and not (
            lead_organization is not None
            and responsible.organization.path.startswith(lead_organization.path)
        )
    ):
        raise ValidationError(
            {"responsible": _("The responsible person must be a member within your scope.")}
        )
    if parent is not None:
        if check and not can_on_task(actor, Action.TASK_MANAGE, parent):
            raise ValidationError({"parent": _("You may not add sub-tasks to this task.")})
        if parent.status == TaskStatus.CLOSED:
            raise ValidationError({"parent": _("The parent task is already closed.")})


def recompute_progress(task_id: int | None) -> None:
    """Roll progress up from the children (weighted by ``weight``), up to the root task."""
    seen: set[int] = set()
    while task_id and task_id not in seen:
        seen.add(task_id)
        totals = Task.objects.filter(parent_id=task_id).aggregate(
            weights=Sum("weight"), weighted=Sum(F("progress") * F("weight"))
        )
        weights = totals["weights"] or 0
        if weights:
            progress = round((totals["weighted"] or 0) / weights)
            Task.objects.filter(pk=task_id).update(progress=min(100, max(0, progress)))
        task_id = Task.objects.filter(pk=task_id).values_list("parent_id", flat=True).first()


def rolled_up_progress(children: Iterable[Task]) -> int:
    """The same weighted roll-up as :func:`recompute_progress`, for objects in memory."""
    children = list(children)
    weights = sum(c.weight for c in children)
    if not weights:
        return 0
    return round(sum(c.progress * c.weight for c in children) / weights)


# ---------------------------------------------------------------- create / edit


@transaction.atomic
def task_create(
    *,
    actor,
    title: str,
    organization,
    deadline: datetime.date,
    details: str = "",
    origin_meeting=None,
    origin_agenda_item=None,
    origin_measure=None,
    parent: Task | None = None,
    weight: int = 1,
    lead_unit=None,
    lead_organization=None,
    cooperating_units: Iterable = (),
    responsible=None,
    priority: str = TaskPriority.NORMAL,
    today: datetime.date | None = None,
    check: bool = True,
) -> Task:
    _guard(policy.can(actor, Action.TASK_MANAGE, organization), check)
    today = today or timezone.localdate()
    _check_deadline(deadline, today)
    if origin_measure is not None:
        if origin_agenda_item is None:
            origin_agenda_item = origin_measure.block.agenda_item
        elif origin_measure.block.agenda_item_id != origin_agenda_item.pk:
            raise ValidationError(
                {"origin_measure": _("The measure belongs to another agenda item.")}
            )
    if origin_agenda_item is not None:
        if origin_meeting is None:
            origin_meeting = origin_agenda_item.meeting
        elif origin_agenda_item.meeting_id != origin_meeting.pk:
            raise ValidationError(
                {"origin_agenda_item": _("The agenda item belongs to another meeting.")}
            )
    _check_scope_of_links(
        actor,
        organization=organization,
        lead_organization=lead_organization,
        responsible=responsible,
        parent=parent,
        check=check,
    )
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    task = Task(
        title=(title or "").strip(),
        details=details or "",
        organization=organization,
        origin_meeting=origin_meeting,
        origin_agenda_item=origin_agenda_item,
        origin_measure=origin_measure,
        parent=parent,
        weight=weight,
        lead_unit=lead_unit,
        lead_organization=lead_organization,
        responsible=responsible,
        deadline=deadline,
        priority=priority,
        created_by=actor if authenticated else None,
    )
    task.full_clean()
    task.save()
    if cooperating_units:
        task.cooperating_units.set(list(cooperating_units))
    _event(task, Kind.CREATED, actor)
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.CREATE,
        obj=task,
        changes=audit.diff({}, audit.snapshot(task, AUDITED_FIELDS)),
    )
    if parent is not None:
        recompute_progress(parent.pk)
    recipients = [u for u in reporters_of(task) if u != actor]
    if recipients:
        notify(
            users=recipients,
            title=_("New task: %(title)s") % {"title": task.title[:150]},
            body=_("Deadline: %(deadline)s.") % {"deadline": task.deadline.isoformat()},
            url=task.get_absolute_url(),
        )
    return task


@transaction.atomic
def task_update(
    *, actor, task: Task, version: int | None = None, check: bool = True, **fields
) -> Task:
    """Change a task's own fields. A stale ``version`` is refused (nothing saved)."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"task_update() cannot change {sorted(unknown)}")
    current = _locked(task)
    _guard(can_manage(actor, current), check)
    if version is not None and int(version) != current.version:
        raise ValidationError(
            _(
                "Someone else changed this task while you were editing it. "
                "Reload the page to see their changes, then apply yours again."
            ),
            code="conflict",
        )
    if current.status == TaskStatus.CLOSED:
        raise ValidationError(_("A closed task cannot be changed."))
    before = audit.snapshot(current, AUDITED_FIELDS)
    before_units = sorted(current.cooperating_units.values_list("name", flat=True))
    units = fields.pop("cooperating_units", None)
    for name, value in fields.items():
        setattr(current, name, value)
    if "deadline" in fields:
        _check_deadline(current.deadline, timezone.localtime(current.created_at).date())
    _check_scope_of_links(
        actor,
        organization=current.organization,
        lead_organization=current.lead_organization if "lead_organization" in fields else None,
        responsible=current.responsible if "responsible" in fields else None,
        parent=None,
        check=check,
    )
    if current.title:
        current.title = current.title.strip()
    current.full_clean()
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    changes = audit.diff(before, audit.snapshot(current, AUDITED_FIELDS))
    if units is not None:
        current.cooperating_units.set(list(units))
        after_units = sorted(current.cooperating_units.values_list("name", flat=True))
        if after_units != before_units:
            changes["cooperating_units"] = [before_units, after_units]
    if changes:
        audit.record(
            actor=actor, action=audit.AuditEvent.Action.UPDATE, obj=current, changes=changes
        )
    if "weight" in changes and current.parent_id:
        recompute_progress(current.parent_id)
    return current


# ---------------------------------------------------------------- lifecycle


@transaction.atomic
def task_start(*, actor, task: Task, check: bool = True) -> Task:
    current = _locked(task)
    _guard(can_report(actor, current), check)
    if current.status != TaskStatus.NOT_STARTED:
        raise ValidationError(_("Only a task that has not started can be started."))
    old = current.status
    current.status = TaskStatus.IN_PROGRESS
    current.save(update_fields=["status", "updated_at"])
    _event(current, Kind.STARTED, actor)
    _audit_status(actor, current, old)
    return current


@transaction.atomic
def progress_report_add(
    *,
    actor,
    task: Task,
    reported_on: datetime.date,
    text: str,
    percent: int,
    attachments: Iterable = (),
    today: datetime.date | None = None,
    check: bool = True,
) -> ProgressReport:
    """Add a progress report; a task not yet started moves to in progress."""
    current = _locked(task)
    _guard(can_report(actor, current), check)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if current.status == TaskStatus.CLOSED:
        raise ValidationError(_("The task is closed; no more progress can be reported."))
    if current.status == TaskStatus.CLOSURE_REQUESTED:
        raise ValidationError(
            _("Closure has been requested; wait until it is approved or returned.")
        )
    if reported_on is None:
        errors.setdefault("reported_on", []).append(_("Enter the date of the report."))
    elif reported_on > today:
        errors.setdefault("reported_on", []).append(_("The date cannot be in the future."))
    if not (text or "").strip():
        errors.setdefault("text", []).append(_("Describe the progress."))
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        errors.setdefault("percent", []).append(_("Enter a whole number from 0 to 100."))
    else:
        if not 0 <= percent <= 100:
            errors.setdefault("percent", []).append(
                _("The percentage must be between 0 and 100 (got %(value)s).") % {"value": percent}
            )
    uploads = [u for u in attachments if u]
    if len(uploads) > MAX_ATTACHMENTS:
        errors.setdefault("attachments", []).append(
            _("At most %(count)s files per report.") % {"count": MAX_ATTACHMENTS}
        )
    extensions = []
    for upload in uploads:
        try:
            extensions.append(validate_attachment(upload))
        except ValidationError as exc:
            errors.setdefault("attachments", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    report = ProgressReport(
        task=current,
        reported_on=reported_on,
        text=text.strip(),
        percent=percent,
        author=actor if authenticated else None,
    )
    report.full_clean(exclude=["author"])
    report.save()
    for upload, ext in zip(uploads, extensions, strict=True):
        attachment = ProgressAttachment(
            report=report, name=str(upload.name)[:200], size=upload.size or 0
        )
        attachment.file.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
        attachment.save()
    old = current.status
    update = ["updated_at"]
    if not current.children.exists():
        current.progress = percent
        update.append("progress")
    if current.status == TaskStatus.NOT_STARTED:
        current.status = TaskStatus.IN_PROGRESS
        update.append("status")
    current.save(update_fields=update)
    if old != current.status:
        _event(current, Kind.STARTED, actor, _("Progress reported."))
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.CREATE,
        obj=report,
        changes={"percent": [None, percent], "attachments": [None, len(uploads)]},
    )
    if current.parent_id:
        recompute_progress(current.parent_id)
    return report


@transaction.atomic
def task_request_closure(*, actor, task: Task, reason: str = "", check: bool = True) -> Task:
    current = _locked(task)
    _guard(can_report(actor, current), check)
    if current.status not in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS):
        raise ValidationError(_("Closure can only be requested for an open task."))
    open_children = current.children.filter(status__in=OPEN_STATUSES).count()
    if open_children:
        raise ValidationError(
            _("%(count)s sub-task(s) are still open; close them first.") % {"count": open_children}
        )
    old = current.status
    current.status = TaskStatus.CLOSURE_REQUESTED
    current.save(update_fields=["status", "updated_at"])
    reason = (reason or "").strip()
    _event(current, Kind.CLOSURE_REQUESTED, actor, reason)
    _audit_status(actor, current, old, reason)
    recipients = [u for u in supervisors_of(current) if u != actor]
    notify(
        users=recipients,
        title=_("Closure requested: %(title)s") % {"title": current.title[:150]},
        body=reason,
        url=current.get_absolute_url(),
    )
    return current


@transaction.atomic
def task_approve_closure(*, actor, task: Task, reason: str = "", check: bool = True) -> Task:
    current = _locked(task)
    _guard(can_supervise(actor, current), check)
    if current.status != TaskStatus.CLOSURE_REQUESTED:
        raise ValidationError(_("Only a task whose closure was requested can be closed."))
    old = current.status
    current.status = TaskStatus.CLOSED
    current.closed_at = timezone.now()
    update = ["status", "closed_at", "updated_at"]
    if not current.children.exists():
        current.progress = 100
        update.append("progress")
    current.save(update_fields=update)
    reason = (reason or "").strip()
    _event(current, Kind.CLOSED, actor, reason)
    _audit_status(actor, current, old, reason)
    signing.sign_operation(actor, current, "task.close")
    if current.parent_id:
        recompute_progress(current.parent_id)
    notify(
        users=[u for u in reporters_of(current) if u != actor],
        title=_("Task closed: %(title)s") % {"title": current.title[:150]},
        body=reason,
        url=current.get_absolute_url(),
    )
    return current


@transaction.atomic
def task_return(*, actor, task: Task, reason: str, check: bool = True) -> Task:
    current = _locked(task)
    _guard(can_supervise(actor, current), check)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the task is returned.")})
    if current.status != TaskStatus.CLOSURE_REQUESTED:
        raise ValidationError(_("Only a task whose closure was requested can be returned."))
    old = current.status
    current.status = TaskStatus.IN_PROGRESS
    current.save(update_fields=["status", "updated_at"])
    _event(current, Kind.RETURNED, actor, reason)
    _audit_status(actor, current, old, reason)
    notify(
        users=[u for u in reporters_of(current) if u != actor],
        title=_("Task returned: %(title)s") % {"title": current.title[:150]},
        body=reason,
        url=current.get_absolute_url(),
    )
    return current
