"""Bad input of the four-strong evaluation: each refused with a clear Chinese message,
nothing saved (no score, no step, no event, no audit row)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from dangjian.core.models import AuditEvent
from dangjian.fourstrong import services
from dangjian.fourstrong.models import AssessmentStatus, Dimension, Source
from tests.factories import PASSWORD

from .conftest import build_system

S = AssessmentStatus


def _refused(call) -> list[str]:
    """The messages of the ValidationError ``call`` raises, in Chinese."""
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        call()
    return exc.value.messages


def _recommended(assessment, secretary, office):
    services.self_assessment_save(
        actor=secretary,
        assessment=assessment,
        scores={
            s.indicator_id: s.indicator.max_score / 2
            for s in assessment.scores.select_related("indicator")
        },
    )
    services.self_assessment_submit(actor=secretary, assessment=assessment)
    services.recommend(actor=office, assessment=assessment)
    assessment.refresh_from_db()
    return assessment


def test_self_score_out_of_range(assessment, branch_secretary):
    scores = list(assessment.scores.select_related("indicator"))
    before = {s.pk: s.self_score for s in scores}
    audits = AuditEvent.objects.count()
    messages = _refused(
        lambda: services.self_assessment_save(
            actor=branch_secretary,
            assessment=assessment,
            scores={scores[0].indicator_id: "3", scores[1].indicator_id: "10.5"},
        )
    )
    assert messages == [f"“{scores[1].indicator.name}”的得分须在 0 到 10.00 之间。"]
    assert {s.pk: s.self_score for s in assessment.scores.all()} == before
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "-0.01"])
def test_self_score_not_a_score(assessment, branch_secretary, value):
    first = assessment.scores.first()
    messages = _refused(
        lambda: services.self_assessment_save(
            actor=branch_secretary, assessment=assessment, scores={first.indicator_id: value}
        )
    )
    assert messages[0] in ("请输入数字。", f"“{first.indicator.name}”的得分须在 0 到 10.00 之间。")
    assert assessment.scores.get(pk=first.pk).self_score == first.self_score


def test_final_score_out_of_range_keeps_the_review_undone(
    assessment, branch_secretary, office_staff
):
    assessment = _recommended(assessment, branch_secretary, office_staff)
    score = assessment.scores.select_related("indicator").get(indicator__name="培训学时")
    messages = _refused(
        lambda: services.review(
            actor=office_staff, assessment=assessment, final_scores={score.indicator_id: "6"}
        )
    )
    assert messages == ["“培训学时”的得分须在 0 到 5.00 之间。"]
    assessment.refresh_from_db()
    assert assessment.status == S.RECOMMENDED and assessment.total is None
    assert not assessment.events.filter(step="reviewed").exists()
    assert assessment.scores.get(pk=score.pk).final_score == score.final_score


def test_weights_not_adding_up(tree, office_staff):
    system = build_system(office_staff, publish=False, name="权重不足")
    services.indicator_add(
        actor=office_staff,
        system=system,
        dimension=Dimension.ROLE,
        name="附加指标",
        weight=Decimal("2.5"),
        max_score=Decimal(5),
        source=Source.REVIEWED,
    )
    messages = _refused(lambda: services.system_publish(actor=office_staff, system=system))
    assert messages == ["各指标权重合计为 102.5，必须合计为 100。"]
    system.refresh_from_db()
    assert system.status == "draft"
    # A draft cannot start a cycle either.
    messages = _refused(
        lambda: services.cycle_start(
            actor=office_staff, year=2026, system=system, scope=tree.orgs["committee"]
        )
    )
    assert messages == ["只有已发布的指标体系才能用于评定周期。"]
    assert not system.cycles.exists()


def test_system_of_a_running_cycle_cannot_change(client, cycle, office_staff):
    system = cycle.system
    indicator = system.indicators.first()
    count = system.indicators.count()
    expected = "该指标体系已被评定周期使用，不能修改；请创建新版本。"
    messages = _refused(
        lambda: services.indicator_update(
            actor=office_staff, indicator=indicator, weight=Decimal(1)
        )
    )
    assert messages == [expected]
    # Through the page: the form shows the message, nothing is added.
    assert client.login(username=office_staff.username, password=PASSWORD)
    response = client.post(
        reverse("fourstrong:indicator_add", args=[system.pk]),
        {
            "dimension": "role",
            "name": "新增指标",
            "weight": "5",
            "max_score": "5",
            "source": "reviewed",
            "order": "9",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert system.indicators.count() == count
    indicator.refresh_from_db()
    assert indicator.weight == Decimal(25)


def test_objection_after_the_notice_period(assessment, branch_secretary, office_staff, member_user):
    today = timezone.localdate()
    assessment = _recommended(assessment, branch_secretary, office_staff)
    services.review(actor=office_staff, assessment=assessment)
    end = today - datetime.timedelta(days=1)
    services.notice_start(
        actor=office_staff,
        assessment=assessment,
        start=today - datetime.timedelta(days=7),
        end=end,
    )
    events = assessment.events.count()
    messages = _refused(
        lambda: services.objection_add(actor=member_user, assessment=assessment, text="迟到的异议")
    )
    assert messages == [f"公示已于 {end.isoformat()} 结束，不再受理异议。"]
    assert not assessment.objections.exists()
    assert assessment.events.count() == events
    # Before the notice starts, likewise.
    messages = _refused(
        lambda: services.objection_add(
            actor=member_user,
            assessment=assessment,
            text="提前的异议",
            on=today - datetime.timedelta(days=8),
        )
    )
    assert messages == ["公示尚未开始。"]
    assert not assessment.objections.exists()
