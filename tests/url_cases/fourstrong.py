"""Four-strong branches: indicator systems, cycles, assessments and their steps.

The cycle runs over the organ committee (started by ``office_staff``); the
assessment every case opens is the one of ``branch``.
"""

from __future__ import annotations

from tests.test_url_matrix import Case, S

ORG_VIEWERS = S(
    "admin",
    "office_staff",
    "dangzu_office",
    "branch_secretary",
    "member",
    "outsider",
    "security_admin",
)
BRANCH_VIEWERS = S(
    "admin", "office_staff", "dangzu_office", "branch_secretary", "member", "security_admin"
)
CYCLE_VIEWERS = BRANCH_VIEWERS | S("outsider")  # outsider sees other_branch's assessment
SELF_ASSESSORS = S("office_staff", "dangzu_office", "branch_secretary")  # meeting.manage
OFFICES = S("office_staff", "dangzu_office")  # task.supervise on the committee


def _cycle(tree, name):
    from dangjian.fourstrong.models import Cycle
    from tests.fourstrong.conftest import start_cycle

    found = Cycle.objects.first()
    return found or start_cycle(tree, tree.users["office_staff"])


def _cycle_pk(tree, name):
    return _cycle(tree, name).pk


def _system_pk(tree, name):
    return _cycle(tree, name).system_id


def _assessment_pk(tree, name):
    return _cycle(tree, name).assessments.get(branch=tree.orgs[name]).pk


RESOLVERS = {
    "fs_cycle": _cycle_pk,
    "fs_system": _system_pk,
    "fs_assessment": _assessment_pk,
}

A = {"pk": "fs_assessment:branch"}
CASES = {
    "fourstrong:system_list": Case(ORG_VIEWERS),
    "fourstrong:system_detail": Case(ORG_VIEWERS, {"pk": "fs_system:x"}),
    "fourstrong:cycle_list": Case(ORG_VIEWERS),
    "fourstrong:cycle_detail": Case(CYCLE_VIEWERS, {"pk": "fs_cycle:x"}),
    "fourstrong:ranking": Case(OFFICES, {"pk": "fs_cycle:x"}),
    "fourstrong:assessment_detail": Case(BRANCH_VIEWERS, A),
    "fourstrong:assessment_scores": Case(SELF_ASSESSORS, A, method="post"),
    "fourstrong:assessment_step": Case(SELF_ASSESSORS, {**A, "step": "submit"}, method="post"),
}

CASES.update(
    {
        "fourstrong:system_create": Case(OFFICES),
        "fourstrong:indicator_add": Case(OFFICES, {"pk": "fs_system:x"}),
        "fourstrong:system_action": Case(
            OFFICES, {"pk": "fs_system:x", "action": "new-version"}, method="post"
        ),
        "fourstrong:cycle_create": Case(OFFICES),
    }
)
