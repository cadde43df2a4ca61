"""Training pages: list, record/edit, attendance, the hours overview and its export."""

from __future__ import annotations

import datetime

from tests.test_url_matrix import Case, S

VIEWERS = S("office_staff", "dangzu_office", "branch_secretary", "member", "outsider")
BRANCH_VIEWERS = S("office_staff", "dangzu_office", "branch_secretary", "member")
MANAGERS = S("office_staff", "dangzu_office", "branch_secretary", "outsider")
BRANCH_MANAGERS = S("office_staff", "dangzu_office", "branch_secretary")
TRAINING = "training:branch"


def _training(tree, name):
    from dangjian.training import services
    from dangjian.training.models import Training

    org = tree.orgs[name]
    found = Training.objects.filter(organization=org, title="矩阵测试培训").first()
    if found:
        return found.pk
    return services.training_create(
        actor=None,
        organization=org,
        kind="lecture",
        title="矩阵测试培训",
        date=datetime.date(2026, 3, 1),
        hours="2",
        capabilities=["political"],
        check=False,
    ).pk


RESOLVERS = {"training": _training}

CASES = {
    "training:training_list": Case(VIEWERS),
    "training:training_create": Case(MANAGERS),
    "training:training_detail": Case(BRANCH_VIEWERS, {"pk": TRAINING}),
    "training:training_update": Case(BRANCH_MANAGERS, {"pk": TRAINING}),
    "training:attendance_update": Case(BRANCH_MANAGERS, {"pk": TRAINING}),
    "training:overview": Case(VIEWERS),
    "training:overview_export": Case(VIEWERS),
}
