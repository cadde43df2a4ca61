"""Writes to campaigns, activities and the ledger.

Every write checks the policy (a second guard behind the views), validates
with ``full_clean`` and records an audit row in the same transaction.

* Campaigns and their requirements: CAMPAIGN_MANAGE on the issuing organization.
* Activities: MEETING_MANAGE on the organizer.
* A submission: MEETING_MANAGE on the reporting organization, which must lie in
  the campaign's covered subtree; returning or accepting it: SUBMISSION_REVIEW
  on that organization.
* Presentations and photos of an activity: MEETING_MANAGE on the organizer.
* Marking exemplary cases (典型案例): CAMPAIGN_MANAGE on the activity's organizer.

Uploaded files are checked before anything is written (attachments with
``core.uploads.validate_attachment``, photos with ``core.images.process_image``)
and stored under random names; a file written for a row that then fails is
deleted again, and a removed row's files go once the transaction commits.

``Activity.leaders`` holds ``{"name", "title", "role", "entrusted_by"}`` dicts
(role: ``LeaderRole``; ``entrusted_by`` only for an entrusted leader, the
"受…委托" of seed 000).
"""

from __future__ import annotations

import contextlib
import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import audit, signing
from dangjian.core.images import process_image
from dangjian.core.models import AuditEvent
from dangjian.core.uploads import validate_attachment
from dangjian.core.validators import validate_no_markup

from .models import (
    Activity,
    ActivityPhoto,
    ActivityType,
    Campaign,
    LeaderRole,
    PlannedActivity,
    Presentation,
    Requirement,
    Submission,
)

CAMPAIGN_FIELDS = (
    "name",
    "parent",
    "organization",
    "covered",
    "issued_by_text",
    "superior_body",
    "notice",
    "starts_on",
    "ends_on",
    "capabilities",
    "main_capability",
    "goals",
)
ACTIVITY_FIELDS = (
    "type",
    "types",
    "title",
    "theme",
    "held_on",
    "venue",
    "organization",
    "organizer_text",
    "campaign",
    "summary",
    "leaders",
    "participant_groups",
    "participants",
)
PRESENTATION_FIELDS = (
    "order",
    "organization",
    "unit",
    "recommended_by_unit",
    "presenter",
    "topic",
    "summary",
)
NOTICE_TYPES = ("pdf", "doc", "docx", "txt")


def _guard(allowed: bool, check: bool) -> None:
    if check and not allowed:
        raise PermissionDenied


def _stale(obj, version) -> None:
    if version is not None and int(version) != obj.version:
        raise ValidationError(
            _("Someone else changed this record in the meantime. Reload the page and try again."),
            code="conflict",
        )


def can_manage_campaign(actor, campaign: Campaign) -> bool:
    return policy.can(actor, Action.CAMPAIGN_MANAGE, campaign.organization)


def in_covered_subtree(campaign: Campaign, organization) -> bool:
    return organization.path.startswith(campaign.covered.path)


# ---------------------------------------------------------------- campaigns


@transaction.atomic
def campaign_create(*, actor, check: bool = True, notice_upload=None, **data) -> Campaign:
    """Launch a campaign; ``notice_upload`` is the notice document (PDF, Word or text)."""
    campaign = Campaign(**{k: v for k, v in data.items() if k in CAMPAIGN_FIELDS})
    _guard(policy.can(actor, Action.CAMPAIGN_MANAGE, campaign.organization), check)
    campaign.full_clean(exclude=["notice_file"])
    if not in_covered_subtree_org(campaign.organization, campaign.covered):
        raise ValidationError(
            {"covered": _("A campaign can only cover the issuing organization's own subtree.")}
        )
    ext = _check_upload(notice_upload, "notice_file", NOTICE_TYPES)
    with _stored_files() as stored:
        if notice_upload:
            _store(stored, campaign.notice_file, ext, notice_upload)
            campaign.notice_file_name = _plain_name(notice_upload)
        campaign.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=campaign,
        changes=audit.snapshot(campaign, (*CAMPAIGN_FIELDS, "notice_file_name")),
    )
    return campaign


