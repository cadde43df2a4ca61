"""Who may do which step of the four-strong evaluation (四强党支部).

Each step has its own action in ``access/roles.py``; this table is the policy in
one place. The cycle runs over the organ committee; the assessment is the one of
``branch`` (whose parent, the superior committee, is the organ committee).

| step | action | who |
| --- | --- | --- |
| read the assessment | fourstrong.view | offices, the branch's secretary and members |
| self-assess and submit | fourstrong.self_assess (branch) | the branch secretary |
| recommend / send back | fourstrong.recommend (branch's parent) | organ office above it |
| review, notice, answer, name, revoke | fourstrong.review (cycle scope) | organ office |
| start a cycle | fourstrong.review (scope) | organ office |
| indicator systems | fourstrong.system_manage | organ office |
| raise an objection | fourstrong.object (branch) | the branch's members and secretary |

The platform administrator, security administrator and auditor do none of them;
the leading-group office (党组办公室) only reads.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dangjian.access import policy
from dangjian.access.roles import ROLE_ACTIONS, Action, Role
from dangjian.fourstrong import services
from dangjian.fourstrong.models import Assessment, AssessmentStatus, IndicatorSystem
from tests.fourstrong.conftest import start_cycle
from tests.test_url_matrix import PERSONAS

STEPS = {
    "view": {"office_staff", "dangzu_office", "branch_secretary", "member"},
    "self_assess": {"branch_secretary"},
    "recommend": {"office_staff"},
    "review": {"office_staff"},
    "start_cycle": {"office_staff"},
    "system_manage": {"office_staff"},
    "object": {"branch_secretary", "member"},
}

WRITE_ACTIONS = {
    Action.FOURSTRONG_SELF_ASSESS,
    Action.FOURSTRONG_RECOMMEND,
    Action.FOURSTRONG_REVIEW,
    Action.FOURSTRONG_SYSTEM_MANAGE,
    Action.FOURSTRONG_OBJECT,
}


def _may(step, user, assessment, tree):
    if step == "view":
        return Assessment.objects.restrict(user, Action.FOURSTRONG_VIEW).contains(assessment)
    if step == "self_assess":
        return services.can_self_assess(user, assessment)
    if step == "recommend":
        return services.can_recommend(user, assessment)
    if step == "review":
        return services.can_review(user, assessment)
    if step == "start_cycle":
        return services.can_start_cycle(user, tree.orgs["committee"])
    if step == "system_manage":
        return services.can_manage_systems(user)
    if step == "object":
        return services.can_object(user, assessment)
    raise AssertionError(step)


@pytest.fixture
def assessment(tree):
    cycle = start_cycle(tree, tree.users["office_staff"])
    return cycle.assessments.select_related("branch__parent", "cycle__scope").get(
        branch=tree.orgs["branch"]
    )


def test_who_may_do_which_step(tree, assessment):
    found = {
        step: {p for p in PERSONAS if _may(step, tree.users[p], assessment, tree)} for step in STEPS
    }
    assert found == STEPS


def test_separated_roles_have_no_four_strong_write_action():
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR):
        assert not (ROLE_ACTIONS[role] & WRITE_ACTIONS), role
    # The leading-group office reads; it takes no step of the organ committee's evaluation.
    assert not (ROLE_ACTIONS[Role.LEADING_GROUP_OFFICE] & WRITE_ACTIONS)


def test_recommendation_needs_the_grant_above_the_branch(tree, assessment):
    """An organ office granted on the branch itself is not its superior committee."""
    from tests.factories import make_user

    on_branch = make_user("branch_office", role=Role.ORGAN_OFFICE, organization=tree.orgs["branch"])
    assert policy.can(on_branch, Action.FOURSTRONG_RECOMMEND, tree.orgs["branch"])
    assert not services.can_recommend(on_branch, assessment)


def _fill(assessment, secretary):
    services.self_assessment_save(
        actor=secretary,
        assessment=assessment,
        scores={
            s.indicator_id: s.indicator.max_score
            for s in assessment.scores.select_related("indicator")
        },
    )


def test_the_services_refuse_every_other_persona(tree, assessment):
    """The services guard each step themselves, whatever the page shows."""
    users = tree.users
    today = timezone.localdate()
    refused = lambda step: [users[p] for p in PERSONAS if p not in STEPS[step]]  # noqa: E731

    for user in refused("self_assess"):
        with pytest.raises(PermissionDenied):
            services.self_assessment_save(actor=user, assessment=assessment, scores={})
    _fill(assessment, users["branch_secretary"])
    for user in refused("self_assess"):
        with pytest.raises(PermissionDenied):
            services.self_assessment_submit(actor=user, assessment=assessment)
    services.self_assessment_submit(actor=users["branch_secretary"], assessment=assessment)

    for user in refused("recommend"):
        with pytest.raises(PermissionDenied):
            services.recommend(actor=user, assessment=assessment)
    services.recommend(actor=users["office_staff"], assessment=assessment)

    for user in refused("review"):
        with pytest.raises(PermissionDenied):
            services.review(actor=user, assessment=assessment)
    services.review(actor=users["office_staff"], assessment=assessment)
    end = today + datetime.timedelta(days=5)
    for user in refused("review"):
        with pytest.raises(PermissionDenied):
            services.notice_start(actor=user, assessment=assessment, start=today, end=end)
    services.notice_start(actor=users["office_staff"], assessment=assessment, start=today, end=end)

    for user in refused("object"):
        with pytest.raises(PermissionDenied):
            services.objection_add(actor=user, assessment=assessment, text="异议")
    objection = services.objection_add(actor=users["member"], assessment=assessment, text="异议")
    for user in refused("review"):
        with pytest.raises(PermissionDenied):
            services.objection_answer(actor=user, objection=objection, answer="答复")
        with pytest.raises(PermissionDenied):
            services.decide(actor=user, assessment=assessment, named=True)
    services.objection_answer(actor=users["office_staff"], objection=objection, answer="已核实")
    services.decide(actor=users["office_staff"], assessment=assessment, named=True)
    for user in refused("review"):
        with pytest.raises(PermissionDenied):
            services.revoke(actor=user, assessment=assessment, comment="复核")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.NAMED

    for user in refused("system_manage"):
        with pytest.raises(PermissionDenied):
            services.system_create(actor=user, name=f"体系{user.pk}")
    for user in refused("start_cycle"):
        with pytest.raises(PermissionDenied):
            services.cycle_start(
                actor=user,
                year=today.year + 1,
                system=assessment.cycle.system,
                scope=tree.orgs["committee"],
            )
    assert IndicatorSystem.objects.count() == 1
