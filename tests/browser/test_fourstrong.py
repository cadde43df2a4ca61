"""A branch through a four-strong cycle to naming, in a real browser: zhibu scores and
submits, jiguan (the organ committee's office) recommends, reviews, starts the public
notice and names it. Assertions rest on data-testid attributes and the database."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.fourstrong.models import Assessment, AssessmentStatus
from tests.fourstrong.conftest import start_cycle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_branch_through_a_cycle_to_naming(page, browser_tree, login, screenshot_dir):
    tree = browser_tree
    cycle = start_cycle(tree, tree.users["office_staff"])
    assessment = cycle.assessments.get(branch=tree.orgs["branch"])
    url = f"/fourstrong/assessments/{assessment.pk}/"

    login(page, "zhibu")
    page.goto(url)
    inputs = page.locator("input[name^=self_]")
    count = inputs.count()
    assert count == 5
    # Out of range first: refused, the typed value kept.
    inputs.nth(0).fill("99")
    page.get_by_test_id("save-scores").click()
    expect(page.get_by_test_id("score-errors")).to_be_visible()
    expect(page.locator("input[name^=self_]").nth(0)).to_have_value("99")
    for i in range(count):
        page.locator("input[name^=self_]").nth(i).fill("5")
    page.get_by_test_id("save-scores").click()
    page.wait_for_url(re.compile(rf"{url}$"))
    page.get_by_test_id("step-submit").click()
    page.wait_for_url(re.compile(rf"{url}$"))
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SUBMITTED
    expect(page.get_by_test_id("step-recommend")).to_have_count(0)  # not for the branch

    page.context.clear_cookies()
    login(page, "jiguan")
    page.goto(url)
    page.get_by_test_id("step-recommend").click()
    page.wait_for_url(re.compile(rf"{url}$"))
    page.get_by_test_id("step-review").click()
    page.wait_for_url(re.compile(rf"{url}$"))
    today = timezone.localdate()
    page.locator("input[name=start]").fill(today.isoformat())
    page.locator("input[name=end]").fill((today + datetime.timedelta(days=5)).isoformat())
    page.get_by_test_id("step-notice").click()
    page.wait_for_url(re.compile(rf"{url}$"))
    page.get_by_test_id("step-name").click()
    page.wait_for_url(re.compile(rf"{url}$"))

    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.NAMED
    assert assessment.total is not None
    assert list(assessment.events.values_list("step", flat=True))[-1] == "named"
    expect(page.get_by_test_id("radar").locator("canvas")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "fourstrong-assessment.png"), full_page=True)

    expect(page.get_by_test_id("history-chart").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("events")).to_contain_text("jiguan")

    page.goto(f"/fourstrong/cycles/{cycle.pk}/ranking/")
    expect(page.get_by_test_id("ranking-table").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("distribution-chart").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("distribution").locator("tbody tr")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "fourstrong-ranking.png"), full_page=True)