# ---------------------------------------------------------------- files


def _plain_name(upload) -> str:
    name = str(getattr(upload, "name", "") or "")
    return name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]


def _check_upload(upload, field: str, allowed=None) -> str:
    """Validate an attachment before anything is written; returns its extension."""
    if not upload:
        return ""
    try:
        if allowed:
            return validate_attachment(upload, allowed=allowed)
        return validate_attachment(upload)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


class _stored_files:
    """Collects the files written inside the block; deletes them if the block fails."""

    def __enter__(self):
        self.files: list = []
        return self.files

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            for storage, name in self.files:
                with contextlib.suppress(OSError):
                    storage.delete(name)
        return False


def _store(stored: list, fieldfile, ext: str, content) -> None:
    fieldfile.save(f"{uuid.uuid4().hex}.{ext}", content, save=False)
    stored.append((fieldfile.storage, fieldfile.name))


def _delete_later(files) -> None:
    files = [f for f in files if f]
    if files:
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])


def in_covered_subtree_org(issuer, covered) -> bool:
    return covered.path.startswith(issuer.path)


@transaction.atomic
def campaign_update(
    *,
    actor,
    campaign: Campaign,
    version=None,
    check: bool = True,
    notice_upload=None,
    notice_remove: bool = False,
    **data,
):
    """Edit a campaign; a new ``notice_upload`` replaces the attachment, ``notice_remove``
    drops it."""
    campaign = Campaign.objects.select_for_update(of=("self",)).get(pk=campaign.pk)
    _guard(can_manage_campaign(actor, campaign), check)
    _stale(campaign, version)
    fields = (*CAMPAIGN_FIELDS, "notice_file_name")
    before = audit.snapshot(campaign, fields)
    for key, value in data.items():
        if key in CAMPAIGN_FIELDS and key != "organization":
            setattr(campaign, key, value)
    campaign.full_clean(exclude=["notice_file"])
    if not in_covered_subtree_org(campaign.organization, campaign.covered):
        raise ValidationError(
            {"covered": _("A campaign can only cover the issuing organization's own subtree.")}
        )
    outside = campaign.requirements.exclude(
        due_on__gte=campaign.starts_on, due_on__lte=campaign.ends_on
    )
    if outside.exists():
        raise ValidationError({"ends_on": _("Some requirements are due outside the new period.")})
    ext = _check_upload(notice_upload, "notice_file", NOTICE_TYPES)
    old_file = campaign.notice_file.name if campaign.notice_file else ""
    with _stored_files() as stored:
        if notice_upload:
            _store(stored, campaign.notice_file, ext, notice_upload)
            campaign.notice_file_name = _plain_name(notice_upload)
        elif notice_remove:
            campaign.notice_file = ""
            campaign.notice_file_name = ""
        campaign.version += 1
        campaign.save()
    if old_file and (notice_upload or notice_remove):
        storage = campaign.notice_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        changes=audit.diff(before, audit.snapshot(campaign, fields)),
    )
    return campaign


@transaction.atomic
def planned_activity_add(*, actor, campaign: Campaign, check: bool = True, **data):
    _guard(can_manage_campaign(actor, campaign), check)
    planned = PlannedActivity(campaign=campaign, **data)
    planned.full_clean()
    if planned.starts_on and planned.ends_on and planned.ends_on < planned.starts_on:
        raise ValidationError({"ends_on": _("The window cannot end before it starts.")})
    planned.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=planned,
        changes=audit.snapshot(planned, ("campaign", "type", "theme", "starts_on", "ends_on")),
    )
    return planned


