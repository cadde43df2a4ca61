"""The four-strong pages: step actions through the views, radar data, ranking queries."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.fourstrong import services
from dangjian.fourstrong.models import Assessment, AssessmentStatus
from dangjian.organizations.models import OrganizationKind
from tests.factories import PASSWORD, make_org

S = AssessmentStatus


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_branch_runs_to_naming_through_the_pages(
    client, assessment, branch_secretary, office_staff
):
    _login(client, branch_secretary)
    page = client.get(reverse("fourstrong:assessment_detail", args=[assessment.pk]))
    assert page.status_code == 200 and b"fourstrong/radar.js" in page.content
    data = {}
    for s in assessment.scores.select_related("indicator"):
        data[f"self_{s.indicator_id}"] = str(s.indicator.max_score)
        data[f"evidence_{s.indicator_id}"] = "会议记录"
    client.post(reverse("fourstrong:assessment_scores", args=[assessment.pk]), data)
    client.post(reverse("fourstrong:assessment_step", args=[assessment.pk, "submit"]))
    assessment.refresh_from_db()
    assert assessment.status == S.SUBMITTED
    # The branch cannot recommend itself.
    response = client.post(reverse("fourstrong:assessment_step", args=[assessment.pk, "recommend"]))
    assert response.status_code == 403

    client.logout()
    _login(client, office_staff)
    step = lambda name, **kw: client.post(  # noqa: E731
        reverse("fourstrong:assessment_step", args=[assessment.pk, name]), kw
    )
    step("recommend", comment="推荐")
    step("review")
    today = timezone.localdate()
    step("notice", start=today.isoformat(), end=(today + datetime.timedelta(days=5)).isoformat())
    response = step("name")
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == S.NAMED and assessment.total == 100
    page = client.get(reverse("fourstrong:assessment_detail", args=[assessment.pk]))
    radar = page.context["radar"]
    assert radar["final"] == [100.0, 100.0, 100.0, 100.0]
    assert json.loads(json.dumps(radar))["indicators"][0]["max"] == 100


def test_out_of_range_score_via_page_keeps_values(client, assessment, branch_secretary):
    _login(client, branch_secretary)
    first = assessment.scores.select_related("indicator").first()
    response = client.post(
        reverse("fourstrong:assessment_scores", args=[assessment.pk]),
        {f"self_{first.indicator_id}": "99", f"evidence_{first.indicator_id}": "我的材料"},
    )
    assert response.status_code == 200
    assert any("10" in e for e in response.context["score_errors"])
    html = response.content.decode()
    assert 'value="99"' in html and "我的材料" in html  # the input is kept
    assert not assessment.scores.filter(self_score=99).exists()


def test_stale_version_is_refused_and_input_kept(client, assessment, branch_secretary):
    _login(client, branch_secretary)
    first = assessment.scores.select_related("indicator").first()
    services.self_assessment_save(
        actor=branch_secretary, assessment=assessment, scores={first.indicator_id: "3"}
    )
    response = client.post(
        reverse("fourstrong:assessment_scores", args=[assessment.pk]),
        {"version": "1", f"self_{first.indicator_id}": "4"},
    )
    assert response.status_code == 200
    assert any("Reload" in e or "刷新" in e for e in response.context["score_errors"])
    assert 'value="4"' in response.content.decode()
    assert assessment.scores.get(pk=first.pk).self_score == 3
    # A step with a stale version is refused as well; with the current one it goes through.
    services.self_assessment_save(
        actor=branch_secretary,
        assessment=assessment,
        scores={s.indicator_id: "1" for s in assessment.scores.all()},
    )
    url = reverse("fourstrong:assessment_step", args=[assessment.pk, "submit"])
    client.post(url, {"version": "1"})
    assessment.refresh_from_db()
    assert assessment.status == S.SELF_ASSESSMENT
    client.post(url, {"version": str(assessment.version)})
    assessment.refresh_from_db()
    assert assessment.status == S.SUBMITTED


def test_objection_after_period_via_page(
    client, assessment, branch_secretary, office_staff, member_user
):
    today = timezone.localdate()
    services.self_assessment_save(
        actor=branch_secretary,
        assessment=assessment,
        scores={s.indicator_id: 1 for s in assessment.scores.all()},
    )
    services.self_assessment_submit(actor=branch_secretary, assessment=assessment)
    services.recommend(actor=office_staff, assessment=assessment)
    services.review(actor=office_staff, assessment=assessment)
    services.notice_start(
        actor=office_staff,
        assessment=assessment,
        start=today - datetime.timedelta(days=9),
        end=today - datetime.timedelta(days=2),
    )
    _login(client, member_user)
    # The form is not offered once the notice has ended; a post anyway is refused.
    page = client.get(reverse("fourstrong:assessment_detail", args=[assessment.pk]))
    assert page.context["can_object"] is False
    response = client.post(
        reverse("fourstrong:assessment_step", args=[assessment.pk, "object"]),
        {"text": "异议"},
        follow=True,
    )
    assert not assessment.objections.exists()
    assert any(
        "no longer accepted" in str(m) or "不再" in str(m) for m in response.context["messages"]
    )


def test_system_pages_show_dimensions(client, cycle, member_user):
    _login(client, member_user)
    response = client.get(reverse("fourstrong:system_detail", args=[cycle.system_id]))
    assert response.status_code == 200
    assert "政治学习" in response.content.decode()
    assert len(response.context["dimensions"]) == 4


@pytest.mark.parametrize("extra", [0, 6])
def test_ranking_query_count_does_not_grow(
    client, tree, office_staff, extra, django_assert_max_num_queries
):
    for i in range(extra):
        make_org(f"新增党支部{i}", OrganizationKind.BRANCH, tree.orgs["committee"])
    from tests.fourstrong.conftest import start_cycle

    cycle = start_cycle(tree, office_staff)
    assert Assessment.objects.filter(cycle=cycle).count() == 2 + extra
    _login(client, office_staff)
    url = reverse("fourstrong:ranking", args=[cycle.pk])
    client.get(url)  # warm caches (session, grants)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2 + extra


def test_cycle_page_query_count(client, tree, office_staff, django_assert_max_num_queries):
    for i in range(5):
        make_org(f"新增党支部{i}", OrganizationKind.BRANCH, tree.orgs["committee"])
    from tests.fourstrong.conftest import start_cycle

    cycle = start_cycle(tree, office_staff)
    _login(client, office_staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("fourstrong:cycle_detail", args=[cycle.pk]))
    assert response.status_code == 200


def test_office_builds_a_system_and_starts_a_cycle_through_the_pages(client, tree, office_staff):
    _login(client, office_staff)
    response = client.post(reverse("fourstrong:system_create"), {"name": "2026版四强指标"})
    assert response.status_code == 302
    from dangjian.fourstrong.models import Cycle, IndicatorSystem

    system = IndicatorSystem.objects.get(name="2026版四强指标")
    add = reverse("fourstrong:indicator_add", args=[system.pk])
    for dim, weight in (
        ("political", "30"),
        ("leadership", "30"),
        ("members", "20"),
        ("role", "10"),
    ):
        client.post(
            add,
            {
                "dimension": dim,
                "name": f"{dim}指标",
                "weight": weight,
                "max_score": "10",
                "source": "reviewed",
                "order": "0",
            },
        )
    assert system.indicators.count() == 4
    publish = reverse("fourstrong:system_action", args=[system.pk, "publish"])
    response = client.post(publish, follow=True)
    assert any("90" in str(m) for m in response.context["messages"])
    system.refresh_from_db()
    assert system.status == "draft"
    client.post(
        add,
        {
            "dimension": "role",
            "name": "补充",
            "weight": "10",
            "max_score": "5",
            "source": "computed",
            "computed_key": "task_on_time",
            "order": "1",
        },
    )
    client.post(publish)
    system.refresh_from_db()
    assert system.status == "published"
    response = client.post(
        reverse("fourstrong:cycle_create"),
        {"year": "2026", "system": system.pk, "scope": tree.orgs["committee"].pk},
    )
    assert response.status_code == 302
    cycle = Cycle.objects.get(year=2026, scope=tree.orgs["committee"])
    assert cycle.assessments.count() == 2
    # Out of the office's scope: the other leading group is not offered.
    response = client.post(
        reverse("fourstrong:cycle_create"),
        {"year": "2025", "system": system.pk, "scope": tree.orgs["other_root"].pk},
    )
    assert response.status_code == 200 and "scope" in response.context["form"].errors


def _to_reviewed(assessment, secretary, office, share):
    """Self scores at ``share`` of each maximum, submitted, recommended and reviewed."""
    from decimal import Decimal

    services.self_assessment_save(
        actor=secretary,
        assessment=assessment,
        scores={
            s.indicator_id: (s.indicator.max_score * Decimal(share)).quantize(Decimal("0.01"))
            for s in assessment.scores.select_related("indicator")
        },
    )
    services.self_assessment_submit(actor=secretary, assessment=assessment)
    services.recommend(actor=office, assessment=assessment)
    return services.review(actor=office, assessment=assessment)


def test_branch_page_shows_history_across_cycles(
    client, tree, office_staff, branch_secretary, member_user
):
    from tests.fourstrong.conftest import build_system

    system = build_system(office_staff)
    year = timezone.localdate().year
    earlier = services.cycle_start(
        actor=office_staff, year=year - 1, system=system, scope=tree.orgs["committee"]
    )
    current = services.cycle_start(
        actor=office_staff, year=year, system=system, scope=tree.orgs["committee"]
    )
    branch = tree.orgs["branch"]
    _to_reviewed(earlier.assessments.get(branch=branch), branch_secretary, office_staff, "0.6")
    now = current.assessments.get(branch=branch)
    _to_reviewed(now, branch_secretary, office_staff, "0.9")
    _login(client, member_user)
    response = client.get(reverse("fourstrong:assessment_detail", args=[now.pk]))
    assert response.status_code == 200
    rows = response.context["history"]
    assert [r["assessment"].cycle.year for r in rows] == [year - 1, year]
    assert [r["current"] for r in rows] == [False, True]
    chart = response.context["history_chart"]
    assert chart["years"] == [str(year - 1), str(year)]
    assert chart["total"] == [60.0, 90.0]
    assert [d["data"] for d in chart["dimensions"]] == [[60.0, 90.0]] * 4
    html = response.content.decode()
    assert "fourstrong/history.js" in html and 'id="fourstrong-history-data"' in html
    assert "<script>" not in html.replace('<script id="', "")  # no inline script


def test_ranking_shows_score_bands_per_child_organization(
    client, tree, office_staff, branch_secretary
):
    """Two branches under a general branch, the two of the fixture directly under the
    committee: counts per score band for each group, and the chart's data."""
    from dangjian.access.roles import Role
    from tests.factories import make_user
    from tests.fourstrong.conftest import start_cycle

    general = make_org("电视剧司党总支", OrganizationKind.GENERAL_BRANCH, tree.orgs["committee"])
    first = make_org("电视剧司第一党支部", OrganizationKind.BRANCH, general)
    make_org("电视剧司第二党支部", OrganizationKind.BRANCH, general)
    secretary = make_user("first_secretary", role=Role.BRANCH_SECRETARY, organization=first)
    cycle = start_cycle(tree, office_staff)
    _to_reviewed(cycle.assessments.get(branch=first), secretary, office_staff, "0.95")
    _to_reviewed(
        cycle.assessments.get(branch=tree.orgs["branch"]), branch_secretary, office_staff, "0.75"
    )
    _login(client, office_staff)
    response = client.get(reverse("fourstrong:ranking", args=[cycle.pk]))
    assert response.status_code == 200
    bands = response.context["bands"]
    assert len(bands["bands"]) == 6  # five score bands and "not scored yet"
    groups = {g["name"]: g["counts"] for g in bands["groups"]}
    direct = [name for name in groups if name != "电视剧司党总支"]
    assert groups["电视剧司党总支"] == [1, 0, 0, 0, 0, 1]
    assert len(direct) == 1 and groups[direct[0]] == [0, 0, 1, 0, 0, 1]
    assert bands["series"][0]["data"] == [groups[c][0] for c in bands["categories"]]
    html = response.content.decode()
    assert "fourstrong/distribution.js" in html and 'data-testid="distribution-chart"' in html
    # The leading-group office reads the cycle but the ranking is the reviewing office's.
    client.logout()
    _login(client, tree.users["dangzu_office"])
    assert client.get(reverse("fourstrong:ranking", args=[cycle.pk])).status_code == 403
