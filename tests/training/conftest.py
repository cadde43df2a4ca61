"""Fixtures of the training tests: trainings on the shared tree with hand-checkable hours."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dangjian.training import services


@pytest.fixture
def make_training(tree):
    def make(org="branch", hours="2", capabilities=("political",), title="专题培训", **kw):
        kw.setdefault("kind", "special_training")
        kw.setdefault("date", datetime.date(2026, 3, 1))
        return services.training_create(
            actor=None,
            organization=tree.orgs[org],
            title=title,
            hours=Decimal(hours),
            capabilities=list(capabilities),
            check=False,
            **kw,
        )

    return make


@pytest.fixture
def history(tree, make_training):
    """2026: T1 (committee, 3h, political+research): 李书记 3, 王党员 2, 钱同志 3;
    T2 (branch, 2h, political): 李书记 2, 赵预备 1.5. 2025: T3 (branch, 4h, mass work): 王党员 4."""
    m = tree.members
    t1 = make_training(
        org="committee", hours="3", capabilities=["research", "political"], title="调研能力专题培训"
    )
    services.attendance_set(
        actor=None,
        training=t1,
        entries=[(m["secretary"], None), (m["member"], "2"), (m["other"], None)],
        check=False,
    )
    t2 = make_training(hours="2", date=datetime.date(2026, 5, 10), title="专题党课")
    services.attendance_set(
        actor=None,
        training=t2,
        entries=[(m["secretary"], None), (m["probationary"], "1.5")],
        check=False,
    )
    t3 = make_training(
        hours="4", capabilities=["mass_work"], date=datetime.date(2025, 12, 31), title="往年培训"
    )
    services.attendance_set(actor=None, training=t3, entries=[(m["member"], None)], check=False)
    return {"t1": t1, "t2": t2, "t3": t3}