@transaction.atomic
def requirement_add(
    *,
    actor,
    campaign: Campaign,
    title: str,
    due_on: datetime.date,
    description: str = "",
    organization_kinds=(),
    meeting_kind: str = "",
    training_kind: str = "",
    check: bool = True,
) -> Requirement:
    """Add a reporting requirement; with ``meeting_kind`` / ``training_kind`` it is met by
    the organizations' own meetings or trainings of that kind (reported with one click)."""
    _guard(can_manage_campaign(actor, campaign), check)
    requirement = Requirement(
        campaign=campaign,
        title=title,
        description=description,
        due_on=due_on,
        organization_kinds=list(organization_kinds or []),
        meeting_kind=meeting_kind or "",
        training_kind=training_kind or "",
    )
    requirement.full_clean()
    if not (campaign.starts_on <= due_on <= campaign.ends_on):
        raise ValidationError(
            {
                "due_on": _(
                    "The due date must lie inside the campaign's period (%(start)s to %(end)s)."
                )
                % {"start": campaign.starts_on.isoformat(), "end": campaign.ends_on.isoformat()}
            }
        )
    requirement.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=requirement,
        changes=audit.snapshot(requirement, ("campaign", "title", "due_on")),
    )
    return requirement


# ---------------------------------------------------------------- activities


def clean_leaders(leaders) -> list[dict]:
    """Normalize the leaders present: drop empty rows, check names, roles and lengths."""
    cleaned = []
    roles = set(LeaderRole.values)
    for entry in leaders or ():
        if not isinstance(entry, dict):
            raise ValidationError({"leaders": _("Every leader needs a name and a valid role.")})
        name = str(entry.get("name") or "").strip()
        title = str(entry.get("title") or "").strip()
        role = str(entry.get("role") or "").strip()
        entrusted_by = str(entry.get("entrusted_by") or "").strip()
        if not (name or title or entrusted_by):
            continue
        if not name:
            raise ValidationError({"leaders": _("Give the name of every leader present.")})
        if role not in roles:
            raise ValidationError(
                {"leaders": _("Choose the role of %(name)s.") % {"name": name[:50]}}
            )
        if role == LeaderRole.ENTRUSTED and not entrusted_by:
            raise ValidationError(
                {"leaders": _("An entrusted leader needs the person who entrusted them.")}
            )
        if len(name) > 50 or len(title) > 100 or len(entrusted_by) > 100:
            raise ValidationError({"leaders": _("A leader's name or title is too long.")})
        for value in (name, title, entrusted_by):
            try:
                validate_no_markup(value)
            except ValidationError as exc:
                raise ValidationError({"leaders": exc.messages}) from None
        cleaned.append(
            {
                "name": name,
                "title": title,
                "role": role,
                "entrusted_by": entrusted_by if role == LeaderRole.ENTRUSTED else "",
            }
        )
    return cleaned


def _check_activity(activity: Activity) -> None:
    # One event of several kinds (启动仪式暨论坛): ``types`` in order, ``type`` the first.
    if activity.types:
        activity.type = activity.types[0]
    elif activity.type:
        activity.types = [activity.type]
    activity.leaders = clean_leaders(activity.leaders)
    activity.full_clean()
    campaign = activity.campaign
    if campaign is not None and not activity.organization.path.startswith(
        campaign.organization.path
    ):
        raise ValidationError({"campaign": _("The organizer does not take part in this campaign.")})


def can_manage_activity(actor, activity: Activity) -> bool:
    return policy.can(actor, Action.MEETING_MANAGE, activity.organization)


def can_mark_exemplary(actor, activity: Activity) -> bool:
    return policy.can(actor, Action.CAMPAIGN_MANAGE, activity.organization)


