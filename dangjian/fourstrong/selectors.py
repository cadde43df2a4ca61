"""Reads of the four-strong evaluation, always starting from restricted querysets."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, QuerySet

from dangjian.access import policy
from dangjian.access.roles import Action

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


def history(*, user, assessment: Assessment) -> QuerySet[Assessment]:
    """The branch's assessments of other years (visible to the user)."""
    return (
        Assessment.objects.restrict(user, VIEW)
        .filter(branch=assessment.branch)
        .exclude(pk=assessment.pk)
        .select_related("cycle")
        .order_by("-cycle__year")
    )


def ranking(*, user, cycle: Cycle) -> list[dict]:
    """Assessments of the cycle by total (final scores), with per-dimension shares. Two queries."""
    assessments = list(assessment_list(user=user, cycle=cycle))
    scores = defaultdict(list)
    for score in Score.objects.filter(assessment__in=[a.pk for a in assessments]).select_related(
        "indicator"
    ):
        scores[score.assessment_id].append(score)
    rows = []
    for a in assessments:
        per = dimension_scores(scores[a.pk])
        rows.append(
            {
                "assessment": a,
                "total": a.total,
                "dimensions": [per[v]["final"] for v, _l in Dimension.choices],
            }
        )
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
