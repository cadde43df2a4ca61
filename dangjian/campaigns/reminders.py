"""Reminders to organizations that have not reported a campaign requirement.

Two kinds per (requirement, organization): *due soon* — the due date is at
most ``CAMPAIGN_REMIND_DAYS_BEFORE`` days away — and *overdue* — it has passed
(up to ``CAMPAIGN_REMIND_OVERDUE_DAYS`` days ago, so an old campaign does not
flood a new installation). "Not reported" is no submission or a returned one.
The secretaries of the organization are notified (``meetings.reminders.
secretaries_of``: the holder of the secretary post and users granted the
branch secretary role on it).

Each (requirement, organization, kind) is reminded at most once: a
``CampaignReminder`` row is inserted first, in its own savepoint, and the
unique constraint decides which of two overlapping runs sends it. The daily
job (``tasks.send_campaign_reminders_task``, command ``send_campaign_reminders``)
and the ledger's "remind late organizations now" button write the same rows.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.core.notify import notify
from dangjian.organizations.models import Organization

from .models import Campaign, CampaignReminder, Requirement, Submission

logger = logging.getLogger(__name__)
Kind = CampaignReminder.Kind


def remind_days_before() -> int:
    return int(getattr(settings, "CAMPAIGN_REMIND_DAYS_BEFORE", 3))


def overdue_window_days() -> int:
    return int(getattr(settings, "CAMPAIGN_REMIND_OVERDUE_DAYS", 30))


def unreported(requirement: Requirement, organizations=None) -> list[Organization]:
    """Active organizations of the campaign's covered subtree the requirement applies to
    that have no submission or a returned one (two queries)."""
    campaign = requirement.campaign
    orgs = Organization.objects.active().filter(path__startswith=campaign.covered.path)
    if requirement.organization_kinds:
        orgs = orgs.filter(kind__in=requirement.organization_kinds)
    if organizations is not None:
        orgs = orgs.filter(pk__in=[o.pk for o in organizations])
    done = set(
        Submission.objects.filter(requirement=requirement)
        .exclude(status=Submission.Status.RETURNED)
        .values_list("organization_id", flat=True)
    )
    return [o for o in orgs.order_by("path") if o.pk not in done]


def _message(requirement: Requirement, org, kind: str, today: datetime.date):
    campaign = requirement.campaign
    if kind == Kind.OVERDUE:
        title = _("%(org)s: “%(title)s” is overdue") % {
            "org": org.name,
            "title": requirement.title[:80],
        }
        body = _(
            "%(campaign)s asked for “%(title)s” by %(due)s (%(days)s day(s) ago). "
            "Record the activity and report it on the ledger."
        ) % {
            "campaign": campaign.name,
            "title": requirement.title,
            "due": requirement.due_on.isoformat(),
            "days": (today - requirement.due_on).days,
        }
    else:
        title = _("%(org)s: “%(title)s” is due soon") % {
            "org": org.name,
            "title": requirement.title[:80],
        }
        body = _(
            "%(campaign)s asks for “%(title)s” by %(due)s (in %(days)s day(s)). "
            "Record the activity and report it on the ledger."
        ) % {
            "campaign": campaign.name,
            "title": requirement.title,
            "due": requirement.due_on.isoformat(),
            "days": (requirement.due_on - today).days,
        }
    return title, body


def remind_requirement(requirement: Requirement, kind: str, today: datetime.date) -> int:
    """Remind every unreported organization of ``requirement`` not yet reminded of ``kind``."""
    from dangjian.meetings.reminders import secretaries_of

    reminded = set(
        CampaignReminder.objects.filter(requirement=requirement, kind=kind).values_list(
            "organization_id", flat=True
        )
    )
    late = [o for o in unreported(requirement) if o.pk not in reminded]
    if not late:
        return 0
    recipients = secretaries_of([o.pk for o in late])
    url = reverse("campaigns:ledger", args=[requirement.campaign_id])
    sent = 0
    with translation.override("zh-hans"):
        for org in late:
            try:
                with transaction.atomic():
                    CampaignReminder.objects.create(
                        requirement=requirement, organization=org, kind=kind
                    )
                    title, body = _message(requirement, org, kind, today)
                    notify(users=recipients.get(org.pk, []), title=title, body=body, url=url)
            except IntegrityError:
                continue  # reminded meanwhile by another run
            sent += 1
    return sent


def send_campaign_reminders(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily run: returns how many (requirement, organization) reminders of each kind."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=remind_days_before())
    oldest = today - datetime.timedelta(days=overdue_window_days())
    sent = {Kind.DUE_SOON.value: 0, Kind.OVERDUE.value: 0}
    requirements = (
        Requirement.objects.filter(due_on__gte=oldest, due_on__lte=horizon)
        .select_related("campaign", "campaign__covered")
        .order_by("due_on", "id")
    )
    for requirement in requirements:
        kind = Kind.OVERDUE if requirement.due_on < today else Kind.DUE_SOON
        sent[kind.value] += remind_requirement(requirement, kind, today)
    logger.info("campaign reminders for %s: %s", today.isoformat(), sent)
    return sent


def remind_late_now(campaign: Campaign, *, today: datetime.date | None = None) -> int:
    """Overdue reminders for one campaign at once (the ledger's button)."""
    today = today or timezone.localdate()
    total = 0
    requirements = campaign.requirements.filter(due_on__lt=today).select_related(
        "campaign", "campaign__covered"
    )
    for requirement in requirements.order_by("due_on", "id"):
        total += remind_requirement(requirement, Kind.OVERDUE, today)
    return total
