"""Fixtures of the meetings tests: meetings on the shared tree, a topic of the library."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.utils import timezone

from dangjian.meetings import services
from dangjian.meetings.models import LifeRule
from dangjian.study.models import Topic


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def make_meeting(tree):
    def make(org="branch", kind="branch_committee", starts_at=None, title="支部委员会会议", **kw):
        return services.meeting_create(
            actor=None,
            organization=tree.orgs[org],
            kind=kind,
            title=title,
            starts_at=starts_at or timezone.now() - datetime.timedelta(minutes=5),
            check=False,
            **kw,
        )

    return make


@pytest.fixture
def topic(db):
    return Topic.objects.create(
        kind="speech",
        title="在中央政治局集体学习时的重要讲话",
        speaker="习近平",
        given_on=datetime.date(2026, 11, 20),
        text="全文",
    )


def ensure_default_rules() -> None:
    """The rules of the data migration: a transactional test (the browser tests) run earlier
    in the session empties every table, data migrations' rows included."""
    migration = importlib.import_module("dangjian.meetings.migrations.0002_default_life_rules")
    for kind, org_kinds, period, count, note in migration.DEFAULT_RULES:
        LifeRule.objects.get_or_create(
            meeting_kind=kind,
            period=period,
            defaults={"organization_kinds": org_kinds, "min_count": count, "note": note},
        )


@pytest.fixture(autouse=True)
def life_rules(db):
    ensure_default_rules()
