"""Reads of campaigns and the ledger, always from the user's restricted querysets."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.access.roles import Action
from dangjian.organizations.models import Organization

from .models import Activity, ActivityPhoto, Campaign, Presentation, Requirement, Submission


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


def activity_list(
    *,
    user,
    type: str = "",
    campaign: Campaign | None = None,
    root: Organization | None = None,
    date_from=None,
    date_to=None,
    q: str = "",
):
    """Activities the user may see, newest first, filtered; the counts shown on the list
    (presentations, photos) are annotated so a page is a fixed number of queries."""
    qs = (
        Activity.objects.restrict(user, Action.MEETING_VIEW)
        .select_related("organization", "campaign")
        .annotate(
            presentation_count=Count("presentations", distinct=True),
            photo_count=Count("photos", distinct=True),
        )
    )
    if type:
        # One event may be of several kinds; the JSON text holds each kind quoted.
        qs = qs.filter(Q(type=type) | Q(types__icontains=f'"{type}"'))
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if root is not None:
        qs = qs.filter(organization__path__startswith=root.path)
    if date_from:
        qs = qs.filter(held_on__gte=date_from)
    if date_to:
        qs = qs.filter(held_on__lte=date_to)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(theme__icontains=q))
    return qs.order_by("-held_on", "-id")


def activity_get(*, user, pk: int) -> Activity:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Activity.objects.restrict(user, Action.MEETING_VIEW).select_related(
            "organization", "campaign"
        ),
        pk=pk,
    )


def _of_visible_activity(model, user, pk: int):
    """A row hanging off an activity, reachable only through a visible activity (else 404)."""
    from django.shortcuts import get_object_or_404

    visible = Activity.objects.restrict(user, Action.MEETING_VIEW)
    return get_object_or_404(
        model.objects.filter(activity__in=visible).select_related(
            "activity", "activity__organization"
        ),
        pk=pk,
    )


def presentation_get(*, user, pk: int) -> Presentation:
    return _of_visible_activity(Presentation, user, pk)


def photo_get(*, user, pk: int) -> ActivityPhoto:
    return _of_visible_activity(ActivityPhoto, user, pk)


def presentations_of(activity: Activity):
    return activity.presentations.select_related(
        "organization", "unit", "recommended_by_unit", "source", "source__activity"
    ).order_by("order", "id")


def visible_campaigns(*, user):
    return Campaign.objects.restrict(user, Action.MEETING_VIEW).order_by("-starts_on", "id")


def reportable_requirements(*, user, activity: Activity) -> list[Requirement]:
    """Requirements the activity's organizer may report this activity against: of the
    campaigns visible to the user that cover the organizer, applying to its kind, not
    yet reported (or returned). Two queries."""
    org = activity.organization
    prefixes = [*org.ancestor_paths(), org.path]
    campaigns = visible_campaigns(user=user).filter(covered__path__in=prefixes)
    requirements = list(
        Requirement.objects.filter(campaign__in=campaigns)
        .select_related("campaign")
        .order_by("campaign__starts_on", "due_on", "id")
    )
    done = set(
        Submission.objects.filter(requirement__in=[r.pk for r in requirements], organization=org)
        .exclude(status=Submission.Status.RETURNED)
        .values_list("requirement_id", flat=True)
    )
    return [r for r in requirements if r.applies_to(org) and r.pk not in done]


def exemplary_cases(
    *,
    user,
    campaign: Campaign | None = None,
    capability: str = "",
    root: Organization | None = None,
):
    """Exemplary presentations and exemplary activities visible to the user: those of the
    activities in the user's scope and those of every campaign addressing part of the
    user's scope (cases travel down to every organization the campaign covers, read-only).

    Returns two querysets (presentations, activities), newest activity first."""
    campaigns = visible_campaigns(user=user)
    if campaign is not None:
        campaigns = campaigns.filter(pk=campaign.pk)
    if capability:
        ids = [
            c.pk
            for c in campaigns.only("pk", "capabilities")
            if capability in (c.capabilities or [])
        ]
        campaigns = campaigns.filter(pk__in=ids)
    own = Activity.objects.restrict(user, Action.MEETING_VIEW)
    if campaign is not None or capability:
        own = own.filter(campaign__in=campaigns)
    reach = Q(activity__in=own) | Q(activity__campaign__in=campaigns)
    presentations = Presentation.objects.filter(reach, exemplary=True)
    activities = Activity.objects.filter(Q(pk__in=own) | Q(campaign__in=campaigns), exemplary=True)
    if root is not None:
        presentations = presentations.filter(
            Q(organization__path__startswith=root.path)
            | Q(organization__isnull=True, activity__organization__path__startswith=root.path)
        )
        activities = activities.filter(organization__path__startswith=root.path)
    presentations = presentations.select_related(
        "organization",
        "unit",
        "recommended_by_unit",
        "activity",
        "activity__organization",
        "activity__campaign",
    ).order_by("-activity__held_on", "activity_id", "order", "id")
    activities = activities.select_related("organization", "campaign").order_by("-held_on", "-id")
    return presentations, activities


def openable_activity_ids(*, user, ids) -> set[int]:
    """Those of ``ids`` whose activity page the user may open (the organizer's scope)."""
    return set(
        Activity.objects.restrict(user, Action.MEETING_VIEW)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


def agenda_case_choices(*, user, activity: Activity):
    """Exemplary presentations the user may see, from other activities."""
    visible = Activity.objects.restrict(user, Action.MEETING_VIEW).exclude(pk=activity.pk)
    return (
        Presentation.objects.filter(exemplary=True, activity__in=visible)
        .select_related("organization", "unit", "activity")
        .order_by("-activity__held_on", "activity_id", "order", "id")
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
    # The meeting or training the organization recorded that meets the requirement, when
    # it is not reported yet: the ledger offers a one-click submit, never a second form.
    record: object | None = None

    @property
    def status(self) -> str:
        if not self.applies:
            return "na"
        if self.submission is not None:
            return self.submission.status
        return "ready" if self.record is not None else "missing"


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
    by_subtree: list[dict] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.accepted / self.applicable) if self.applicable else 0


def ledger(*, user, campaign: Campaign, today=None) -> Ledger:
    """Organizations in the user's scope and the campaign's subtree × requirements.

    Three queries whatever the number of rows: organizations, requirements, submissions
    (plus one each for the recorded meetings and trainings when a requirement is met by them).
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
        ).select_related("activity", "meeting", "training", "reviewer")
    }
    records = recorded_records(campaign=campaign, requirements=requirements, organizations=orgs)
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
            record = records.get((r.pk, org.pk)) if applies and sub is None else None
            row.cells.append(
                Cell(requirement=r, applies=applies, submission=sub, late=late, record=record)
            )
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
    by_subtree = _by_subtree(campaign, rows)
    return Ledger(
        by_subtree=by_subtree,
        campaign=campaign,
        requirements=requirements,
        rows=rows,
        per_requirement=per_requirement,
        applicable=sum(s["applicable"] for s in per_requirement),
        accepted=sum(s["accepted"] for s in per_requirement),
        reported=sum(s["reported"] for s in per_requirement),
    )


def recorded_records(*, campaign: Campaign, requirements, organizations) -> dict:
    """{(requirement id, organization id): the latest meeting or training the organization
    recorded in the campaign's period that meets the requirement}. At most two queries."""
    from dangjian.meetings.models import Meeting
    from dangjian.training.models import Training

    org_ids = [o.pk for o in organizations]
    found: dict = {}
    meeting_kinds = {r.meeting_kind for r in requirements if r.meeting_kind}
    if meeting_kinds and org_ids:
        latest: dict = {}
        for m in Meeting.objects.filter(
            organization_id__in=org_ids,
            kind__in=meeting_kinds,
            status=Meeting.Status.HELD,
            starts_at__date__gte=campaign.starts_on,
            starts_at__date__lte=campaign.ends_on,
        ).order_by("starts_at", "id"):
            latest[(m.kind, m.organization_id)] = m
        for r in requirements:
            if r.meeting_kind:
                for org_id in org_ids:
                    if (r.meeting_kind, org_id) in latest:
                        found[(r.pk, org_id)] = latest[(r.meeting_kind, org_id)]
    training_kinds = {r.training_kind for r in requirements if r.training_kind}
    if training_kinds and org_ids:
        # A training held by the organization or above it (the organ's special training
        # that the branches' members attended) is the one record for every branch.
        prefixes = {p for o in organizations for p in (*o.ancestor_paths(), o.path)}
        trainings = list(
            Training.objects.filter(
                organization__path__in=prefixes,
                kind__in=training_kinds,
                date__gte=campaign.starts_on,
                date__lte=campaign.ends_on,
            )
            .select_related("organization")
            .order_by("-date", "-id")
        )
        for r in requirements:
            if not r.training_kind:
                continue
            for o in organizations:
                match = next(
                    (
                        t
                        for t in trainings
                        if t.kind == r.training_kind and o.path.startswith(t.organization.path)
                    ),
                    None,
                )
                if match is not None:
                    found[(r.pk, o.pk)] = match
    return found


def _by_subtree(campaign: Campaign, rows: list[Row]) -> list[dict]:
    """Completion per child of the covered organization (its own row counts apart).

    Grouped from the ledger rows already loaded; a child not itself visible (only
    parts of it are in the user's scope) is named with one more query."""
    from dangjian.organizations.models import STEP

    top = campaign.covered.path
    width = len(top) + STEP
    groups: dict[str, dict] = {}
    for row in rows:
        key = row.organization.path[:width]
        group = groups.setdefault(
            key, {"path": key, "organization": None, "applicable": 0, "accepted": 0, "reported": 0}
        )
        if row.organization.path == key:
            group["organization"] = row.organization
        for cell in row.cells:
            if not cell.applies:
                continue
            group["applicable"] += 1
            if cell.status == Submission.Status.ACCEPTED:
                group["accepted"] += 1
            if cell.status in (Submission.Status.ACCEPTED, Submission.Status.REPORTED):
                group["reported"] += 1
    missing = [k for k, g in groups.items() if g["organization"] is None]
    if missing:
        for org in Organization.objects.filter(path__in=missing):
            groups[org.path]["organization"] = org
    result = []
    for key in sorted(groups):
        g = groups[key]
        if not g["applicable"] or g["organization"] is None:
            continue
        g["percent"] = round(100 * g["accepted"] / g["applicable"])
        g["reported_percent"] = round(100 * g["reported"] / g["applicable"])
        result.append(g)
    return result
