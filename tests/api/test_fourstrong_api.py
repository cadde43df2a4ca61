"""The four-strong API: scope, each step through the services with its own role,
bad input (400 in the request's language, nothing saved), 409 and query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from dangjian.access.models import User
from dangjian.fourstrong import services
from dangjian.fourstrong.models import (
    Assessment,
    AssessmentStatus,
    Cycle,
    Indicator,
    IndicatorSystem,
    Objection,
    Score,
)
from tests.fourstrong import conftest as fourstrong_fixtures

# The four-strong tests' fixtures: a published ``system`` (weights 100) and a ``cycle``
# over the organ committee (started by jiguan) whose ``assessment`` is the branch's.
system = fourstrong_fixtures.system
cycle = fourstrong_fixtures.cycle
assessment = fourstrong_fixtures.assessment

SYSTEMS = "/api/fourstrong/systems/"
CYCLES = "/api/fourstrong/cycles/"
ASSESSMENTS = "/api/fourstrong/assessments/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def assert_error(response, status: int, error: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "detail", "fields"}
    assert body["error"] == error
    return body


def translated(msgid: str, language: str, **values) -> str:
    with translation.override(language):
        text = translation.gettext(msgid)
    return text % values if values else text


def version_of(assessment) -> int:
    return Assessment.objects.get(pk=assessment.pk).version


def full_scores(assessment) -> list[dict]:
    """Every indicator at its maximum, with evidence."""
    return [
        {"indicator": s.indicator_id, "self_score": str(s.indicator.max_score), "evidence": "材料"}
        for s in assessment.scores.select_related("indicator")
    ]


# Reading


def test_assessments_are_scoped(tree, cycle, member_user, outsider, dangzu_office):
    assert [a["branch_name"] for a in rows(client_for(member_user).get(ASSESSMENTS))] == [
        "办公厅第三党支部"
    ]
    assert [a["branch_name"] for a in rows(client_for(outsider).get(ASSESSMENTS))] == [
        "宣传司党支部"
    ]
    assert len(rows(client_for(dangzu_office).get(ASSESSMENTS, {"cycle": cycle.pk}))) == 2
    branch = cycle.assessments.get(branch=tree.orgs["branch"])
    assert_error(client_for(outsider).get(f"{ASSESSMENTS}{branch.pk}/"), 404, "not_found")
    detail = client_for(member_user).get(f"{ASSESSMENTS}{branch.pk}/").json()
    assert len(detail["scores"]) == 5
    assert [d["dimension"] for d in detail["dimensions"]] == [
        "political",
        "leadership",
        "members",
        "role",
    ]
    assert detail["events"][0]["step"] == "started"
    # The other branch's secretary sees the cycle through its own branch.
    assert [c["assessment_count"] for c in rows(client_for(outsider).get(CYCLES))] == [1]


def test_platform_roles_have_no_four_strong_access(tree, cycle, admin_user, auditor):
    for user in (admin_user, auditor):
        for url in (SYSTEMS, CYCLES, ASSESSMENTS):
            assert_error(client_for(user).get(url), 403, "permission_denied")


# A branch through the cycle


def test_a_branch_through_the_cycle_to_naming_and_revocation(
    tree, assessment, branch_secretary, office_staff, member_user, dangzu_office
):
    url = f"{ASSESSMENTS}{assessment.pk}/"
    secretary, office = client_for(branch_secretary), client_for(office_staff)

    # Each step its own role: the office does not self-assess, the branch does not recommend.
    assert_error(
        office.post(f"{url}scores/", {"version": 1, "scores": []}, format="json"),
        403,
        "permission_denied",
    )
    body = secretary.post(
        f"{url}scores/",
        {"version": version_of(assessment), "scores": full_scores(assessment)},
        format="json",
    )
    assert body.status_code == 200, body.content
    assert {s["evidence"] for s in body.json()["scores"]} == {"材料"}
    done = secretary.post(f"{url}submit/", {"version": body.json()["version"]}, format="json")
    assert done.json()["status"] == "submitted"
    v = done.json()["version"]
    assert_error(
        secretary.post(f"{url}recommend/", {"version": v}, format="json"),
        403,
        "permission_denied",
    )
    assert_error(
        client_for(dangzu_office).post(f"{url}recommend/", {"version": v}, format="json"),
        403,
        "permission_denied",
    )
    v = office.post(f"{url}recommend/", {"version": v, "comment": "推荐"}, format="json").json()[
        "version"
    ]
    first = assessment.scores.order_by("indicator_id").first()
    reviewed = office.post(
        f"{url}review/",
        {
            "version": v,
            "final_scores": [{"indicator": first.indicator_id, "final_score": "5"}],
        },
        format="json",
    )
    assert reviewed.status_code == 200, reviewed.content
    assert reviewed.json()["status"] == "reviewed"
    assert Decimal(reviewed.json()["total"]) < 100
    today = timezone.localdate()
    notice = office.post(
        f"{url}notice/",
        {
            "version": reviewed.json()["version"],
            "start": today.isoformat(),
            "end": (today + datetime.timedelta(days=5)).isoformat(),
        },
        format="json",
    )
    assert notice.json()["status"] == "public_notice"
    objection = client_for(member_user).post(
        f"{url}objections/", {"text": "材料不实"}, format="json"
    )
    assert objection.status_code == 201, objection.content
    v = notice.json()["version"]
    early = office.post(f"{url}name/", {"version": v, "named": True}, format="json")
    assert_error(early, 400, "invalid")
    answered = office.post(
        f"{url}answer/",
        {"objection": objection.json()["id"], "answer": "经核实材料属实"},
        format="json",
    )
    assert answered.json()["objections"][0]["answer"] == "经核实材料属实"
    named = office.post(f"{url}name/", {"version": v, "named": True}, format="json")
    assert named.status_code == 200, named.content
    assert named.json()["status"] == "named"
    v = named.json()["version"]
    no_reason = office.post(f"{url}revoke/", {"version": v, "comment": " "}, format="json")
    assert_error(no_reason, 400, "invalid")
    revoked = office.post(f"{url}revoke/", {"version": v, "comment": "复查不合格"}, format="json")
    assert revoked.json()["status"] == "revoked"
    steps = [e["step"] for e in revoked.json()["events"]]
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
    assert all(e["actor_name"] for e in revoked.json()["events"][1:])


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_score_out_of_range_is_400_and_nothing_saved(assessment, branch_secretary, language):
    score = assessment.scores.select_related("indicator").order_by("indicator_id").first()
    before = list(Score.objects.filter(assessment=assessment).values_list("self_score", "evidence"))
    version = version_of(assessment)
    response = client_for(branch_secretary).post(
        f"{ASSESSMENTS}{assessment.pk}/scores/",
        {
            "version": version,
            "scores": [
                {"indicator": score.indicator_id, "self_score": "11", "evidence": "新材料"},
            ],
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    body = assert_error(response, 400, "invalid")
    expected = translated(
        "The score of “%(indicator)s” must be between 0 and %(max)s.",
        language,
        indicator=score.indicator.name,
        max=score.indicator.max_score,
    )
    assert body["fields"] == {"__all__": [expected]}
    assert body["detail"] == expected
    after = list(Score.objects.filter(assessment=assessment).values_list("self_score", "evidence"))
    assert after == before
    assert version_of(assessment) == version


def test_a_stale_version_is_409(assessment, branch_secretary):
    url = f"{ASSESSMENTS}{assessment.pk}/"
    client = client_for(branch_secretary)
    version = version_of(assessment)
    scores = {"version": version, "scores": full_scores(assessment)}
    assert client.post(f"{url}scores/", scores, format="json").status_code == 200
    assert_error(client.post(f"{url}scores/", scores, format="json"), 409, "conflict")
    assert_error(client.post(f"{url}submit/", {"version": version}, format="json"), 409, "conflict")
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SELF_ASSESSMENT


def test_an_objection_after_the_notice_is_400(
    assessment, branch_secretary, office_staff, member_user
):
    today = timezone.localdate()
    a = assessment
    scores = {s["indicator"]: s["self_score"] for s in full_scores(a)}
    services.self_assessment_save(actor=branch_secretary, assessment=a, scores=scores)
    services.self_assessment_submit(actor=branch_secretary, assessment=a)
    services.recommend(actor=office_staff, assessment=a)
    services.review(actor=office_staff, assessment=a)
    services.notice_start(
        actor=office_staff,
        assessment=a,
        start=today - datetime.timedelta(days=10),
        end=today - datetime.timedelta(days=1),
    )
    for language in ("en", "zh-hans"):
        response = client_for(member_user).post(
            f"{ASSESSMENTS}{a.pk}/objections/",
            {"text": "迟到的异议"},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        body = assert_error(response, 400, "invalid")
        assert body["detail"] == translated(
            "The public notice ended on %(end)s; objections are no longer accepted.",
            language,
            end=(today - datetime.timedelta(days=1)).isoformat(),
        )
    assert not Objection.objects.exists()


# Indicator systems and cycles


def test_systems_weights_and_a_system_in_use(tree, cycle, office_staff, member_user):
    member = client_for(member_user)
    assert {s["id"] for s in rows(member.get(SYSTEMS))} == {cycle.system_id}
    assert_error(member.post(SYSTEMS, {"name": "x"}, format="json"), 403, "permission_denied")
    office = client_for(office_staff)
    created = office.post(SYSTEMS, {"name": "新指标体系"}, format="json")
    assert created.status_code == 201, created.content
    url = f"{SYSTEMS}{created.json()['id']}/"
    added = office.post(
        f"{url}indicators/",
        {"dimension": "political", "name": "政治学习", "weight": "60", "max_score": "10"},
        format="json",
    )
    assert added.status_code == 201, added.content
    publish = office.post(f"{url}publish/", format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(publish, 400, "invalid")["detail"] == translated(
        "The weights of the indicators add up to %(total)s; they must add up to 100.",
        "en",
        total="60",
    )
    assert IndicatorSystem.objects.get(pk=created.json()["id"]).status == "draft"
    bad_computed = office.post(
        f"{url}indicators/",
        {
            "dimension": "role",
            "name": "任务",
            "weight": "40",
            "max_score": "10",
            "source": "computed",
        },
        format="json",
    )
    assert "computed_key" in assert_error(bad_computed, 400, "invalid")["fields"]
    # The cycle's own version cannot change.
    in_use = office.post(
        f"{SYSTEMS}{cycle.system_id}/indicators/",
        {"dimension": "role", "name": "新增", "weight": "1", "max_score": "1"},
        format="json",
    )
    assert_error(in_use, 400, "invalid")
    indicator = Indicator.objects.filter(system=cycle.system).first()
    changed = office.patch(
        f"/api/fourstrong/indicators/{indicator.pk}/", {"weight": "30"}, format="json"
    )
    assert_error(changed, 400, "invalid")
    indicator.refresh_from_db()
    assert indicator.weight != Decimal("30")
    copy = office.post(f"{SYSTEMS}{cycle.system_id}/new-version/", format="json")
    assert copy.status_code == 201
    assert copy.json()["version_number"] == 2
    assert len(copy.json()["indicators"]) == 5


def test_start_a_cycle(tree, system, office_staff, branch_secretary):
    data = {"year": 2025, "system": system.pk, "scope": tree.orgs["committee"].pk}
    assert_error(
        client_for(branch_secretary).post(CYCLES, data, format="json"), 403, "permission_denied"
    )
    office = client_for(office_staff)
    started = office.post(CYCLES, data, format="json")
    assert started.status_code == 201, started.content
    assert started.json()["assessment_count"] == 2
    again = office.post(CYCLES, data, format="json")
    assert_error(again, 400, "invalid")
    assert Cycle.objects.count() == 1


# Query counts


def _count(user, url, params=None) -> int:
    client = client_for(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_counts_do_not_grow(tree, cycle, office_staff):
    from tests.factories import make_org

    before = {url: _count(office_staff, url) for url in (SYSTEMS, CYCLES, ASSESSMENTS)}
    for i in range(6):
        make_org(f"新支部{i}", "branch", tree.orgs["committee"])
    fourstrong_fixtures.build_system(office_staff, name="第二体系")
    services.cycle_start(
        actor=office_staff,
        year=cycle.year - 1,
        system=IndicatorSystem.objects.get(name="第二体系"),
        scope=tree.orgs["committee"],
    )
    after = {url: _count(office_staff, url) for url in (SYSTEMS, CYCLES, ASSESSMENTS)}
    assert after == before
    assert Assessment.objects.count() == 10
