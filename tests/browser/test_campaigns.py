"""A campaign's ledger in a real browser: jiguan launches a campaign with a
requirement, zhibu reports an activity, jiguan returns it, zhibu reports again,
jiguan accepts it and the ledger shows it accepted.

Assertions rest on data-testid attributes, URLs and the database, not on interface text.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.campaigns.models import Campaign, Submission

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_launch_report_return_accept(page, browser_tree, login, screenshot_dir):
    tree = browser_tree
    today = timezone.localdate()
    committee, branch = tree.orgs["committee"], tree.orgs["branch"]

    login(page, "jiguan")
    page.goto("/campaigns/")
    page.get_by_test_id("campaign-create").click()
    form = page.get_by_test_id("campaign-form")
    form.locator("#id_name").fill("能力提升行动")
    form.locator("#id_organization").select_option(str(committee.pk))
    form.locator("#id_covered").select_option(str(committee.pk))
    form.locator("#id_starts_on").fill(today.isoformat())
    form.locator("#id_ends_on").fill((today + datetime.timedelta(days=30)).isoformat())
    form.locator("input[name=capabilities][value=political]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/campaigns/\d+/$"))
    campaign = Campaign.objects.get()
    assert campaign.capabilities == ["political"]

    page.get_by_test_id("requirement-create").click()
    form = page.get_by_test_id("requirement-form")
    form.locator("#id_title").fill("开展“我为广电勇担当”主题党日")
    form.locator("input[name=organization_kinds][value=branch]").check()
    # A due date after the period: refused, the title kept.
    form.locator("#id_due_on").fill((today + datetime.timedelta(days=40)).isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("ul.errorlist[data-field=due_on]")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("开展“我为广电勇担当”主题党日")
    page.locator("#id_due_on").fill((today + datetime.timedelta(days=10)).isoformat())
    page.get_by_test_id("requirement-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/$"))
    expect(page.get_by_test_id("requirement-list").locator("li")).to_have_count(1)

    # zhibu reports a new activity from its ledger row.
    page.context.clear_cookies()
    login(page, "zhibu")
    page.goto(f"/campaigns/{campaign.pk}/ledger/")
    expect(page.get_by_test_id("ledger-row")).to_have_count(1)
    page.get_by_test_id("report-link").click()
    form = page.get_by_test_id("report-form")
    form.locator("#id_type").select_option("themed_party_day")
    form.locator("#id_title").fill("我为广电勇担当主题党日")
    form.locator("#id_held_on").fill(today.isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/ledger/$"))
    expect(page.get_by_test_id("ledger-cell").first).to_have_attribute("data-status", "reported")
    expect(page.get_by_test_id("accept-button")).to_have_count(0)  # not for the branch

    # jiguan returns it with a reason.
    page.context.clear_cookies()
    login(page, "jiguan")
    page.goto(f"/campaigns/{campaign.pk}/ledger/")
    row = page.locator(f"[data-testid=ledger-row][data-org='{branch.pk}']")
    row.get_by_test_id("return-link").click()
    page.locator("#id_reason").fill("请补充活动照片。")
    page.get_by_test_id("return-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/ledger/$"))
    expect(row.get_by_test_id("ledger-cell")).to_have_attribute("data-status", "returned")

    # zhibu reports the same activity again.
    page.context.clear_cookies()
    login(page, "zhibu")
    page.goto(f"/campaigns/{campaign.pk}/ledger/")
    page.get_by_test_id("report-link").click()
    expect(page.get_by_test_id("returned-reason")).to_be_visible()
    submission = Submission.objects.get()
    page.locator("#id_activity").select_option(str(submission.activity_id))
    page.get_by_test_id("report-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/ledger/$"))

    # jiguan accepts; the ledger shows it accepted.
    page.context.clear_cookies()
    login(page, "jiguan")
    page.goto(f"/campaigns/{campaign.pk}/ledger/")
    row = page.locator(f"[data-testid=ledger-row][data-org='{branch.pk}']")
    row.get_by_test_id("accept-button").click()
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/ledger/$"))
    expect(row.get_by_test_id("ledger-cell")).to_have_attribute("data-status", "accepted")
    expect(page.get_by_test_id("requirement-percent")).to_contain_text("50%")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    assert submission.reviewer.username == "jiguan"
    page.screenshot(path=str(screenshot_dir / "campaigns-ledger.png"), full_page=True)
