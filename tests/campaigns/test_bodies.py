"""Issue 12 point 4: bodies that are not party organizations of the tree — the ad-hoc
body that issued a notice, the superior body outside the tree, the organ organising an
event, the department recommending a presenting branch — and the main capability."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.campaigns import services
from dangjian.reports.news import activity_news_draft
from tests.campaigns.conftest import logged_in


@pytest.fixture
def described(campaign, office_staff):
    return services.campaign_update(
        actor=office_staff,
        campaign=campaign,
        version=campaign.version,
        issued_by_text="测试局主题教育领导小组办公室",
        superior_body="中央和国家机关工委",
        main_capability="political",
    )


@pytest.fixture
def forum(tree, office_staff, described, today):
    activity = services.activity_create(
        actor=office_staff,
        types=["launch_ceremony", "forum"],
        title="能力提升行动启动仪式暨“四强”党支部建设论坛",
        held_on=today,
        organization=tree.orgs["committee"],
        organizer_text="测试局",
        campaign=described,
    )
    for org, unit in (
        (tree.orgs["branch"], tree.units["office"]),
        (tree.orgs["other_branch"], tree.units["publicity"]),
    ):
        services.presentation_add(
            actor=office_staff,
            activity=activity,
            topic="创建“四强”党支部的做法",
            organization=org,
            recommended_by_unit=unit,
        )
    return activity


def test_main_capability_must_be_one_of_the_capabilities(campaign, office_staff):
    with pytest.raises(ValidationError) as exc:
        services.campaign_update(
            actor=office_staff,
            campaign=campaign,
            version=campaign.version,
            main_capability="emergency",
        )
    assert "main_capability" in exc.value.message_dict


def test_campaign_page_names_the_ad_hoc_body_the_superior_and_the_main_capability(
    described, office_staff
):
    page = logged_in(office_staff).get(described.get_absolute_url()).content.decode()
    assert "测试局主题教育领导小组办公室" in page and "测试局机关党委" in page
    assert "中央和国家机关工委" in page
    assert 'data-testid="campaign-main-capability"' in page


def test_activity_page_shows_the_organ_and_the_recommending_departments(forum, office_staff):
    page = logged_in(office_staff).get(reverse("campaigns:activity_detail", args=[forum.pk]))
    text = page.content.decode()
    assert "测试局" in text and "测试局机关党委" in text
    assert text.count('data-testid="presentation-recommended"') == 2


def test_news_draft_carries_the_bodies_and_the_main_capability(forum):
    draft = activity_news_draft(forum)
    headline = draft.split("\n", 1)[0]
    assert headline == "测试局举办能力提升行动启动仪式暨“四强”党支部建设论坛"
    assert "测试局主题教育领导小组办公室按照测试局机关党委要求组织开展能力提升行动" in draft
    assert "行动以提升政治能力为主，全面提升党员干部抓落实能力" in draft
    assert "按照中央和国家机关工委有关要求，办公厅等2个部门单位推荐的党支部" in draft
    assert "宣传司党支部围绕" in draft


def test_api_returns_the_new_fields(forum, described, office_staff):
    client = APIClient()
    client.force_authenticate(office_staff)
    body = client.get(f"/api/campaigns/{described.pk}/").json()
    assert body["issued_by_text"] == "测试局主题教育领导小组办公室"
    assert body["superior_body"] == "中央和国家机关工委"
    assert body["main_capability"] == "political"
    body = client.get(f"/api/activities/{forum.pk}/").json()
    assert body["types"] == ["launch_ceremony", "forum"]
    assert body["organizer_text"] == "测试局"
    assert [p["recommended_by_unit_name"] for p in body["presentations"]] == ["办公厅", "宣传司"]
