"""A leading group meeting recorded through the pages: attendance, first-agenda study of a topic,
a decision, and the decision turned into a task.

Assertions rest on data-testid attributes, URLs and the database, not on interface text.
"""

from __future__ import annotations

import datetime
import re

import docx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.meetings.models import Attendance, Meeting
from dangjian.people import services as people_services
from dangjian.study.models import Topic
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def leading_group(browser_tree):
    """Two leading group post holders and a topic in the library."""
    root = browser_tree.orgs["root"]
    chief = factories.make_member(browser_tree.orgs["committee"], "党组书记甲")
    deputy = factories.make_member(browser_tree.orgs["branch"], "党组成员乙")
    for member, title in ((chief, "leading_group_secretary"), (deputy, "leading_group_member")):
        people_services.post_assign(
            actor=None, member=member, organization=root, title=title, check=False
        )
    topic = Topic.objects.create(
        kind="speech",
        title="关于推动高质量发展的重要讲话",
        speaker="习近平",
        given_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    return {"chief": chief, "deputy": deputy, "topic": topic}


def test_record_a_leading_group_meeting(page, browser_tree, leading_group, login, screenshot_dir):
    root = browser_tree.orgs["root"]
    chief, deputy, topic = leading_group["chief"], leading_group["deputy"], leading_group["topic"]
    login(page, "dangzu")

    # 1. The meeting, started a quarter of an hour ago.
    page.goto("/meetings/new/")
    starts = timezone.localtime(timezone.now() - datetime.timedelta(minutes=15))
    form = page.get_by_test_id("meeting-form")
    form.locator("#id_organization").select_option(str(root.pk))
    form.locator("#id_kind").select_option("leading_group_meeting")
    form.locator("#id_title").fill("党组会议传达学习重要讲话精神")
    form.locator("#id_starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_venue").fill("第一会议室")
    # The chair is found by typing part of the name (htmx), not chosen from every member.
    expect(form.locator("#id_chair option")).to_have_count(1)
    form.get_by_test_id("member-pick-chair").fill("党组书记")
    expect(form.locator(f"#id_chair option[value='{chief.pk}']")).to_have_count(1)
    form.locator("#id_chair").select_option(str(chief.pk))
    form.locator("#id_invited_leaders_text").fill("丙某 驻局纪检监察组组长")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get(title="党组会议传达学习重要讲话精神")
    assert meeting.organization_id == root.pk
    # Expected attendees default to the leading group's post holders.
    assert set(meeting.attendances.values_list("member__name", flat=True)) == {
        "党组书记甲",
        "党组成员乙",
    }
    expect(page.get_by_test_id("first-agenda-badge")).to_be_visible()
    qr = page.get_by_test_id("signin-qr")
    expect(qr).to_be_visible()
    page.wait_for_function("el => el.complete", arg=qr.element_handle())
    assert qr.evaluate("el => el.naturalWidth") > 0, "the QR code image did not render"

    # 2. Attendance: the secretary present, the member on leave with a reason.
    page.get_by_test_id("attendance-edit").click()
    rows = page.get_by_test_id("attendance-row")
    expect(rows).to_have_count(4)  # two listed + two empty rows to add members
    for i in range(2):
        name = rows.nth(i).locator("td").first.inner_text().strip()
        status = rows.nth(i).locator("select[name$='-status']")
        if name == chief.name:
            status.select_option("present")
        else:
            status.select_option("leave")
            rows.nth(i).locator("input[name$='-reason']").fill("出差")
    page.get_by_test_id("attendance-save").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    table = page.get_by_test_id("attendance")
    expect(table.locator(f"tr[data-member='{chief.pk}']")).to_have_attribute(
        "data-status", "present"
    )
    expect(table.locator(f"tr[data-member='{deputy.pk}']")).to_have_attribute(
        "data-status", "leave"
    )
    assert Attendance.objects.get(meeting=meeting, member=deputy).reason == "出差"

    # 3. The first item: study, linking the topic found through the search box.
    page.get_by_test_id("agenda-add").click()
    agenda = page.get_by_test_id("agenda-form")
    expect(agenda.locator("#id_kind")).to_have_value("study")
    agenda.locator("#id_title").fill("传达学习重要讲话精神")
    agenda.locator("[data-topic-filter]").fill("高质量")
    agenda.locator("#id_topics").select_option(str(topic.pk))
    agenda.locator("button[type=submit]").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("agenda-topics")).to_contain_text(topic.title)
    expect(page.get_by_test_id("first-agenda-badge")).to_have_count(0)

    # 4. A second item with the meeting's requirements.
    page.get_by_test_id("agenda-add").click()
    agenda = page.get_by_test_id("agenda-form")
    agenda.locator("#id_kind").select_option("deliberation")
    agenda.locator("#id_title").fill("研究贯彻落实举措")
    agenda.locator("#id_statements").fill("会议要求\n一要提高政治站位\n二要狠抓工作落实")
    agenda.locator("button[type=submit]").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("measure")).to_have_count(2)

    # 5. The second requirement becomes a task led by the office.
    page.get_by_test_id("decision-to-tasks").nth(1).click()
    task_form = page.get_by_test_id("decision-tasks-form")
    expect(task_form.locator("#id_tasks-0-title")).to_have_value("二要狠抓工作落实")
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    task_form.locator("#id_tasks-0-deadline").fill(deadline.isoformat())
    task_form.locator("#id_tasks-0-lead_unit").select_option(str(browser_tree.units["office"].pk))
    # The responsible person through the picker; a row added by the button searches too.
    first = task_form.locator("#id_tasks-0-responsible")
    task_form.get_by_test_id("member-pick-tasks-0-responsible").fill("党组书记")
    expect(first.locator(f"option[value='{chief.pk}']")).to_have_count(1)
    first.select_option(str(chief.pk))
    n = task_form.get_by_test_id("task-row").count()
    page.get_by_test_id("add-task-row").click()
    task_form.get_by_test_id(f"member-pick-tasks-{n}-responsible").fill("党组成员")
    added = task_form.locator(f"#id_tasks-{n}-responsible option[value='{deputy.pk}']")
    expect(added).to_have_count(1)
    page.get_by_test_id("decision-tasks-save").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("item-tasks")).to_contain_text("二要狠抓工作落实")
    page.screenshot(path=screenshot_dir / "meeting_detail.png", full_page=True)

    from dangjian.tasks.models import Task

    task = Task.objects.get(origin_meeting=meeting)
    assert task.deadline == deadline
    assert task.lead_unit_id == browser_tree.units["office"].pk
    assert task.responsible_id == chief.pk
    assert task.organization_id == root.pk

    # 6. The task is on the supervision board, not started.
    page.goto("/tasks/")
    column = page.get_by_test_id("column-not_started")
    expect(column.get_by_test_id("task-card").filter(has_text="二要狠抓工作落实")).to_have_count(1)

    # 7. The minutes download as a .docx holding the record.
    page.goto(f"/meetings/{meeting.pk}/")
    with page.expect_download() as info:
        page.get_by_test_id("documents").locator("a").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    text = "\n".join(p.text for p in docx.Document(download.path()).paragraphs)
    assert meeting.title in text or "党组会议" in text
    assert chief.name in text and topic.title in text


def test_compliance_page_draws_its_chart(page, browser_tree, login):
    """The office sees its branches' compliance as a table and an ECharts bar chart."""
    from tests.meetings.conftest import ensure_default_rules

    ensure_default_rules()  # an earlier transactional test emptied the table
    login(page, "jiguan")
    page.goto("/meetings/compliance/")
    expect(page.get_by_test_id("compliance-table").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_test_id("compliance-chart").locator("canvas")).to_have_count(1)
    page.goto("/meetings/")
    expect(page.get_by_test_id("meeting-empty")).to_be_visible()
