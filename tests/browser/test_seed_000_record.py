"""Seed 000 in a real browser (issue 12 points 4, 5 and 8): the office records the launch
ceremony and forum by hand — one activity of two kinds, organised by 广电总局, with the
entrusted leader and a presentation with its recommending department — and reads its
news draft; then it imports the seed through the import screen with the defaults (only
the recording organization chosen) and gets the same record and the same draft.

Assertions rest on data-testid attributes, field names, URLs and the database.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SEED = Path(__file__).parents[1] / "reports" / "seeds" / "000_67fb47b01aeea588.txt"
TITLE = "“政治机关,政治工作” 能力提升行动启动仪式暨“四强”党支部建设论坛"
GROUPS = (
    "总局机关各部门党支部副书记\n直属各单位分管党建工作的有关负责同志、党办主任或党支部书记代表"
)


def _draft(page, activity) -> str:
    page.goto(reverse("reports:activity_news", args=[activity.pk]))
    return page.locator("#id_text").input_value()


def _head(draft: str) -> list[str]:
    """Headline and lead (date, organizer, venue, leaders, participants)."""
    return [p for p in draft.split("\n") if p.strip()][:2]


def test_seed_000_by_hand_and_by_import_give_one_record_and_one_draft(page, browser_tree, login):
    from dangjian.campaigns.models import Activity, Campaign

    tree = browser_tree
    committee = tree.orgs["committee"]
    campaign = Campaign.objects.create(
        name="“政治机关,政治工作”能力提升行动",
        organization=tree.orgs["root"],
        covered=tree.orgs["root"],
        starts_on=datetime.date(2023, 5, 1),
        ends_on=datetime.date(2023, 11, 30),
    )
    login(page, "dangzu")

    # By hand: one activity, two kinds, held by the organ, recorded by the committee.
    page.goto(reverse("campaigns:activity_create"))
    form = page.get_by_test_id("activity-form")
    form.locator("#id_type").select_option("launch_ceremony")
    form.locator("input[name=more_types][value=forum]").check()
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_held_on").fill("2023-05-06")
    form.locator("#id_venue").fill("五四二台")
    form.locator("#id_organization").select_option(str(committee.pk))
    form.locator("#id_organizer_text").fill("广电总局")
    form.locator("#id_campaign").select_option(str(campaign.pk))
    form.locator("#id_participant_groups").fill(GROUPS)
    form.locator("#id_leaders-0-name").fill("杨小伟")
    form.locator("#id_leaders-0-title").fill("总局党组成员、副局长、机关党委书记")
    form.locator("#id_leaders-0-role").select_option("entrusted")
    form.locator("#id_leaders-0-entrusted_by").fill("总局党组成员、副局长乐玉成")
    page.get_by_test_id("activity-save").click()
    page.wait_for_url(re.compile(r"/campaigns/activities/\d+/$"))
    by_hand = Activity.objects.get()
    assert by_hand.kinds() == ["launch_ceremony", "forum"]
    expect(page.get_by_test_id("activity-organizer")).to_contain_text("广电总局")
    page.get_by_test_id("presentation-create").click()
    form = page.get_by_test_id("presentation-form")
    form.locator("#id_organization").select_option(str(tree.orgs["branch"].pk))
    form.locator("#id_recommended_by_unit").select_option(str(tree.units["office"].pk))
    form.locator("#id_topic").fill("聚焦创建“四强”党支部")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/campaigns/activities/{by_hand.pk}/$"))
    expect(page.get_by_test_id("presentation-recommended")).to_contain_text("办公厅")
    hand_draft = _draft(page, by_hand)
    assert hand_draft.startswith("广电总局举办“政治机关，政治工作”")

    # By import, with the defaults: the same record, the same draft.
    page.goto(reverse("report_import:start"))
    page.locator("#id_text").fill(SEED.read_text(encoding="utf-8"))
    page.get_by_test_id("import-read").click()
    form = page.get_by_test_id("import-form")
    expect(form.locator("#id_organizer_text")).to_have_value("广电总局")
    expect(form.locator("input[name=more_types][value=forum]")).to_be_checked()
    form.locator("#id_organization").select_option(str(committee.pk))
    page.get_by_test_id("import-save").click()
    page.wait_for_url(re.compile(r"/activities/\d+/"))
    imported = Activity.objects.exclude(pk=by_hand.pk).get()
    fields = ("type", "types", "title", "held_on", "venue", "organizer_text", "campaign_id")
    assert [getattr(imported, f) for f in fields] == [getattr(by_hand, f) for f in fields]
    assert imported.leaders == by_hand.leaders
    assert imported.participant_groups.splitlines() == by_hand.participant_groups.splitlines()
    assert _head(_draft(page, imported)) == _head(hand_draft)
