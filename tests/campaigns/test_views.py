from __future__ import annotations

import datetime
import io

import openpyxl
from django.urls import reverse

from dangjian.campaigns import services
from dangjian.campaigns.models import Activity, Campaign, Requirement, Submission
from dangjian.core.models import AuditEvent
from tests.factories import PASSWORD, make_org


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_launch_campaign_and_add_requirement(client, tree, office_staff, today):
    _login(client, office_staff)
    committee = tree.orgs["committee"]
    response = client.post(
        reverse("campaigns:campaign_create"),
        {
            "name": "能力提升行动",
            "organization": committee.pk,
            "covered": committee.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=30)).isoformat(),
            "capabilities": ["political", "research"],
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.capabilities == ["political", "research"]
    url = reverse("campaigns:requirement_create", args=[campaign.pk])
    bad = client.post(
        url, {"title": "报送", "due_on": (today + datetime.timedelta(days=31)).isoformat()}
    )
    assert bad.status_code == 200 and "due_on" in bad.context["form"].errors
    assert not Requirement.objects.exists()
    ok = client.post(url, {"title": "报送", "due_on": today.isoformat()})
    assert ok.status_code == 302 and Requirement.objects.count() == 1


def test_stale_campaign_edit_keeps_input(client, campaign, office_staff):
    services.campaign_update(actor=office_staff, campaign=campaign, version=1, goals="他人修改")
    _login(client, office_staff)
    response = client.post(
        reverse("campaigns:campaign_update", args=[campaign.pk]),
        {
            "version": 1,
            "name": "我的新名称",
            "organization": campaign.organization_id,
            "covered": campaign.covered_id,
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "我的新名称" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.name == "能力提升行动"


def test_report_new_activity_return_and_accept(
    client, tree, campaign, requirement, branch_secretary, office_staff
):
    branch = tree.orgs["branch"]
    _login(client, branch_secretary)
    url = reverse("campaigns:report", args=[campaign.pk, requirement.pk, branch.pk])
    missing = client.post(url, {})
    assert missing.status_code == 200 and "title" in missing.context["form"].errors
    response = client.post(
        url,
        {
            "type": "themed_party_day",
            "title": "我为广电勇担当主题党日",
            "held_on": campaign.starts_on.isoformat(),
        },
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.activity.organization == branch
    # the branch may not review its own report
    assert (
        client.post(reverse("campaigns:submission_accept", args=[submission.pk])).status_code == 403
    )
    client.logout()
    _login(client, office_staff)
    response = client.post(
        reverse("campaigns:submission_return", args=[submission.pk]), {"reason": "缺少照片"}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "returned"
    client.logout()
    _login(client, branch_secretary)
    ledger = client.get(reverse("campaigns:ledger", args=[campaign.pk]))
    assert "缺少照片" in ledger.content.decode()
    response = client.post(url, {"activity": submission.activity_id})
    assert response.status_code == 302 and Activity.objects.count() == 1
    client.logout()
    _login(client, office_staff)
    client.post(reverse("campaigns:submission_accept", args=[submission.pk]))
    submission.refresh_from_db()
    assert submission.status == "accepted"
    page = client.get(reverse("campaigns:ledger", args=[campaign.pk]))
    ledger = page.context["ledger"]
    assert ledger.per_requirement[0]["accepted"] == 1
    assert ledger.per_requirement[0]["applicable"] == 2  # the two branches
    assert ledger.percent == 50


def test_ledger_query_count_does_not_grow(
    client, tree, campaign, requirement, office_staff, django_assert_max_num_queries
):
    _login(client, office_staff)
    url = reverse("campaigns:ledger", args=[campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    for i in range(6):
        org = make_org(f"新支部{i}", "branch", tree.orgs["committee"])
        activity = services.activity_create(
            actor=office_staff,
            type="other",
            title=f"活动{i}",
            held_on=campaign.starts_on,
            organization=org,
        )
        services.submission_report(
            actor=office_staff, requirement=requirement, organization=org, activity=activity
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["ledger"].rows) == 8


def test_ledger_shows_only_scope(client, tree, campaign, requirement, branch_secretary):
    _login(client, branch_secretary)
    ledger = client.get(reverse("campaigns:ledger", args=[campaign.pk])).context["ledger"]
    assert [r.organization for r in ledger.rows] == [tree.orgs["branch"]]


def test_report_for_org_outside_scope_is_404(client, tree, campaign, requirement, branch_secretary):
    _login(client, branch_secretary)
    url = reverse(
        "campaigns:report", args=[campaign.pk, requirement.pk, tree.orgs["other_branch"].pk]
    )
    assert client.get(url).status_code == 404


def test_ledger_export(client, tree, campaign, requirement, make_activity, office_staff):
    services.submission_report(
        actor=office_staff,
        requirement=requirement,
        organization=tree.orgs["branch"],
        activity=make_activity(title='=HYPERLINK("x")'),
    )
    _login(client, office_staff)
    response = client.get(reverse("campaigns:ledger_export", args=[campaign.pk]))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert "jiguan" in rows[0][0]
    assert rows[1][1] == requirement.title
    names = [r[0] for r in rows[2:]]
    assert tree.orgs["branch"].name in names and tree.orgs["other_branch"].name in names
    branch_row = rows[2 + names.index(tree.orgs["branch"].name)]
    assert branch_row[2] == '=HYPERLINK("x")'
    assert (
        wb.active.cell(row=2 + names.index(tree.orgs["branch"].name) + 1, column=3).data_type == "s"
    )
    assert AuditEvent.objects.filter(action="export", object_type="campaigns.campaign").exists()


def test_add_series_activity(client, tree, campaign, office_staff, branch_secretary):
    url = reverse("campaigns:planned_create", args=[campaign.pk])
    _login(client, office_staff)
    bad = client.post(
        url,
        {
            "type": "forum",
            "theme": "学习新思想 提升新本领",
            "starts_on": campaign.ends_on.isoformat(),
            "ends_on": campaign.starts_on.isoformat(),
        },
    )
    assert bad.status_code == 200 and "ends_on" in bad.context["form"].errors
    assert not campaign.planned_activities.exists()
    ok = client.post(
        url,
        {
            "type": "forum",
            "theme": "学习新思想 提升新本领",
            "owner_organization": tree.orgs["committee"].pk,
            "starts_on": campaign.starts_on.isoformat(),
        },
    )
    assert ok.status_code == 302
    page = client.get(campaign.get_absolute_url())
    assert "学习新思想 提升新本领" in page.content.decode()
    client.logout()
    _login(client, branch_secretary)
    assert client.get(url).status_code == 403
