"""Supervised tasks in a real browser: the branch reports and asks for closure, the
leading group's office approves, the board shows the task closed.

Assertions rest on data-testid attributes, URLs and the database, not on interface text.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.tasks import services
from dangjian.tasks.models import Task, TaskEvent, TaskStatus

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_branch_reports_and_requests_closure_office_approves(
    page, browser_tree, login, screenshot_dir
):
    tree = browser_tree
    task = services.task_create(
        actor=tree.users["dangzu_office"],
        title="组织专题学习并形成学习纪要",
        organization=tree.orgs["root"],
        lead_organization=tree.orgs["branch"],
        lead_unit=tree.units["office"],
        responsible=tree.members["secretary"],
        deadline=timezone.localdate() + datetime.timedelta(days=14),
    )

    second = services.task_create(
        actor=tree.users["dangzu_office"],
        title="建立学习台账",
        organization=tree.orgs["root"],
        lead_organization=tree.orgs["branch"],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )

    # zhibu starts one task from the board (htmx) and reports progress on the other.
    login(page, "zhibu")
    page.goto("/tasks/")
    page.get_by_test_id("task-card").filter(has_text=second.title).get_by_test_id(
        "card-start"
    ).click()
    expect(
        page.get_by_test_id("column-in_progress")
        .get_by_test_id("task-card")
        .filter(has_text=second.title)
    ).to_have_count(1)
    column = page.get_by_test_id("column-not_started")
    card = column.get_by_test_id("task-card").filter(has_text=task.title)
    expect(card).to_have_count(1)
    card.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/tasks/{task.pk}/$"))

    page.get_by_test_id("report-progress").click()
    form = page.get_by_test_id("progress-form")
    form.locator("#id_percent").fill("120")
    form.locator("#id_text").fill("已召开支部委员会，部署专题学习。")
    form.locator("button[type=submit]").click()
    # Out of range: refused, the text kept.
    expect(page.locator("ul.errorlist[data-field=percent]")).to_be_visible()
    expect(page.locator("#id_text")).to_have_value("已召开支部委员会，部署专题学习。")
    page.locator("#id_percent").fill("100")
    page.get_by_test_id("progress-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tasks/{task.pk}/$"))
    expect(page.get_by_test_id("timeline-report")).to_have_count(1)
    expect(page.get_by_test_id("task-progress")).to_contain_text("100%")

    page.get_by_test_id("request-closure").click()
    page.locator("#id_reason").fill("学习纪要已形成并报送。")
    page.get_by_test_id("reason-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tasks/{task.pk}/$"))
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CLOSURE_REQUESTED
    expect(page.get_by_test_id("approve-closure")).to_have_count(0)  # not for the branch

    # dangzu approves.
    page.context.clear_cookies()
    login(page, "dangzu")
    page.goto(f"/tasks/{task.pk}/")
    page.get_by_test_id("approve-closure").click()
    page.locator("#id_reason").fill("同意办结。")
    page.get_by_test_id("reason-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tasks/{task.pk}/$"))

    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    closed = task.events.get(kind=TaskEvent.Kind.CLOSED)
    assert closed.actor.username == "dangzu" and closed.reason == "同意办结。"

    page.goto("/tasks/")
    closed_column = page.get_by_test_id("column-closed")
    expect(closed_column.get_by_test_id("task-card").filter(has_text=task.title)).to_have_count(1)
    expect(closed_column.get_by_test_id("column-count")).to_have_text("1")
    page.screenshot(path=str(screenshot_dir / "tasks-board.png"), full_page=True)

    # The overview draws its chart (ECharts, no JS errors).
    page.goto("/tasks/overview/")
    expect(page.get_by_test_id("task-chart").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("overview-total")).to_have_text("2")


def test_task_form_picks_the_responsible_person_by_search(page, browser_tree, login):
    """The responsible person is found by typing part of the name (htmx), not chosen
    from a list of every member in scope."""
    tree = browser_tree
    login(page, "dangzu")
    page.goto("/tasks/new/")
    form = page.get_by_test_id("task-form")
    form.locator("#id_title").fill("落实责任人检索")
    form.locator("#id_organization").select_option(str(tree.orgs["root"].pk))
    form.locator("#id_lead_organization").select_option(str(tree.orgs["branch"].pk))
    form.locator("#id_deadline").fill(
        (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    )
    secretary = tree.members["secretary"]
    # Before searching, the select holds no member at all.
    expect(form.locator("#id_responsible option")).to_have_count(1)
    picks = []
    page.on("request", lambda r: picks.append(r.url) if "/members/pick/" in r.url else None)
    # An ID number typed into the box is not sent (it would be in the address and the log).
    page.get_by_test_id("member-pick-responsible").fill("11010119750301 1234")
    page.wait_for_timeout(800)
    assert picks == []
    page.get_by_test_id("member-pick-responsible").fill("李书")
    option = form.locator(f"#id_responsible option[value='{secretary.pk}']")
    expect(option).to_have_count(1)
    far = tree.members["far"]
    expect(form.locator(f"#id_responsible option[value='{far.pk}']")).to_have_count(0)
    assert picks and all("1101011975" not in url for url in picks)
    form.locator("#id_responsible").select_option(str(secretary.pk))
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    created = Task.objects.get(title="落实责任人检索")
    assert created.responsible_id == secretary.pk

    # Editing keeps the chosen person without searching again.
    page.goto(f"/tasks/{created.pk}/edit/")
    expect(page.locator("#id_responsible")).to_have_value(str(secretary.pk))
    page.locator("#id_title").fill("落实责任人检索（改）")
    page.get_by_test_id("task-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tasks/{created.pk}/$"))
    created.refresh_from_db()
    assert created.title == "落实责任人检索（改）" and created.responsible_id == secretary.pk
