"""Issue 12 point 6: exemplary cases marked at a forum travel down to every organization
the campaign addresses (its covered subtree), the presenting branch included; read-only
for them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dangjian.campaigns import selectors, services
from tests.campaigns.conftest import logged_in


@pytest.fixture
def case(tree, office_staff, campaign, today):
    """The committee's forum; the branch of 办公厅 presents; the office marks it exemplary."""
    forum = services.activity_create(
        actor=office_staff,
        type="forum",
        title="“四强”党支部建设论坛",
        held_on=today,
        organization=tree.orgs["committee"],
        campaign=campaign,
    )
    p = services.presentation_add(
        actor=office_staff,
        activity=forum,
        topic="聚焦创建“四强”党支部",
        organization=tree.orgs["branch"],
    )
    return services.exemplary_mark(actor=office_staff, obj=p, note="经验可复制推广")


def test_another_addressed_branch_sees_the_case_read_only(tree, case, outsider):
    """The secretary of 宣传司党支部 (addressed by the campaign, not presenting) finds the
    case on the cases page; the forum's own page stays the committee's, and the case
    cannot be changed or unmarked by them."""
    presentations, _activities = selectors.exemplary_cases(user=outsider)
    assert list(presentations) == [case]
    client = logged_in(outsider)
    page = client.get(reverse("campaigns:case_list")).content.decode()
    assert f'data-presentation="{case.pk}"' in page and "经验可复制推广" in page
    assert reverse("campaigns:activity_detail", args=[case.activity_id]) not in page
    assert (
        client.get(reverse("campaigns:activity_detail", args=[case.activity_id])).status_code == 404
    )
    with pytest.raises(PermissionDenied):
        services.exemplary_mark(actor=outsider, obj=case, exemplary=False)
    with pytest.raises(PermissionDenied):
        services.presentation_update(actor=outsider, presentation=case, topic="改")


def test_the_presenting_branch_sees_its_own_case(tree, case, branch_secretary):
    page = logged_in(branch_secretary).get(reverse("campaigns:case_list")).content.decode()
    assert f'data-presentation="{case.pk}"' in page


def test_cases_of_a_campaign_not_addressing_the_branch_stay_away(
    tree, office_staff, outsider, today
):
    """A campaign covering only 办公厅第三党支部 does not bring its cases to 宣传司党支部."""
    narrow = services.campaign_create(
        actor=office_staff,
        name="办公厅专项行动",
        organization=tree.orgs["committee"],
        covered=tree.orgs["branch"],
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=30),
    )
    activity = services.activity_create(
        actor=office_staff,
        type="forum",
        title="办公厅论坛",
        held_on=today,
        organization=tree.orgs["branch"],
        campaign=narrow,
    )
    p = services.presentation_add(
        actor=office_staff, activity=activity, topic="经验", organization=tree.orgs["branch"]
    )
    services.exemplary_mark(actor=office_staff, obj=p, note="好")
    assert not selectors.exemplary_cases(user=outsider)[0].exists()
    assert list(selectors.exemplary_cases(user=tree.users["branch_secretary"])[0]) == [p]
