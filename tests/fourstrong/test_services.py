"""The four-strong services: indicator systems, the cycle's steps, bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.fourstrong import services
from dangjian.fourstrong.models import (
    AssessmentStatus,
    Dimension,
    Indicator,
    IndicatorSystem,
    Score,
    Source,
    SystemStatus,
)

from .conftest import build_system

S = AssessmentStatus


def test_publish_refuses_weights_not_adding_up(office_staff):
    system = build_system(office_staff, publish=False)
    first = system.indicators.first()
    services.indicator_update(actor=office_staff, indicator=first, weight=Decimal("20"))
    with pytest.raises(ValidationError) as exc:
        services.system_publish(actor=office_staff, system=system)
    assert "95" in exc.value.messages[0] and "100" in exc.value.messages[0]
    system.refresh_from_db()
    assert system.status == SystemStatus.DRAFT


def test_computed_indicator_needs_its_key(office_staff):
    system = services.system_create(actor=office_staff, name="体系")
    with pytest.raises(ValidationError):
        services.indicator_add(
            actor=office_staff,
            system=system,
            dimension=Dimension.ROLE,
            name="计算指标",
            weight=Decimal(100),
            max_score=Decimal(10),
            source=Source.COMPUTED,
        )
    assert not system.indicators.exists()


def test_system_in_use_cannot_change_and_new_version_copies(cycle, office_staff):
    system = cycle.system
    indicator = system.indicators.first()
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(actor=office_staff, indicator=indicator, weight=Decimal(1))
    assert exc.value.messages[0] in (
        "该指标体系已被评定周期使用，不能修改；请创建新版本。",
        "This indicator system is used by an assessment cycle and cannot be changed; "
        "create a new version instead.",
    )
    with pytest.raises(ValidationError):
        services.indicator_add(
            actor=office_staff,
            system=system,
            dimension=Dimension.ROLE,
            name="新增",
            weight=Decimal(1),
            max_score=Decimal(1),
        )
    indicator.refresh_from_db()
    assert indicator.weight == Decimal(25)
    copy = services.system_new_version(actor=office_staff, system=system)
    assert copy.version_number == 2 and copy.status == SystemStatus.DRAFT
    assert copy.indicators.count() == system.indicators.count()
    services.indicator_update(
        actor=office_staff, indicator=copy.indicators.first(), name="政治学习（修订）"
    )
    # The cycle keeps the version it started with.
    assert cycle.system.indicators.filter(name="政治学习").exists()


def test_only_offices_manage_systems(branch_secretary):
    with pytest.raises(PermissionDenied):
        services.system_create(actor=branch_secretary, name="体系")
    assert not IndicatorSystem.objects.exists()


def test_cycle_needs_published_system(tree, office_staff):
    draft = build_system(office_staff, publish=False, name="草稿")
    with pytest.raises(ValidationError):
        services.cycle_start(
            actor=office_staff, year=2026, system=draft, scope=tree.orgs["committee"]
        )


def test_cycle_creates_assessments_with_suggestions(cycle, tree):
    branches = set(cycle.assessments.values_list("branch", flat=True))
    assert branches == {tree.orgs["branch"].pk, tree.orgs["other_branch"].pk}
    score = Score.objects.get(
        assessment__branch=tree.orgs["branch"], indicator__computed_key="life_compliance"
    )
    # No meetings held: the rules that apply are not met, a real 0 rather than "not available".
    assert score.suggested == Decimal("0.00") and score.self_score == Decimal("0.00")
    training = Score.objects.get(
        assessment__branch=tree.orgs["branch"], indicator__computed_key="training_hours"
    )
    # Members with no training hours yet: a real 0 as well.
    assert training.suggested == Decimal("0.00")


def test_task_on_time_computed(tree, office_staff, dangzu_office):
    from dangjian.fourstrong import computed
    from dangjian.tasks import services as task_services
    from dangjian.tasks.models import Task, TaskStatus

    today = datetime.date(timezone.localdate().year, 6, 30)
    branch = tree.orgs["branch"]
    assert computed.task_on_time(user=office_staff, branch=branch, year=today.year) is None
    for days, late in ((-5, False), (-3, True)):
        deadline = today + datetime.timedelta(days=days)
        task = task_services.task_create(
            actor=dangzu_office,
            title=f"任务{days}",
            organization=tree.orgs["root"],
            lead_organization=branch,
            deadline=deadline,
            today=today - datetime.timedelta(days=30),
        )
        closed_on = deadline + datetime.timedelta(days=2 if late else -1)
        closed_at = timezone.make_aware(datetime.datetime.combine(closed_on, datetime.time(12)))
        Task.objects.filter(pk=task.pk).update(status=TaskStatus.CLOSED, closed_at=closed_at)
    assert computed.task_on_time(user=office_staff, branch=branch, year=today.year) == 0.5


def _fill(assessment, actor, value="8"):
    services.self_assessment_save(
        actor=actor,
        assessment=assessment,
        scores={
            s.indicator_id: min(Decimal(value), s.indicator.max_score)
            for s in assessment.scores.select_related("indicator")
        },
        evidence={s.indicator_id: "见会议记录" for s in assessment.scores.all()},
    )


def test_score_out_of_range_is_refused_and_nothing_saved(assessment, branch_secretary):
    ids = list(assessment.scores.values_list("indicator_id", flat=True))
    before = dict(assessment.scores.values_list("indicator_id", "self_score"))
    with pytest.raises(ValidationError) as exc:
        services.self_assessment_save(
            actor=branch_secretary,
            assessment=assessment,
            scores={ids[0]: "7", ids[1]: "11"},
        )
    assert "10" in " ".join(exc.value.messages)
    assert dict(assessment.scores.values_list("indicator_id", "self_score")) == before
    with pytest.raises(ValidationError):
        services.self_assessment_save(
            actor=branch_secretary, assessment=assessment, scores={ids[0]: "-1"}
        )


def test_full_cycle_to_naming_and_revocation(
    assessment, branch_secretary, office_staff, member_user
):
    today = timezone.localdate()
    with pytest.raises(ValidationError):  # not every score given yet
        services.self_assessment_submit(actor=branch_secretary, assessment=assessment)
    _fill(assessment, branch_secretary)
    with pytest.raises(PermissionDenied):  # a member cannot submit for the branch
        services.self_assessment_submit(actor=member_user, assessment=assessment)
    services.self_assessment_submit(actor=branch_secretary, assessment=assessment)
    with pytest.raises(PermissionDenied):  # the branch does not recommend itself
        services.recommend(actor=branch_secretary, assessment=assessment)
    services.recommend(actor=office_staff, assessment=assessment, comment="同意推荐")
    first = assessment.scores.select_related("indicator").first()
    services.review(
        actor=office_staff, assessment=assessment, final_scores={first.indicator_id: "10"}
    )
    assessment.refresh_from_db()
    assert assessment.status == S.REVIEWED
    # 25 * 10/10 + 25*.8 + 25*.8 + 15*.8 + 10*1 (5 of 5)
    assert assessment.total == Decimal("87.00")
    with pytest.raises(ValidationError):
        services.notice_start(
            actor=office_staff,
            assessment=assessment,
            start=today,
            end=today - datetime.timedelta(days=1),
        )
    services.notice_start(
        actor=office_staff,
        assessment=assessment,
        start=today,
        end=today + datetime.timedelta(days=5),
    )
    objection = services.objection_add(actor=member_user, assessment=assessment, text="有异议")
    with pytest.raises(ValidationError):  # an unanswered objection blocks the decision
        services.decide(actor=office_staff, assessment=assessment, named=True)
    services.objection_answer(actor=office_staff, objection=objection, answer="已核实")
    services.decide(actor=office_staff, assessment=assessment, named=True)
    assessment.refresh_from_db()
    assert assessment.status == S.NAMED
    with pytest.raises(ValidationError):
        services.revoke(actor=office_staff, assessment=assessment, comment=" ")
    services.revoke(actor=office_staff, assessment=assessment, comment="复核发现问题")
    assessment.refresh_from_db()
    assert assessment.status == S.REVOKED
    steps = list(assessment.events.values_list("step", flat=True))
    assert steps == [
        "started",
        "submitted",
        "recommended",
        "reviewed",
        "public_notice",
        "objection",
        "objection_answered",
        "named",
        "revoked",
    ]
    assert assessment.events.get(step="named").actor == office_staff
    assert assessment.events.get(step="submitted").actor == branch_secretary
    assert assessment.events.get(step="objection").actor == member_user
    # Every decision says who and when.
    assert all(e.actor_name and e.at for e in assessment.events.all())
    assert AuditEvent.objects.filter(
        action="update", note__startswith="fourstrong.revoked"
    ).exists()


def test_objection_after_notice_period_is_refused(
    assessment, branch_secretary, office_staff, member_user
):
    today = timezone.localdate()
    _fill(assessment, branch_secretary)
    services.self_assessment_submit(actor=branch_secretary, assessment=assessment)
    services.recommend(actor=office_staff, assessment=assessment)
    services.review(actor=office_staff, assessment=assessment)
    services.notice_start(
        actor=office_staff,
        assessment=assessment,
        start=today - datetime.timedelta(days=10),
        end=today - datetime.timedelta(days=3),
    )
    with pytest.raises(ValidationError) as exc:
        services.objection_add(actor=member_user, assessment=assessment, text="迟到的异议")
    assert "不再受理异议" in exc.value.messages[0] or "no longer accepted" in exc.value.messages[0]
    assert not assessment.objections.exists()


def test_outsider_cannot_act_on_the_branch(assessment, outsider):
    with pytest.raises(PermissionDenied):
        services.self_assessment_save(actor=outsider, assessment=assessment, scores={})
    assert Indicator.objects.exists()
