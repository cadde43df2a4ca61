"""Fixtures for the four-strong evaluation: a published system (weights add up to 100,
with computed indicators) and a cycle over the organ committee (two branches)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dangjian.fourstrong import services
from dangjian.fourstrong.models import ComputedKey, Dimension, Source


def build_system(actor, *, publish=True, name="四强党支部指标体系"):
    system = services.system_create(actor=actor, name=name)
    rows = [
        (Dimension.POLITICAL, "政治学习", 25, 10, Source.REVIEWED, ""),
        (Dimension.LEADERSHIP, "组织生活", 25, 10, Source.COMPUTED, ComputedKey.LIFE_COMPLIANCE),
        (Dimension.MEMBERS, "第一议题学习", 25, 10, Source.COMPUTED, ComputedKey.STUDY_PROMPTNESS),
        (Dimension.ROLE, "任务按期完成", 15, 10, Source.COMPUTED, ComputedKey.TASK_ON_TIME),
        (Dimension.ROLE, "培训学时", 10, 5, Source.COMPUTED, ComputedKey.TRAINING_HOURS),
    ]
    for order, (dim, name_, weight, top, source, key) in enumerate(rows):
        services.indicator_add(
            actor=actor,
            system=system,
            dimension=dim,
            name=name_,
            weight=Decimal(weight),
            max_score=Decimal(top),
            rule="按规则评分",
            source=source,
            computed_key=key,
            order=order,
        )
    if publish:
        services.system_publish(actor=actor, system=system)
    return system


def start_cycle(tree, actor, year=None):
    from django.utils import timezone

    system = build_system(actor)
    return services.cycle_start(
        actor=actor,
        year=year or timezone.localdate().year,
        system=system,
        scope=tree.orgs["committee"],
    )


@pytest.fixture
def system(office_staff):
    return build_system(office_staff)


@pytest.fixture
def cycle(tree, office_staff):
    return start_cycle(tree, office_staff)


@pytest.fixture
def assessment(cycle, tree):
    return cycle.assessments.get(branch=tree.orgs["branch"])
