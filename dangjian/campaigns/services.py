"""Writes to campaigns, activities and the ledger.

Every write checks the policy (a second guard behind the views), validates
with ``full_clean`` and records an audit row in the same transaction.

* Campaigns and their requirements: CAMPAIGN_MANAGE on the issuing organization.
* Activities: MEETING_MANAGE on the organizer.
* A submission: MEETING_MANAGE on the reporting organization, which must lie in
  the campaign's covered subtree; returning or accepting it: SUBMISSION_REVIEW
  on that organization.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import audit
from dangjian.core.models import AuditEvent

from .models import Activity, Campaign, PlannedActivity, Requirement, Submission

CAMPAIGN_FIELDS = (
    "name",
    "parent",
    "organization",
    "covered",
    "notice",
    "starts_on",
    "ends_on",
    "capabilities",
    "goals",
)
ACTIVITY_FIELDS = (
    "type",
    "title",
    "theme",
    "held_on",
    "venue",
    "organization",
    "campaign",
    "summary",
    "leaders",
    "participant_groups",
)


def _guard(allowed: bool, check: bool) -> None:
    if check and not allowed:
        raise PermissionDenied


def _stale(obj, version) -> None:
    if version is not None and int(version) != obj.version:
        raise ValidationError(
            _("Someone else changed this record in the meantime. Reload the page and try again.")
        )


def can_manage_campaign(actor, campaign: Campaign) -> bool:
    return policy.can(actor, Action.CAMPAIGN_MANAGE, campaign.organization)


def in_covered_subtree(campaign: Campaign, organization) -> bool:
    return organization.path.startswith(campaign.covered.path)


# ---------------------------------------------------------------- campaigns


@transaction.atomic
def campaign_create(*, actor, check: bool = True, **data) -> Campaign:
    campaign = Campaign(**{k: v for k, v in data.items() if k in CAMPAIGN_FIELDS})
    _guard(policy.can(actor, Action.CAMPAIGN_MANAGE, campaign.organization), check)
    campaign.full_clean()
    if not in_covered_subtree_org(campaign.organization, campaign.covered):
        raise ValidationError(
            {"covered": _("A campaign can only cover the issuing organization's own subtree.")}
        )
    campaign.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=campaign,
        changes=audit.snapshot(campaign, CAMPAIGN_FIELDS),
    )
    return campaign


def in_covered_subtree_org(issuer, covered) -> bool:
    return covered.path.startswith(issuer.path)


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, version=None, check: bool = True, **data):
    campaign = Campaign.objects.select_for_update(of=("self",)).get(pk=campaign.pk)
    _guard(can_manage_campaign(actor, campaign), check)
    _stale(campaign, version)
    before = audit.snapshot(campaign, CAMPAIGN_FIELDS)
    for key, value in data.items():
        if key in CAMPAIGN_FIELDS and key != "organization":
            setattr(campaign, key, value)
    campaign.full_clean()
    if not in_covered_subtree_org(campaign.organization, campaign.covered):
        raise ValidationError(
            {"covered": _("A campaign can only cover the issuing organization's own subtree.")}
        )
    outside = campaign.requirements.exclude(
        due_on__gte=campaign.starts_on, due_on__lte=campaign.ends_on
    )
    if outside.exists():
        raise ValidationError({"ends_on": _("Some requirements are due outside the new period.")})
    campaign.version += 1
    campaign.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        changes=audit.diff(before, audit.snapshot(campaign, CAMPAIGN_FIELDS)),
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
    check: bool = True,
) -> Requirement:
    _guard(can_manage_campaign(actor, campaign), check)
    requirement = Requirement(
        campaign=campaign,
        title=title,
        description=description,
        due_on=due_on,
        organization_kinds=list(organization_kinds or []),
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


@transaction.atomic
def activity_create(*, actor, check: bool = True, **data) -> Activity:
    activity = Activity(**{k: v for k, v in data.items() if k in ACTIVITY_FIELDS})
    _guard(policy.can(actor, Action.MEETING_MANAGE, activity.organization), check)
    activity.full_clean()
    activity.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=activity,
        changes=audit.snapshot(activity, ACTIVITY_FIELDS),
    )
    return activity


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
    if (
        activity.organization_id != organization.pk
        and not organization.path.startswith(activity.organization.path)
        and not activity.organization.path.startswith(organization.path)
    ):
        raise ValidationError(
            {"activity": _("The activity was not organized by this organization.")}
        )
    existing = (
        Submission.objects.select_for_update(of=("self",))
        .filter(requirement=requirement, organization=organization)
        .first()
    )
    if existing is not None and existing.status != Submission.Status.RETURNED:
        raise ValidationError(_("This requirement has already been reported."))
    submission = existing or Submission(requirement=requirement, organization=organization)
    submission.activity = activity
    submission.status = Submission.Status.REPORTED
    submission.reported_at = timezone.now()
    submission.full_clean()
    submission.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE if existing is None else AuditEvent.Action.UPDATE,
        obj=submission,
        changes={"status": Submission.Status.REPORTED, "activity": str(activity)},
    )
    return submission


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
    return _review(actor, submission, Submission.Status.ACCEPTED, (comment or "").strip(), check)


def ledger_export_audit(*, actor, campaign: Campaign) -> None:
    audit.record(actor=actor, action=AuditEvent.Action.EXPORT, obj=campaign, note="ledger.xlsx")