@transaction.atomic
def activity_create(*, actor, check: bool = True, **data) -> Activity:
    """Record an activity. ``leaders``: see the module docstring."""
    activity = Activity(**{k: v for k, v in data.items() if k in ACTIVITY_FIELDS})
    _guard(policy.can(actor, Action.MEETING_MANAGE, activity.organization), check)
    _check_activity(activity)
    activity.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=activity,
        changes=audit.snapshot(activity, ACTIVITY_FIELDS),
    )
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, version=None, check: bool = True, **data):
    """Edit an activity (the organizer stays); ``version`` is the one the form showed."""
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=activity.pk)
    )
    _guard(can_manage_activity(actor, activity), check)
    _stale(activity, version)
    before = audit.snapshot(activity, ACTIVITY_FIELDS)
    if data.get("type") and "types" not in data:
        # A new main kind keeps the other kinds after it.
        data["types"] = [data["type"], *(t for t in activity.kinds()[1:] if t != data["type"])]
    for key, value in data.items():
        if key in ACTIVITY_FIELDS and key != "organization":
            setattr(activity, key, value)
    _check_activity(activity)
    activity.version += 1
    activity.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=activity,
        changes=audit.diff(before, audit.snapshot(activity, ACTIVITY_FIELDS)),
    )
    return activity


def _touch(activity: Activity) -> None:
    """Presentations and photos are part of the activity (optimistic locking)."""
    from django.db.models import F

    Activity.objects.filter(pk=activity.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


def _locked_activity(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=activity.pk)
    )


def _check_presenter(p: Presentation) -> None:
    given = [bool(p.organization_id), bool(p.unit_id), bool((p.presenter or "").strip())]
    if sum(given) == 0:
        raise ValidationError(
            {"presenter": _("Name the presenting organization, unit or presenter.")}
        )
    if p.organization_id and p.unit_id:
        raise ValidationError(
            {"unit": _("Choose either a presenting organization or a unit, not both.")}
        )


@transaction.atomic
def presentation_add(
    *,
    actor,
    activity: Activity,
    topic: str,
    organization=None,
    unit=None,
    recommended_by_unit=None,
    presenter: str = "",
    summary: str = "",
    order: int | None = None,
    material=None,
    source: Presentation | None = None,
    note: str = "",
    check: bool = True,
) -> Presentation:
    """Add a presentation (交流发言) to an activity; ``order`` defaults to the end.

    ``note`` is added to the audit row's note (where the presentation came from)."""
    activity = _locked_activity(activity)
    _guard(can_manage_activity(actor, activity), check)
    if order is None:
        last = activity.presentations.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 1
    p = Presentation(
        activity=activity,
        order=order,
        organization=organization,
        unit=unit,
        recommended_by_unit=recommended_by_unit,
        presenter=(presenter or "").strip(),
        topic=(topic or "").strip(),
        summary=(summary or "").strip(),
        source=source,
    )
    p.full_clean(exclude=["material", "activity"])
    _check_presenter(p)
    ext = _check_upload(material, "material")
    with _stored_files() as stored:
        if material:
            _store(stored, p.material, ext, material)
            p.material_name = _plain_name(material)
        p.save()
    _touch(activity)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=p,
        changes=audit.snapshot(p, (*PRESENTATION_FIELDS, "material_name")),
        note=f"activity {activity.pk}" + (f"; {note}" if note else ""),
    )
    return p


@transaction.atomic
def presentation_update(
    *,
    actor,
    presentation: Presentation,
    material=None,
    material_remove: bool = False,
    check: bool = True,
    **data,
) -> Presentation:
    p = Presentation.objects.select_for_update(of=("self",)).get(pk=presentation.pk)
    activity = _locked_activity(p.activity)
    _guard(can_manage_activity(actor, activity), check)
    fields = (*PRESENTATION_FIELDS, "material_name")
    before = audit.snapshot(p, fields)
    for key, value in data.items():
        if key in PRESENTATION_FIELDS:
            setattr(p, key, value.strip() if isinstance(value, str) else value)
    p.full_clean(exclude=["material", "activity"])
    _check_presenter(p)
    ext = _check_upload(material, "material")
    old = p.material.name if p.material else ""
    with _stored_files() as stored:
        if material:
            _store(stored, p.material, ext, material)
            p.material_name = _plain_name(material)
        elif material_remove:
            p.material = ""
            p.material_name = ""
        p.save()
    if old and (material or material_remove):
        storage = p.material.storage
        transaction.on_commit(lambda: storage.delete(old))
    _touch(activity)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=p,
        changes=audit.diff(before, audit.snapshot(p, fields)),
    )
    return p


