"""Four-strong branches: indicator systems, cycles, assessments and their steps.

The cycle runs over the organ committee (started by ``office_staff``); the
assessment every case opens is the one of ``branch``.
"""

from __future__ import annotations

from tests.test_url_matrix import Case, S

# fourstrong.view: the offices, branch secretaries and members; the platform
# administrator, security administrator and auditor have no four-strong action.
VIEWERS = S("office_staff", "dangzu_office", "branch_secretary", "member", "outsider")
BRANCH_VIEWERS = S("office_staff", "dangzu_office", "branch_secretary", "member")
CYCLE_VIEWERS = BRANCH_VIEWERS | S("outsider")  # outsider sees other_branch's assessment
SELF_ASSESSORS = S("branch_secretary")  # fourstrong.self_assess on the branch
REVIEWERS = S("office_staff")  # fourstrong.review on the committee (the cycle's scope)
SYSTEM_MANAGERS = S("office_staff")  # fourstrong.system_manage


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
    "fourstrong:system_list": Case(VIEWERS),
    "fourstrong:system_detail": Case(VIEWERS, {"pk": "fs_system:x"}),
    "fourstrong:cycle_list": Case(VIEWERS),
    "fourstrong:cycle_detail": Case(CYCLE_VIEWERS, {"pk": "fs_cycle:x"}),
    "fourstrong:ranking": Case(REVIEWERS, {"pk": "fs_cycle:x"}),
    "fourstrong:assessment_detail": Case(BRANCH_VIEWERS, A),
    "fourstrong:assessment_scores": Case(SELF_ASSESSORS, A, method="post"),
    "fourstrong:assessment_step": Case(SELF_ASSESSORS, {**A, "step": "submit"}, method="post"),
}

CASES.update(
    {
        "fourstrong:system_create": Case(SYSTEM_MANAGERS),
        "fourstrong:system_standard": Case(SYSTEM_MANAGERS, method="post"),
        "fourstrong:indicator_add": Case(SYSTEM_MANAGERS, {"pk": "fs_system:x"}),
        "fourstrong:system_action": Case(
            SYSTEM_MANAGERS, {"pk": "fs_system:x", "action": "new-version"}, method="post"
        ),
        "fourstrong:cycle_create": Case(REVIEWERS),
    }
)
