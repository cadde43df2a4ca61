"""从报道导入 in a real browser: the leading group's office pastes seed 002, corrects the
organization, turns two requirements into tasks, saves the meeting and finds the tasks on
the board; then pastes seed 000, saves it as an activity with its leaders and
presentations, and finds the activity (its page, and its news draft).

Assertions rest on data-testid attributes, field names, URLs and the database.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.meetings.models import Meeting
from dangjian.study.models import Topic
from dangjian.study.services import topic_create
from dangjian.tasks.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SEED = Path("/work/shared/seeds/002_5d496fc68e932dd4.txt")
if not SEED.exists():
    SEED = Path(__file__).parents[1] / "reports" / "seeds" / "002_5d496fc68e932dd4.txt"
SEED_ACTIVITY = Path("/work/shared/seeds/000_67fb47b01aeea588.txt")
if not SEED_ACTIVITY.exists():
    SEED_ACTIVITY = Path(__file__).parents[1] / "reports" / "seeds" / "000_67fb47b01aeea588.txt"


def test_paste_seed_002_save_meeting_find_tasks_on_board(page, browser_tree, login, screenshot_dir):
    tree = browser_tree
    root, office = tree.orgs["root"], tree.units["office"]
    text = SEED.read_text(encoding="utf-8")
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    # The library already holds the first speech: the draft links it, the others are created.
    existing = topic_create(
        actor=tree.users["dangzu_office"],
        kind="speech",
        title="习近平总书记在纪念毛泽东同志诞辰130周年座谈会上的重要讲话",
        given_on=datetime.date(2023, 12, 26),
    )

    login(page, "dangzu")
    page.goto(reverse("report_import:start"))
    expect(page.get_by_test_id("import-start-form")).to_be_visible()
    page.locator("#id_text").fill(text)
    page.get_by_test_id("import-read").click()

    # Step 2: the source with its values highlighted, the draft beside it. Nothing saved.
    form = page.get_by_test_id("import-form")
    expect(form).to_be_visible()
    source = page.get_by_test_id("source-text")
    expect(source.locator("mark[data-field=chair]")).to_have_text("张新文")
    expect(source.locator("mark[data-field='measure-1']")).to_contain_text("二要紧紧围绕")
    expect(page.get_by_test_id("study-row")).to_have_count(6)
    expect(page.get_by_test_id("measure-row")).to_have_count(7)
    assert Meeting.objects.count() == 0
    # A highlighted requirement leads to its field.
    source.locator("mark[data-field='measure-4']").click()
    expect(page.locator("#id_measure-4-text")).to_be_focused()
    page.screenshot(path=screenshot_dir / "report_import_review.png", full_page=True)

    # The report's 省广电局党组 is not in the test tree: pick the root leading group.
    first = page.get_by_test_id("study-row").first
    expect(first.locator("input[value=link]")).to_be_checked()
    expect(first.locator("select[name='study-0-topic']")).to_have_value(str(existing.pk))
    expect(first.locator("input[name='study-0-title']")).to_be_hidden()
    expect(form.locator("#id_measure-1-deadline")).to_be_hidden()
    form.locator("#id_organization").select_option(str(root.pk))
    expect(form.locator("#id_kind")).to_have_value("leading_group_meeting")
    chosen = (1, 4)
    for i in chosen:
        form.locator(f"#id_measure-{i}-task").check()
        form.locator(f"#id_measure-{i}-lead_unit").select_option(str(office.pk))
        form.locator(f"#id_measure-{i}-deadline").fill(deadline.isoformat())
    page.get_by_test_id("import-save").click()

    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get()
    assert page.url.endswith(meeting.get_absolute_url())
    assert meeting.organization_id == root.pk
    item = meeting.agenda_items.get()
    assert item.topics.count() == 6 and len(item.decisions) == 7
    assert existing in item.topics.all() and Topic.objects.count() == 6
    tasks = list(Task.objects.filter(origin_meeting=meeting))
    assert len(tasks) == 2
    # Each task carries out its requirement, kept whole in the study item's blocks.
    assert {t.origin_measure.text for t in tasks} == {item.decisions[i] for i in chosen}
    assert all(t.origin_measure.text.startswith(t.title) for t in tasks)
    assert [b.kind for b in item.blocks.all()] == ["pointed_out", "required", "held", "pointed_out"]
    assert all(t.deadline == deadline and t.lead_unit_id == office.pk for t in tasks)

    # The tasks are on the supervision board, not started.
    page.goto(reverse("tasks:task_board"))
    column = page.get_by_test_id("column-not_started")
    for i in chosen:
        card = column.get_by_test_id("task-card").filter(has_text=item.decisions[i][:8])
        expect(card).to_have_count(1)


def test_paste_seed_000_save_activity_and_find_it(page, browser_tree, login, screenshot_dir):
    from dangjian.campaigns.models import Activity, Campaign
    from dangjian.reports.import_views import activity_url

    tree = browser_tree
    committee = tree.orgs["committee"]
    campaign = Campaign.objects.create(
        name="“政治机关,政治工作”能力提升行动",
        organization=tree.orgs["root"],
        covered=tree.orgs["root"],
        starts_on=datetime.date(2023, 5, 1),
        ends_on=datetime.date(2023, 11, 30),
    )
    text = SEED_ACTIVITY.read_text(encoding="utf-8")

    login(page, "dangzu")
    page.goto(reverse("report_import:start"))
    page.locator("#id_text").fill(text)
    page.get_by_test_id("import-read").click()

    # Step 2 is the activity form: the source highlighted beside it, nothing saved yet.
    form = page.get_by_test_id("import-form")
    expect(page.get_by_test_id("switch-to-meeting")).to_be_visible()
    source = page.get_by_test_id("source-text")
    expect(source.locator("mark[data-field=venue]")).to_have_text("五四二台")
    expect(form.locator("#id_type")).to_have_value("launch_ceremony")
    expect(form.locator("#id_held_on")).to_have_value("2023-05-06")
    expect(form.locator("#id_campaign")).to_have_value(str(campaign.pk))
    expect(form.locator("[name='leader-0-name']")).to_have_value("杨小伟")
    expect(form.locator("[name='leader-0-role']")).to_have_value("entrusted")
    expect(form.locator("[name='leader-0-entrusted_by']")).to_have_value(
        "总局党组成员、副局长乐玉成"
    )
    expect(page.get_by_test_id("presentation-row")).to_have_count(11)  # 10 read + 1 empty
    expect(form.locator("[name='presentation-0-organization']")).to_have_value(
        str(tree.orgs["branch"].pk)
    )
    expect(form.locator("[name='presentation-1-unit']")).to_have_value(
        str(tree.units["publicity"].pk)
    )
    assert Activity.objects.count() == 0
    page.screenshot(path=screenshot_dir / "report_import_activity_review.png", full_page=True)

    # The report's 广电总局 is not in the test tree: the organ committee holds it here.
    form.locator("#id_organization").select_option(str(committee.pk))
    form.locator("#id_theme").fill("学习新思想 提升新本领")
    form.locator("[name='presentation-9-include']").uncheck()
    page.get_by_test_id("import-save").click()

    page.wait_for_url(re.compile(r"/activities/\d+/"))
    activity = Activity.objects.get()
    assert page.url.endswith(activity_url(activity))
    assert activity.organization_id == committee.pk and activity.campaign_id == campaign.pk
    assert activity.theme == "学习新思想 提升新本领"
    assert activity.leaders[0]["entrusted_by"] == "总局党组成员、副局长乐玉成"
    labels = [p.presenter_label() for p in activity.presentations.order_by("order")]
    assert len(labels) == 9 and labels[:2] == ["办公厅第三党支部", "宣传司"]
    expect(page.locator("body")).to_contain_text("四强")

    # Its news draft, generated from the saved record, names the presenters again.
    page.goto(reverse("reports:activity_news", args=[activity.pk]))
    box = page.locator("#id_text")
    expect(box).to_have_value(re.compile("北京地球站节目平台机房党支部"))
    expect(box).to_have_value(re.compile("受总局党组成员、副局长乐玉成委托"))
    expect(
        page.locator("[data-testid=draft-check] tr[data-field=presentations] .bi-check-circle")
    ).to_have_count(1)