@transaction.atomic
def presentation_remove(*, actor, presentation: Presentation, check: bool = True) -> None:
    p = Presentation.objects.select_for_update(of=("self",)).get(pk=presentation.pk)
    activity = _locked_activity(p.activity)
    _guard(can_manage_activity(actor, activity), check)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=p,
        changes={"topic": [p.topic, None], "activity": [str(activity), None]},
    )
    files = [p.material]
    p.delete()
    _touch(activity)
    _delete_later(files)


@transaction.atomic
def presentation_move(*, actor, presentation: Presentation, up: bool, check: bool = True):
    """Swap a presentation with its neighbour above (``up``) or below; renumbers 1…n."""
    activity = _locked_activity(presentation.activity)
    _guard(can_manage_activity(actor, activity), check)
    items = list(activity.presentations.order_by("order", "id"))
    index = next((i for i, p in enumerate(items) if p.pk == presentation.pk), None)
    if index is None:
        raise ValidationError(_("This presentation is not on the activity's agenda."))
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for number, p in enumerate(items, start=1):
        if p.order != number:
            Presentation.objects.filter(pk=p.pk).update(order=number)
    _touch(activity)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=presentation,
        note="moved up" if up else "moved down",
    )


MAX_PHOTOS = 60


@transaction.atomic
def photo_add(*, actor, activity: Activity, upload, caption: str = "", check: bool = True):
    """Add a photo: validated by content, re-encoded without metadata, with a thumbnail.

    Anything that is not a usable image raises ValidationError({"image": …}) and
    nothing is written."""
    activity = _locked_activity(activity)
    _guard(can_manage_activity(actor, activity), check)
    if not upload:
        raise ValidationError({"image": _("Choose a picture to upload.")})
    if activity.photos.count() >= MAX_PHOTOS:
        raise ValidationError(
            {"image": _("An activity can have at most %(count)s photos.") % {"count": MAX_PHOTOS}}
        )
    try:
        processed = process_image(upload)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from None
    photo = ActivityPhoto(
        activity=activity,
        caption=(caption or "").strip(),
        width=processed.width,
        height=processed.height,
    )
    photo.full_clean(exclude=["image", "thumbnail", "activity"])
    with _stored_files() as stored:
        _store(stored, photo.image, processed.extension, processed.image)
        photo.thumbnail.save(f"{uuid.uuid4().hex}_thumb.jpg", processed.thumbnail, save=False)
        stored.append((photo.thumbnail.storage, photo.thumbnail.name))
        photo.save()
    _touch(activity)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=photo,
        changes={
            "activity": [None, str(activity)],
            "caption": [None, photo.caption],
            "size": [None, f"{photo.width}x{photo.height}"],
        },
    )
    return photo


@transaction.atomic
def photo_remove(*, actor, photo: ActivityPhoto, check: bool = True) -> None:
    photo = ActivityPhoto.objects.select_for_update(of=("self",)).get(pk=photo.pk)
    activity = _locked_activity(photo.activity)
    _guard(can_manage_activity(actor, activity), check)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=photo,
        changes={"activity": [str(activity), None], "caption": [photo.caption, None]},
    )
    files = [photo.image, photo.thumbnail]
    photo.delete()
    _touch(activity)
    _delete_later(files)


# ---------------------------------------------------------------- exemplary cases


