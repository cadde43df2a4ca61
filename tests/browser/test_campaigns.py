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


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 16, 46)).save(buf, "PNG")
    return buf.getvalue()


def test_activity_presentation_photo_exemplary_case(page, browser_tree, login, screenshot_dir):
    """zhibu records an activity with a leader, a presentation and a photo (a text file
    named .jpg is refused first); jiguan marks the presentation as an exemplary case and
    finds it on the cases page."""
    from dangjian.campaigns.models import Activity, ActivityPhoto, Presentation

    tree = browser_tree
    today = timezone.localdate()
    branch = tree.orgs["branch"]

    login(page, "zhibu")
    page.goto("/campaigns/activities/")
    expect(page.get_by_test_id("activity-empty")).to_be_visible()
    page.get_by_test_id("activity-create").click()
    form = page.get_by_test_id("activity-form")
    form.locator("#id_type").select_option("themed_party_day")
    form.locator("#id_title").fill("我为广电勇担当主题党日")
    form.locator("#id_held_on").fill(today.isoformat())
    form.locator("#id_organization").select_option(str(branch.pk))
    form.locator("#id_participants").fill("25")
    form.locator("#id_leaders-0-name").fill("杨小伟")
    form.locator("#id_leaders-0-role").select_option("entrusted")
    # Entrusted without saying by whom: refused, the input kept.
    page.get_by_test_id("activity-save").click()
    expect(page.locator("ul.errorlist[data-field=leaders-entrusted_by]")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("我为广电勇担当主题党日")
    page.locator("#id_leaders-0-entrusted_by").fill("局党组书记")
    page.get_by_test_id("add-leader").click()
    expect(page.get_by_test_id("leader-row")).to_have_count(3)
    page.locator("#id_leaders-2-name").fill("李书记")
    page.locator("#id_leaders-2-role").select_option("chaired")
    page.get_by_test_id("activity-save").click()
    page.wait_for_url(re.compile(r"/campaigns/activities/\d+/$"))
    activity = Activity.objects.get()
    assert [x["name"] for x in activity.leaders] == ["杨小伟", "李书记"]
    expect(page.get_by_test_id("leader-list")).to_contain_text("局党组书记")

    page.get_by_test_id("presentation-create").click()
    form = page.get_by_test_id("presentation-form")
    form.locator("#id_organization").select_option(str(branch.pk))
    form.locator("#id_topic").fill("聚焦创建“四强”党支部")
    form.locator("#id_summary").fill("推动党中央决策部署贯彻落实的经验做法")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/campaigns/activities/{activity.pk}/$"))
    expect(page.get_by_test_id("presentation")).to_have_count(1)

    # A text file named .jpg: a clear message, nothing saved.
    photo_form = page.get_by_test_id("photo-form")
    photo_form.locator("input[type=file]").set_input_files(
        {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": "这不是图片".encode()}
    )
    photo_form.get_by_test_id("photo-upload").click()
    expect(page.locator("ul.errorlist[data-field=image]")).to_contain_text("现场.jpg")
    assert not ActivityPhoto.objects.exists()
    page.locator("input[type=file]").set_input_files(
        {"name": "现场.png", "mimeType": "image/png", "buffer": _png()}
    )
    page.locator("#id_caption").fill("主题党日现场")
    page.get_by_test_id("photo-upload").click()
    page.wait_for_url(re.compile(rf"/campaigns/activities/{activity.pk}/"))
    expect(page.get_by_test_id("photo")).to_have_count(1)
    thumb = page.get_by_test_id("photo").locator("img")
    expect(thumb).to_have_js_property("naturalWidth", 320)
    expect(page.get_by_test_id("presentation-mark")).to_have_count(0)  # not for the branch

    # jiguan marks the presentation as an exemplary case; it is on the cases page.
    page.context.clear_cookies()
    login(page, "jiguan")
    page.goto(f"/campaigns/activities/{activity.pk}/")
    page.get_by_test_id("presentation-mark").click()
    page.locator("#id_note").fill("经验可复制可推广")
    page.get_by_test_id("exemplary-save").click()
    page.wait_for_url(re.compile(rf"/campaigns/activities/{activity.pk}/$"))
    expect(page.get_by_test_id("presentation-exemplary")).to_be_visible()
    page.goto("/campaigns/cases/")
    row = page.get_by_test_id("case-presentation")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("聚焦创建“四强”党支部")
    assert Presentation.objects.get().exemplary
    page.screenshot(path=str(screenshot_dir / "campaigns-cases.png"), full_page=True)
