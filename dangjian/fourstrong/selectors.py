"""Reads of the four-strong evaluation, always starting from restricted querysets."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.organizations.models import STEP, Organization

from .models import Assessment, Cycle, Dimension, IndicatorSystem, Score

VIEW = Action.FOURSTRONG_VIEW


def system_list(*, user) -> QuerySet[IndicatorSystem]:
    """Indicator systems are platform-wide rules: anyone who may view the evaluation reads them."""
    if not policy.has_action(user, VIEW):
        return IndicatorSystem.objects.none()
    return IndicatorSystem.objects.annotate(
        indicator_count=Count("indicators", distinct=True),
        cycle_count=Count("cycles", distinct=True),
    ).order_by("name", "-version_number")


def indicators_by_dimension(system: IndicatorSystem) -> list[tuple[str, list]]:
    grouped = defaultdict(list)
    for indicator in system.indicators.all():
        grouped[indicator.dimension].append(indicator)
    return [(label, grouped.get(value, [])) for value, label in Dimension.choices]


def cycle_list(*, user) -> QuerySet[Cycle]:
    return Cycle.objects.restrict(user, VIEW).select_related("system", "scope")


def assessment_list(*, user, cycle: Cycle) -> QuerySet[Assessment]:
    return (
        Assessment.objects.restrict(user, VIEW)
        .filter(cycle=cycle)
        .select_related("branch", "branch__parent")
        .order_by("branch__path")
    )


def assessment_detail_queryset(*, user) -> QuerySet[Assessment]:
    return Assessment.objects.restrict(user, VIEW).select_related(
        "cycle__system", "cycle__scope", "branch__parent"
    )


def _percent(got: Decimal, weight: Decimal) -> float | None:
    return round(float(got / weight * 100), 1) if weight else None


def dimension_scores(scores) -> dict[str, dict[str, float | None]]:
    """{dimension: {"self": %, "final": %}} — the weighted share of each dimension reached."""
    sums = {d: {"weight": Decimal(0), "self": Decimal(0), "final": Decimal(0)} for d in Dimension}
    for score in scores:
        ind = score.indicator
        row = sums[ind.dimension]
        row["weight"] += ind.weight
        if score.self_score is not None:
            row["self"] += score.self_score / ind.max_score * ind.weight
        if score.final_score is not None:
            row["final"] += score.final_score / ind.max_score * ind.weight
    return {
        d.value: {
            "self": _percent(row["self"], row["weight"]),
            "final": _percent(row["final"], row["weight"]),
        }
        for d, row in sums.items()
    }


def radar_data(scores) -> dict:
    per = dimension_scores(scores)
    return {
        "indicators": [{"name": str(label), "max": 100} for _v, label in Dimension.choices],
        "self": [per[v]["self"] or 0 for v, _l in Dimension.choices],
        "final": [per[v]["final"] or 0 for v, _l in Dimension.choices],
    }


def final_shares(assessments) -> dict[int, list[float | None]]:
    """{assessment id: final share (%) per dimension, in Dimension order}. One query."""
    scores = defaultdict(list)
    for score in Score.objects.filter(assessment__in=[a.pk for a in assessments]).select_related(
        "indicator"
    ):
        scores[score.assessment_id].append(score)
    result = {}
    for a in assessments:
        per = dimension_scores(scores[a.pk])
        result[a.pk] = [per[v]["final"] for v, _l in Dimension.choices]
    return result


def branch_history(*, user, assessment: Assessment) -> list[dict]:
    """The branch's assessments across cycles (oldest first, this one included) with the
    total and the final share per dimension. Two queries whatever the number of years."""
    assessments = list(
        Assessment.objects.restrict(user, VIEW)
        .filter(branch_id=assessment.branch_id)
        .select_related("cycle")
        .order_by("cycle__year", "cycle_id")
    )
    shares = final_shares(assessments)
    return [
        {"assessment": a, "current": a.pk == assessment.pk, "dimensions": shares[a.pk]}
        for a in assessments
    ]


def history_chart(rows: list[dict]) -> dict:
    """The data of the history chart: per year the total and the dimensions' final shares."""
    return {
        "years": [str(r["assessment"].cycle.year) for r in rows],
        "total": [
            float(r["assessment"].total) if r["assessment"].total is not None else None
            for r in rows
        ],
        "dimensions": [
            {"name": str(label), "data": [r["dimensions"][i] for r in rows]}
            for i, (_v, label) in enumerate(Dimension.choices)
        ],
    }


def ranking(*, user, cycle: Cycle) -> list[dict]:
    """Assessments of the cycle by total (final scores), with per-dimension shares. Two queries."""
    assessments = list(assessment_list(user=user, cycle=cycle))
    shares = final_shares(assessments)
    rows = [{"assessment": a, "total": a.total, "dimensions": shares[a.pk]} for a in assessments]
    rows.sort(key=lambda r: (r["total"] is None, -(r["total"] or 0), r["assessment"].branch.path))
    return rows


def status_distribution(rows: list[dict]) -> list[tuple[str, int]]:
    """How many branches are at each status, by the superior organization."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        a = row["assessment"]
        parent = str(a.branch.parent) if a.branch.parent_id else "—"
        counts[parent][a.get_status_display()] += 1
    return [(parent, dict(c)) for parent, c in sorted(counts.items())]


# Score bands of the distribution: (lowest total, label); a total belongs to the first
# band whose lowest total it reaches. Unscored assessments have their own column.
SCORE_BANDS = (
    (Decimal(90), _("90 and above")),
    (Decimal(80), _("80 to 89.99")),
    (Decimal(70), _("70 to 79.99")),
    (Decimal(60), _("60 to 69.99")),
    (Decimal(0), _("below 60")),
)


def _band(total: Decimal | None) -> int:
    if total is None:
        return len(SCORE_BANDS)
    for i, (low, _label) in enumerate(SCORE_BANDS):
        if total >= low:
            return i
    return len(SCORE_BANDS) - 1


def score_distribution(*, cycle: Cycle, rows: list[dict]) -> dict:
    """Counts per score band for each child organization of the cycle's scope (branches
    directly under the scope form their own group). ``rows`` come from :func:`ranking`,
    so only assessments in the user's scope are counted. One query (the children)."""
    scope = cycle.scope
    cut = len(scope.path) + STEP
    children = {
        o.path: o
        for o in Organization.objects.filter(parent=scope).only("id", "name", "path", "parent")
    }
    labels = [str(label) for _low, label in SCORE_BANDS] + [str(_("not scored yet"))]
    groups: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for row in rows:
        branch = row["assessment"].branch
        if branch.parent_id == scope.pk or branch.path[:cut] not in children:
            key, name = scope.path, _("directly under %(org)s") % {"org": scope.name}
        else:
            key, name = branch.path[:cut], children[branch.path[:cut]].name
        names[key] = str(name)
        groups.setdefault(key, [0] * len(labels))[_band(row["total"])] += 1
    ordered = sorted(groups)
    return {
        "bands": labels,
        "groups": [
            {"name": names[k], "counts": groups[k], "total": sum(groups[k])} for k in ordered
        ],
        "series": [
            {"name": label, "data": [groups[k][i] for k in ordered]}
            for i, label in enumerate(labels)
        ],
        "categories": [names[k] for k in ordered],
    }