@transaction.atomic
def exemplary_mark(
    *, actor, obj: Activity | Presentation, exemplary: bool = True, note: str = "", check=True
):
    """Mark (or unmark) an activity or a presentation as an exemplary case (典型案例)."""
    model = type(obj)
    if model not in (Activity, Presentation):
        raise TypeError("exemplary_mark takes an Activity or a Presentation")
    locked = model.objects.select_for_update(of=("self",)).get(pk=obj.pk)
    activity = (
        locked
        if model is Activity
        else Activity.objects.select_related("organization").get(pk=locked.activity_id)
    )
    _guard(can_mark_exemplary(actor, activity), check)
    note = (note or "").strip()
    before = audit.snapshot(locked, ("exemplary", "exemplary_note"))
    locked.exemplary = bool(exemplary)
    locked.exemplary_note = note if exemplary else ""
    locked.full_clean(exclude=["material"] if model is Presentation else None)
    update = ["exemplary", "exemplary_note", "updated_at"]
    if model is Activity:
        locked.version += 1
        update.append("version")
    locked.save(update_fields=update)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        changes=audit.diff(before, audit.snapshot(locked, ("exemplary", "exemplary_note"))),
        note="exemplary case" if exemplary else "no longer an exemplary case",
    )
    return locked


@transaction.atomic
def agenda_build(*, actor, activity: Activity, cases, check: bool = True) -> list[Presentation]:
    """Append the chosen exemplary cases to a forum's agenda, in the given order.

    Each becomes a Presentation with ``source`` set to the case; presenter,
    topic and summary are copied. A case already on the agenda is skipped."""
    activity = _locked_activity(activity)
    _guard(can_manage_activity(actor, activity), check)
    if not activity.is_of_kind(ActivityType.FORUM):
        raise ValidationError(_("Only a forum's agenda is built from exemplary cases."))
    order = [c.pk for c in cases]
    if not order:
        raise ValidationError({"cases": _("Choose at least one exemplary case.")})
    fresh = Presentation.objects.in_bulk(order)  # the stored state decides, not the caller's
    cases = [fresh[pk] for pk in order if pk in fresh]
    for case in cases:
        if not case.exemplary:
            raise ValidationError(
                {"cases": _("“%(topic)s” is not an exemplary case.") % {"topic": case.topic}}
            )
        if case.activity_id == activity.pk:
            raise ValidationError(
                {"cases": _("A case from this forum cannot be put on its own agenda.")}
            )
    present = set(activity.presentations.exclude(source=None).values_list("source_id", flat=True))
    last = activity.presentations.order_by("-order").values_list("order", flat=True).first() or 0
    created = []
    for case in cases:
        if case.pk in present:
            continue
        last += 1
        p = Presentation(
            activity=activity,
            order=last,
            organization_id=case.organization_id,
            unit_id=case.unit_id,
            presenter=case.presenter,
            topic=case.topic,
            summary=case.summary,
            source=case,
        )
        p.full_clean(exclude=["material", "activity", "source"])
        p.save()
        present.add(case.pk)
        created.append(p)
    if created:
        _touch(activity)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=activity,
        changes={"agenda": [None, [p.topic for p in created]]},
        note=f"agenda built from {len(created)} exemplary case(s)",
    )
    return created


# ---------------------------------------------------------------- reporting from an activity


@transaction.atomic
def activity_report(*, actor, activity: Activity, requirements, organization=None, check=True):
    """Report one activity against several requirements at once (for ``organization``,
    default the organizer): an activity recorded once serves every ledger it satisfies."""
    organization = organization or activity.organization
    requirements = list(requirements)
    if not requirements:
        raise ValidationError({"requirements": _("Choose at least one requirement.")})
    return [
        submission_report(
            actor=actor,
            requirement=r,
            organization=organization,
            activity=activity,
            check=check,
        )
        for r in requirements
    ]


# ---------------------------------------------------------------- the ledger


@transaction.atomic
def submission_report(
    *,
    actor,
    requirement: Requirement,
    organization,
    activity: Activity,
    check: bool = True,
) -> Submission:
    """Report ``activity`` against ``requirement`` for ``organization``.

    A returned submission is reported again (same row); an accepted one is final.
    """
    _check_reporting(actor, requirement, organization, check)
    if (
        activity.organization_id != organization.pk
        and not organization.path.startswith(activity.organization.path)
        and not activity.organization.path.startswith(organization.path)
    ):
        raise ValidationError(
            {"activity": _("The activity was not organized by this organization.")}
        )
    return _submit(actor, requirement, organization, activity=activity)


