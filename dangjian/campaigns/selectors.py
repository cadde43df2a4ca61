"""Reads of campaigns and the ledger, always from the user's restricted querysets."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.access.roles import Action
from dangjian.organizations.models import Organization

from .models import Activity, Campaign, Requirement, Submission


def campaign_list(*, user, search: str = ""):
    qs = (
        Campaign.objects.restrict(user, Action.MEETING_VIEW)
        .select_related("organization", "covered", "parent")
        .annotate(requirement_count=Count("requirements", distinct=True))
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(goals__icontains=search))
    return qs.order_by("-starts_on", "id")


def campaign_get(*, user, pk: int) -> Campaign:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Campaign.objects.restrict(user, Action.MEETING_VIEW).select_related(
            "organization", "covered", "parent"
        ),
        pk=pk,
    )


def activity_choices(*, user, organization):
    """Activities an organization may report: its own and those organized above it."""
    return (
        Activity.objects.restrict(user, Action.MEETING_VIEW)
        .filter(organization__path__in=[*organization.ancestor_paths(), organization.path])
        .select_related("organization")
        .order_by("-held_on", "-id")
    )


@dataclass
class Cell:
    requirement: Requirement
    applies: bool
    submission: Submission | None = None
    late: bool = False

    @property
    def status(self) -> str:
        if not self.applies:
            return "na"
        return self.submission.status if self.submission else "missing"


@dataclass
class Row:
    organization: Organization
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Ledger:
    campaign: Campaign
    requirements: list[Requirement]
    rows: list[Row]
    per_requirement: list[dict]
    applicable: int
    accepted: int
    reported: int

    @property
    def percent(self) -> int:
        return round(100 * self.accepted / self.applicable) if self.applicable else 0


def ledger(*, user, campaign: Campaign, today=None) -> Ledger:
    """Organizations in the user's scope and the campaign's subtree × requirements.

    Three queries whatever the number of rows: organizations, requirements, submissions.
    """
    today = today or timezone.localdate()
    requirements = list(campaign.requirements.order_by("due_on", "id"))
    kinds: set[str] = set()
    for r in requirements:
        if not r.organization_kinds:
            kinds = set()
            break
        kinds.update(r.organization_kinds)
    orgs_qs = (
        Organization.objects.restrict(user, Action.MEETING_VIEW)
        .active()
        .filter(path__startswith=campaign.covered.path)
        .order_by("path")
    )
    if kinds and all(r.organization_kinds for r in requirements):
        orgs_qs = orgs_qs.filter(kind__in=kinds)
    orgs = list(orgs_qs)
    submissions = {
        (s.requirement_id, s.organization_id): s
        for s in Submission.objects.filter(
            requirement__campaign=campaign, organization__in=[o.pk for o in orgs]
        ).select_related("activity", "reviewer")
    }
    stats = {
        r.pk: {"requirement": r, "applicable": 0, "accepted": 0, "reported": 0}
        for r in requirements
    }
    rows = []
    for org in orgs:
        row = Row(organization=org)
        for r in requirements:
            applies = r.applies_to(org)
            sub = submissions.get((r.pk, org.pk)) if applies else None
            late = (
                applies
                and r.due_on < today
                and (sub is None or sub.status == Submission.Status.RETURNED)
            )
            row.cells.append(Cell(requirement=r, applies=applies, submission=sub, late=late))
            if applies:
                stats[r.pk]["applicable"] += 1
                if sub is not None and sub.status == Submission.Status.ACCEPTED:
                    stats[r.pk]["accepted"] += 1
                if sub is not None and sub.status != Submission.Status.RETURNED:
                    stats[r.pk]["reported"] += 1
        rows.append(row)
    for s in stats.values():
        s["percent"] = round(100 * s["accepted"] / s["applicable"]) if s["applicable"] else 0
    per_requirement = [stats[r.pk] for r in requirements]
    return Ledger(
        campaign=campaign,
        requirements=requirements,
        rows=rows,
        per_requirement=per_requirement,
        applicable=sum(s["applicable"] for s in per_requirement),
        accepted=sum(s["accepted"] for s in per_requirement),
        reported=sum(s["reported"] for s in per_requirement),
    )
