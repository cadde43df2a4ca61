"""The campaigns API: scope, the same services and messages as the pages, 400/409, the
ledger and query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from dangjian.access.models import User
from dangjian.campaigns import services
from dangjian.campaigns.models import Activity, Campaign, PlannedActivity, Requirement, Submission
from dangjian.core.models import AuditEvent
from tests.campaigns import conftest as campaign_fixtures

# The campaign tests' fixtures: ``campaign`` (issued and covering the organ committee),
# its ``requirement`` (branches, due in 20 days), ``make_activity`` (the branch's) and ``today``.
today = campaign_fixtures.today
campaign = campaign_fixtures.campaign
requirement = campaign_fixtures.requirement
make_activity = campaign_fixtures.make_activity

CAMPAIGNS = "/api/campaigns/"
ACTIVITIES = "/api/activities/"
SUBMISSIONS = "/api/submissions/"


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


def translated(msgid: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.fixture
def branch_campaign(tree, office_staff, today):
    """Issued by the committee, covering only 办公厅第三党支部: the other branch sees nothing."""
    found = services.campaign_create(
        actor=office_staff,
        name="支部专项行动",
        organization=tree.orgs["committee"],
        covered=tree.orgs["branch"],
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=30),
    )
    services.requirement_add(
        actor=office_staff,
        campaign=found,
        title="支部主题党日",
        due_on=today - datetime.timedelta(days=1),
    )
    return found


def new_campaign(tree, today, **overrides) -> dict:
    data = {
        "name": "接口行动",
        "organization": tree.orgs["committee"].pk,
        "covered": tree.orgs["committee"].pk,
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=30)).isoformat(),
        "capabilities": ["political"],
        "goals": "提升本领",
    }
    return data | overrides


# Campaigns


def test_campaign_list_and_detail_are_scoped(
    tree, campaign, branch_campaign, office_staff, member_user, outsider
):
    assert {c["name"] for c in rows(client_for(office_staff).get(CAMPAIGNS))} == {
        "能力提升行动",
        "支部专项行动",
    }
    assert {c["name"] for c in rows(client_for(member_user).get(CAMPAIGNS))} == {
        "能力提升行动",
        "支部专项行动",
    }
    # The other branch is covered by the committee's campaign only.
    assert [c["name"] for c in rows(client_for(outsider).get(CAMPAIGNS))] == ["能力提升行动"]
    outside = client_for(outsider)
    assert_error(outside.get(f"{CAMPAIGNS}{branch_campaign.pk}/"), 404, "not_found")
    assert_error(outside.get(f"{CAMPAIGNS}{branch_campaign.pk}/ledger/"), 404, "not_found")
    detail = client_for(member_user).get(f"{CAMPAIGNS}{branch_campaign.pk}/").json()
    assert [r["title"] for r in detail["requirements"]] == ["支部主题党日"]
    assert detail["covered_name"] == "办公厅第三党支部"
    assert detail["requirement_count"] == 1
    found = client_for(office_staff).get(CAMPAIGNS, {"q": "支部"})
    assert [c["name"] for c in rows(found)] == ["支部专项行动"]


def test_launch_goes_through_the_service(tree, today, office_staff):
    response = client_for(office_staff).post(CAMPAIGNS, new_campaign(tree, today), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["capabilities"] == ["political"]
    assert body["version"] == 1
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_id=str(body["id"])
    ).exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_bad_campaigns_are_400_in_the_requested_language_and_nothing_saved(
    tree, today, office_staff, language
):
    client = client_for(office_staff)
    before = (Campaign.objects.count(), AuditEvent.objects.count())
    backwards = new_campaign(tree, today, ends_on=(today - datetime.timedelta(days=1)).isoformat())
    body = assert_error(
        client.post(CAMPAIGNS, backwards, format="json", HTTP_ACCEPT_LANGUAGE=language),
        400,
        "invalid",
    )
    assert body["fields"] == {
        "ends_on": [translated("The period cannot end before it starts.", language)]
    }
    wider = new_campaign(tree, today, organization=tree.orgs["branch"].pk)
    body = assert_error(
        client.post(CAMPAIGNS, wider, format="json", HTTP_ACCEPT_LANGUAGE=language), 400, "invalid"
    )
    assert body["fields"] == {
        "covered": [
            translated(
                "A campaign can only cover the issuing organization's own subtree.", language
            )
        ]
    }
    unknown = new_campaign(tree, today, capabilities=["flying"])
    assert (
        "capabilities"
        in assert_error(client.post(CAMPAIGNS, unknown, format="json"), 400, "invalid")["fields"]
    )
    assert (Campaign.objects.count(), AuditEvent.objects.count()) == before


def test_only_campaign_managers_launch_and_edit(tree, today, campaign, branch_secretary, outsider):
    for user in (branch_secretary, outsider):
        client = client_for(user)
        assert_error(
            client.post(CAMPAIGNS, new_campaign(tree, today), format="json"),
            403,
            "permission_denied",
        )
        assert_error(
            client.patch(f"{CAMPAIGNS}{campaign.pk}/", {"name": "x", "version": 1}, format="json"),
            403,
            "permission_denied",
        )
    assert Campaign.objects.count() == 1


def test_a_campaign_seen_but_not_managed_is_403_whatever_is_sent(
    tree, today, dangzu_office, office_staff
):
    """The 党组's campaign covers the committee: its office sees it but may not change it,
    nor add to it; refused before the input is read."""
    above = services.campaign_create(
        actor=dangzu_office,
        name="党组行动",
        organization=tree.orgs["root"],
        covered=tree.orgs["committee"],
        starts_on=today,
        ends_on=today + datetime.timedelta(days=10),
    )
    office = client_for(office_staff)
    url = f"{CAMPAIGNS}{above.pk}/"
    assert office.get(url).status_code == 200
    for method, path, body in (
        ("patch", url, {"name": "改", "version": 1}),
        ("patch", url, {"ends_on": "not a date"}),
        ("post", f"{url}requirements/", {}),
        ("post", f"{url}planned-activities/", {}),
    ):
        response = getattr(office, method)(path, body, format="json")
        assert_error(response, 403, "permission_denied")
    above.refresh_from_db()
    assert (above.name, above.version) == ("党组行动", 1)


def test_campaign_update_version_and_conflict(campaign, office_staff, dangzu_office):
    url = f"{CAMPAIGNS}{campaign.pk}/"
    missing = client_for(office_staff).patch(url, {"name": "新名称"}, format="json")
    assert list(assert_error(missing, 400, "invalid")["fields"]) == ["version"]
    ok = client_for(office_staff).patch(url, {"name": "新名称", "version": 1}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == 2
    stale = client_for(dangzu_office).patch(url, {"name": "别的名称", "version": 1}, format="json")
    assert_error(stale, 409, "conflict")
    campaign.refresh_from_db()
    assert (campaign.name, campaign.version) == ("新名称", 2)


def test_requirements_and_planned_activities(campaign, today, office_staff, branch_secretary):
    url = f"{CAMPAIGNS}{campaign.pk}/"
    office = client_for(office_staff)
    late = (campaign.ends_on + datetime.timedelta(days=1)).isoformat()
    for language in ("en", "zh-hans"):
        body = assert_error(
            office.post(
                f"{url}requirements/",
                {"title": "逾期要求", "due_on": late},
                format="json",
                HTTP_ACCEPT_LANGUAGE=language,
            ),
            400,
            "invalid",
        )
        assert list(body["fields"]) == ["due_on"]
        with translation.override(language):
            expected = translation.gettext(
                "The due date must lie inside the campaign's period (%(start)s to %(end)s)."
            ) % {"start": campaign.starts_on.isoformat(), "end": campaign.ends_on.isoformat()}
        assert body["fields"]["due_on"] == [expected]
    assert not Requirement.objects.exists()
    added = office.post(
        f"{url}requirements/",
        {"title": "主题党日", "due_on": today.isoformat(), "organization_kinds": ["branch"]},
        format="json",
    )
    assert added.status_code == 201, added.content
    secretary = client_for(branch_secretary)
    assert [r["title"] for r in secretary.get(f"{url}requirements/").json()] == ["主题党日"]
    refused = secretary.post(
        f"{url}requirements/", {"title": "x", "due_on": today.isoformat()}, format="json"
    )
    assert_error(refused, 403, "permission_denied")
    backwards = office.post(
        f"{url}planned-activities/",
        {
            "type": "forum",
            "theme": "学习新思想 提升新本领",
            "starts_on": today.isoformat(),
            "ends_on": (today - datetime.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert "ends_on" in assert_error(backwards, 400, "invalid")["fields"]
    assert not PlannedActivity.objects.exists()
    planned = office.post(
        f"{url}planned-activities/",
        {
            "type": "launch_ceremony",
            "theme": "启动仪式",
            "owner_organization": campaign.organization_id,
        },
        format="json",
    )
    assert planned.status_code == 201, planned.content
    listed = secretary.get(f"{url}planned-activities/").json()
    assert [(p["type"], p["owner_organization_name"]) for p in listed] == [
        ("launch_ceremony", "测试局机关党委")
    ]


# Activities


def activity_data(tree, today, **overrides) -> dict:
    data = {
        "type": "forum",
        "title": "能力提升论坛",
        "theme": "学习新思想 提升新本领",
        "held_on": today.isoformat(),
        "organization": tree.orgs["branch"].pk,
        "leaders": [
            {"name": "张局长", "title": "党组书记", "role": "spoke"},
            {"name": "李副局长", "role": "entrusted", "entrusted_by": "张局长"},
        ],
    }
    return data | overrides


def test_activity_create_with_leaders_and_bad_leaders(tree, today, campaign, branch_secretary):
    client = client_for(branch_secretary)
    bad = activity_data(tree, today, leaders=[{"name": "李副局长", "role": "entrusted"}])
    for language in ("en", "zh-hans"):
        body = assert_error(
            client.post(ACTIVITIES, bad, format="json", HTTP_ACCEPT_LANGUAGE=language),
            400,
            "invalid",
        )
        assert body["fields"] == {
            "leaders": [
                translated("An entrusted leader needs the person who entrusted them.", language)
            ]
        }
    assert not Activity.objects.exists()
    response = client.post(
        ACTIVITIES, activity_data(tree, today, campaign=campaign.pk), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(leader["name"], leader["role"]) for leader in body["leaders"]] == [
        ("张局长", "spoke"),
        ("李副局长", "entrusted"),
    ]
    assert body["campaign_name"] == "能力提升行动"
    assert body["presentations"] == [] and body["photos"] == []


def test_activity_detail_scope_presentations_and_conflict(
    tree, make_activity, branch_secretary, member_user, outsider
):
    activity = make_activity(type="forum", title="交流论坛")
    services.presentation_add(
        actor=None,
        check=False,
        activity=activity,
        topic="以学促干",
        organization=tree.orgs["branch"],
    )
    url = f"{ACTIVITIES}{activity.pk}/"
    body = client_for(member_user).get(url).json()
    assert [(p["topic"], p["presenter_label"]) for p in body["presentations"]] == [
        ("以学促干", "办公厅第三党支部")
    ]
    assert_error(client_for(outsider).get(url), 404, "not_found")
    assert_error(
        client_for(member_user).patch(url, {"title": "x", "version": 1}, format="json"),
        403,
        "permission_denied",
    )
    activity.refresh_from_db()
    version = activity.version
    api = client_for(branch_secretary)
    ok = api.patch(url, {"venue": "三楼会议室", "version": version}, format="json")
    assert ok.status_code == 200, ok.content
    assert_error(
        api.patch(url, {"venue": "别处", "version": version}, format="json"), 409, "conflict"
    )
    activity.refresh_from_db()
    assert activity.venue == "三楼会议室"


def test_activity_list_filters(tree, campaign, make_activity, office_staff, outsider):
    make_activity(title="主题党日A")
    make_activity(title="论坛B", type="forum", campaign=None)
    office = client_for(office_staff)
    assert [a["title"] for a in rows(office.get(ACTIVITIES, {"type": "forum"}))] == ["论坛B"]
    assert [a["title"] for a in rows(office.get(ACTIVITIES, {"campaign": campaign.pk}))] == [
        "主题党日A"
    ]
    assert rows(client_for(outsider).get(ACTIVITIES)) == []
    assert "type" in assert_error(office.get(ACTIVITIES, {"type": "x"}), 400, "invalid")["fields"]


# Submissions and the ledger


def test_report_return_accept_and_the_ledger(
    tree, campaign, requirement, make_activity, branch_secretary, office_staff, member_user
):
    activity = make_activity()
    secretary = client_for(branch_secretary)
    office = client_for(office_staff)
    report = {
        "requirement": requirement.pk,
        "organization": tree.orgs["branch"].pk,
        "activity": activity.pk,
    }
    created = secretary.post(SUBMISSIONS, report, format="json")
    assert created.status_code == 201, created.content
    submission = created.json()
    assert submission["status"] == "reported"
    again = secretary.post(SUBMISSIONS, report, format="json")
    assert_error(again, 400, "invalid")
    url = f"{SUBMISSIONS}{submission['id']}/"
    assert_error(secretary.post(f"{url}accept/", {}, format="json"), 403, "permission_denied")
    no_reason = office.post(f"{url}return/", {"reason": "  "}, format="json")
    assert list(assert_error(no_reason, 400, "invalid")["fields"]) == ["reason"]
    returned = office.post(f"{url}return/", {"reason": "缺少照片"}, format="json")
    assert returned.status_code == 200, returned.content
    assert (returned.json()["status"], returned.json()["comment"]) == ("returned", "缺少照片")

    ledger = client_for(member_user).get(f"{CAMPAIGNS}{campaign.pk}/ledger/").json()
    cells = {r["organization_name"]: r["cells"][0] for r in ledger["rows"]}
    assert cells["办公厅第三党支部"]["status"] == "returned"
    assert cells["办公厅第三党支部"]["comment"] == "缺少照片"
    assert list(cells) == ["办公厅第三党支部"]  # the member's scope: their own branch

    assert secretary.post(SUBMISSIONS, report, format="json").status_code == 201
    accepted = office.post(f"{url}accept/", {"comment": "很好"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["reviewer_name"]
    ledger = office.get(f"{CAMPAIGNS}{campaign.pk}/ledger/").json()
    # Two branches apply; one accepted.
    assert (ledger["applicable"], ledger["accepted"], ledger["percent"]) == (2, 1, 50)
    assert ledger["requirements"][0]["percent"] == 50
    assert {s["organization_name"]: s["percent"] for s in ledger["by_subtree"]} == {
        "办公厅第三党支部": 100,
        "宣传司党支部": 0,
    }
    listed = rows(office.get(SUBMISSIONS, {"campaign": campaign.pk, "status": "accepted"}))
    assert [s["organization_name"] for s in listed] == ["办公厅第三党支部"]


def test_a_submission_from_outside_the_campaign_is_400_and_not_saved(
    tree, branch_campaign, office_staff, today
):
    """The committee office may report for the other branch, which the campaign does not cover."""
    activity = services.activity_create(
        actor=office_staff,
        type="themed_party_day",
        title="宣传司主题党日",
        held_on=today,
        organization=tree.orgs["other_branch"],
    )
    response = client_for(office_staff).post(
        SUBMISSIONS,
        {
            "requirement": branch_campaign.requirements.get().pk,
            "organization": tree.orgs["other_branch"].pk,
            "activity": activity.pk,
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = assert_error(response, 400, "invalid")
    assert body["fields"] == {
        "organization": [translated("This organization is not covered by the campaign.", "en")]
    }
    assert not Submission.objects.exists()


def test_outsider_cannot_name_what_it_does_not_see(tree, branch_campaign, make_activity, outsider):
    activity = make_activity(campaign=None)
    response = client_for(outsider).post(
        SUBMISSIONS,
        {
            "requirement": branch_campaign.requirements.get().pk,
            "organization": tree.orgs["branch"].pk,
            "activity": activity.pk,
        },
        format="json",
    )
    assert set(assert_error(response, 400, "invalid")["fields"]) == {
        "requirement",
        "organization",
        "activity",
    }
    assert not Submission.objects.exists()


def test_ledger_marks_late_organizations(tree, branch_campaign, office_staff):
    ledger = client_for(office_staff).get(f"{CAMPAIGNS}{branch_campaign.pk}/ledger/").json()
    by_org = {r["organization_name"]: r["cells"][0] for r in ledger["rows"]}
    assert by_org["办公厅第三党支部"] == {
        "requirement": branch_campaign.requirements.get().pk,
        "status": "missing",
        "late": True,
        "submission": None,
        "activity": None,
        "activity_title": None,
        "comment": None,
        "record_title": None,
    }
    assert "宣传司党支部" not in by_org


# Query counts


def _count(user, url) -> int:
    client = client_for(user)  # a fresh user object: its grants are read again
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_counts_do_not_grow(tree, campaign, requirement, office_staff, today):

    def add(i):
        c = services.campaign_create(
            actor=office_staff,
            name=f"行动{i}",
            organization=tree.orgs["committee"],
            covered=tree.orgs["committee"],
            starts_on=today,
            ends_on=today + datetime.timedelta(days=10),
        )
        for org in ("branch", "other_branch"):
            a = services.activity_create(
                actor=office_staff,
                type="forum",
                title=f"活动{i}",
                held_on=today,
                organization=tree.orgs[org],
                campaign=c,
            )
            r = services.requirement_add(
                actor=office_staff, campaign=c, title=f"要求{i}{org}", due_on=today
            )
            services.submission_report(
                actor=office_staff, requirement=r, organization=tree.orgs[org], activity=a
            )

    add(0)
    before = {url: _count(office_staff, url) for url in (CAMPAIGNS, ACTIVITIES, SUBMISSIONS)}
    for i in range(1, 8):
        add(i)
    after = {url: _count(office_staff, url) for url in (CAMPAIGNS, ACTIVITIES, SUBMISSIONS)}
    assert after == before


def test_ledger_query_count_does_not_grow(tree, campaign, requirement, office_staff):
    from tests.factories import make_org

    url = f"{CAMPAIGNS}{campaign.pk}/ledger/"
    few = _count(office_staff, url)
    for i in range(6):
        make_org(f"新支部{i}", "branch", tree.orgs["committee"])
    assert _count(office_staff, url) == few