def _check_reporting(actor, requirement: Requirement, organization, check: bool) -> None:
    _guard(policy.can(actor, Action.MEETING_MANAGE, organization), check)
    campaign = requirement.campaign
    if not in_covered_subtree(campaign, organization):
        raise ValidationError(
            {"organization": _("This organization is not covered by the campaign.")}
        )
    if not requirement.applies_to(organization):
        raise ValidationError(
            {"organization": _("This requirement does not apply to this kind of organization.")}
        )


def _submit(actor, requirement: Requirement, organization, **record) -> Submission:
    """Create (or re-report a returned) submission pointing at one recorded record."""
    existing = (
        Submission.objects.select_for_update(of=("self",))
        .filter(requirement=requirement, organization=organization)
        .first()
    )
    if existing is not None and existing.status != Submission.Status.RETURNED:
        raise ValidationError(_("This requirement has already been reported."))
    submission = existing or Submission(requirement=requirement, organization=organization)
    submission.activity = record.get("activity")
    submission.meeting = record.get("meeting")
    submission.training = record.get("training")
    submission.status = Submission.Status.REPORTED
    submission.reported_at = timezone.now()
    submission.full_clean()
    submission.save()
    ((field, value),) = ((k, v) for k, v in record.items() if v is not None)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE if existing is None else AuditEvent.Action.UPDATE,
        obj=submission,
        changes={"status": Submission.Status.REPORTED, field: str(value)},
    )
    return submission


@transaction.atomic
def submission_from_record(
    *, actor, requirement: Requirement, organization, check: bool = True
) -> Submission:
    """Report what the organization already recorded (its meeting or training in the
    campaign's period that meets ``requirement``): one click, no second form."""
    from .selectors import recorded_records

    _check_reporting(actor, requirement, organization, check)
    record = recorded_records(
        campaign=requirement.campaign, requirements=[requirement], organizations=[organization]
    ).get((requirement.pk, organization.pk))
    if record is None:
        raise ValidationError(
            _("No meeting or training recorded by this organization meets this requirement.")
        )
    field = "meeting" if requirement.meeting_kind else "training"
    return _submit(actor, requirement, organization, **{field: record})


def _review(actor, submission: Submission, status: str, comment: str, check: bool):
    _guard(policy.can(actor, Action.SUBMISSION_REVIEW, submission.organization), check)
    submission = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
    if submission.status != Submission.Status.REPORTED:
        raise ValidationError(_("Only a reported submission can be reviewed."))
    before = submission.status
    submission.status = status
    submission.comment = comment
    submission.reviewer = actor if getattr(actor, "is_authenticated", False) else None
    submission.reviewed_at = timezone.now()
    submission.full_clean()
    submission.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=submission,
        changes={"status": [before, status]},
        note=comment[:300],
    )
    return submission


@transaction.atomic
def submission_return(*, actor, submission: Submission, reason: str, check: bool = True):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for returning the submission.")})
    return _review(actor, submission, Submission.Status.RETURNED, reason, check)


@transaction.atomic
def submission_accept(*, actor, submission: Submission, comment: str = "", check: bool = True):
    submission = _review(
        actor, submission, Submission.Status.ACCEPTED, (comment or "").strip(), check
    )
    signing.sign_operation(actor, submission, "submission.accept")
    return submission


def ledger_export_audit(*, actor, campaign: Campaign) -> None:
    audit.record(actor=actor, action=AuditEvent.Action.EXPORT, obj=campaign, note="ledger.xlsx")


@transaction.atomic
def campaign_remind_late(*, actor, campaign: Campaign, today=None, check: bool = True) -> int:
    """Remind the organizations late with a requirement of ``campaign`` now; each
    (requirement, organization) is reminded of being overdue once, however often this runs."""
    from .reminders import remind_late_now

    _guard(can_manage_campaign(actor, campaign), check)
    sent = remind_late_now(campaign, today=today)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        changes={"reminded": [None, sent]},
        note="reminded late organizations",
    )
    return sent
