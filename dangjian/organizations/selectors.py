"""Reads of the organization tree, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr

from dangjian.access import policy
from dangjian.access.roles import Action

from .models import STEP, Organization, OrganizationKind


@dataclass(frozen=True)
class SubtreeTotals:
    organizations: int
    branches: int
    members: int
    probationary: int

    @property
    def full(self) -> int:
        return self.members - self.probationary


def organization_list(*, user, action: str = Action.ORG_VIEW) -> QuerySet[Organization]:
    return Organization.objects.restrict(user, action)


def organization_get(*, user, pk, action: str = Action.ORG_VIEW) -> Organization:
    return organization_list(user=user, action=action).select_related("parent", "unit").get(pk=pk)


def organization_roots(*, user, include_dissolved: bool = False) -> list[Organization]:
    """The topmost organizations the user can see: the tree page starts here."""
    paths = policy.paths_for(user, Action.ORG_VIEW)
    qs = Organization.objects.all() if include_dissolved else Organization.objects.active()
    if paths is None:
        qs = qs.filter(parent__isnull=True)
    else:
        qs = qs.filter(path__in=policy._outermost(paths))
    roots = list(qs.select_related("unit").order_by("sort_order", "path"))
    _attach_totals(roots)
    return roots


# Children shown at once in the tree and on an organization's page; a node of the
# 1M-member benchmark has 3,620 children, which would be a megabyte of HTML.
CHILDREN_PAGE = 200


def organization_children(
    *,
    user,
    organization: Organization,
    include_dissolved: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[Organization]:
    """Direct children visible to the user, each with its subtree totals (two queries).

    With ``limit``, one slice of them; the list then carries ``remaining``, the
    number of children after the slice (one more query).
    """
    qs = organization_list(user=user).filter(parent=organization).select_related("unit")
    if not include_dissolved:
        qs = qs.active()
    qs = qs.order_by("sort_order", "name", "pk")
    if limit is None:
        children = ChildList(qs)
    else:
        children = ChildList(qs[offset : offset + limit])
        shown = offset + len(children)
        children.next_offset = shown
        children.remaining = max(qs.count() - shown, 0) if len(children) == limit else 0
    _attach_totals(children)
    return children


class ChildList(list):
    """A list of children that knows how many follow it (``remaining``)."""

    remaining = 0
    next_offset = 0


# Above this many organizations of one depth, totals are read per parent range.
MANY_SIBLINGS = 50


def _attach_totals(orgs: list[Organization]) -> None:
    """Set ``subtree`` (SubtreeTotals) on each org with one grouped query per depth."""
    by_depth: dict[int, list[Organization]] = {}
    for org in orgs:
        by_depth.setdefault(org.depth, []).append(org)
    for depth, group in by_depth.items():
        length = (depth + 1) * STEP
        q = Q(pk__in=[])
        if len(group) > MANY_SIBLINGS:
            # Thousands of siblings: one range per parent instead of one LIKE per
            # child (benchmarks/README.md, "children with totals").
            for parent_path in {org.path[:-STEP] for org in group}:
                q |= Q(path__startswith=parent_path, depth__gte=depth)
        else:
            for org in group:
                q |= Q(path__startswith=org.path)
        rows = (
            Organization.objects.active()
            .filter(q)
            .annotate(prefix=Substr("path", 1, length))
            .values("prefix")
            .annotate(
                organizations=Count("id"),
                branches=Count("id", filter=Q(kind=OrganizationKind.BRANCH)),
                members=Sum("member_count", default=0),
                probationary=Sum("probationary_count", default=0),
                has_children=Count("id", filter=Q(depth__gt=depth)),
            )
        )
        totals = {r.pop("prefix"): r for r in rows}
        for org in group:
            row = totals.get(org.path, {})
            org.has_children = bool(row.get("has_children"))
            org.subtree = SubtreeTotals(
                organizations=max(row.get("organizations", 1) - 1, 0),
                branches=row.get("branches", 0),
                members=row.get("members", 0),
                probationary=row.get("probationary", 0),
            )


def organization_totals(*, organization: Organization) -> SubtreeTotals:
    """Counts of the whole subtree below ``organization`` (one indexed query)."""
    _attach_totals([organization])
    return organization.subtree


def organization_ancestors(*, user, organization: Organization) -> list[Organization]:
    """The breadcrumb: ancestors the user may see, root first."""
    return list(
        organization_list(user=user)
        .filter(path__in=organization.ancestor_paths())
        .order_by("depth")
    )


def organization_search(*, user, query: str, limit: int = 50) -> list[Organization]:
    """Organizations whose name contains ``query``, each with its ancestors' names."""
    query = query.strip()
    if not query:
        return []
    found = list(
        organization_list(user=user)
        .filter(Q(name__icontains=query) | Q(short_name__icontains=query))
        .select_related("unit")
        .order_by("depth", "path")[:limit]
    )
    wanted = {p for org in found for p in org.ancestor_paths()}
    names = dict(organization_list(user=user).filter(path__in=wanted).values_list("path", "name"))
    for org in found:
        org.trail = [names[p] for p in org.ancestor_paths() if p in names]
    return found


def organization_choices(*, user, action: str, kinds=None) -> QuerySet[Organization]:
    """Organizations a form may offer for ``action`` (pickers are scoped too)."""
    qs = Organization.objects.restrict(user, action).active().order_by("path")
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs
