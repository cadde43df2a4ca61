"""Fixtures for the implementation tasks: a task issued by the leading group,
led by the branch of ``branch_secretary`` (zhibu), with a responsible member."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dangjian.tasks import services


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def make_task(tree, dangzu_office, today):
    def make(**kw):
        kw.setdefault("actor", dangzu_office)
        kw.setdefault("title", "贯彻落实第一项要求")
        kw.setdefault("organization", tree.orgs["root"])
        kw.setdefault("deadline", today + datetime.timedelta(days=30))
        kw.setdefault("lead_organization", tree.orgs["branch"])
        kw.setdefault("lead_unit", tree.units["office"])
        return services.task_create(**kw)

    return make


@pytest.fixture
def task(make_task, tree):
    return make_task(responsible=tree.members["member"])
