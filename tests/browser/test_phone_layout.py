"""The main pages on a phone (390×844) and on an office screen (1366×768), in Chromium.

Each page of the walk (home and notifications, my data, meetings list and detail, QR
sign-in, task board, list and progress report, a campaign requirement's report form, the
four-strong self-assessment, review and objection, the training form) is opened as the
persona who uses it, and a script in the page looks for what breaks a layout:

* an element wider than the viewport (outside a container that scrolls or clips
  sideways, such as ``.table-responsive``, the intended way for wide tables);
* text that renders one character per line (a squeezed heading, button, label, table
  heading or cell);
* a button whose label wraps onto a second line (a link-styled button that carries a
  text, ``btn-link text-start``, may wrap);
* a date box without a visible label (a date box shows only "年/月/日").

The offending elements are listed in the failure message. At phone size the sidebar is
an off-canvas menu behind the top bar's menu button, and the account links are behind
the person button.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.campaigns import services as campaign_services
from dangjian.core.notify import notify
from dangjian.fourstrong import services as fourstrong_services
from dangjian.meetings import services as meeting_services
from dangjian.tasks import services as task_services
from tests.fourstrong.conftest import start_cycle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}

LAYOUT_PROBLEMS = r"""
() => {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const describe = (el) => {
    const one = (e) => {
      let s = e.tagName.toLowerCase();
      if (e.id) s += "#" + e.id;
      if (e.dataset && e.dataset.testid) s += `[data-testid=${e.dataset.testid}]`;
      const cls = [...e.classList].slice(0, 3).join(".");
      return cls ? `${s}.${cls}` : s;
    };
    const parent = el.parentElement;
    return parent && parent !== document.body ? `${one(parent)} > ${one(el)}` : one(el);
  };
  const visible = (el) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  // An ancestor that scrolls or clips sideways (.table-responsive, text-overflow) owns
  // the overflow; that ancestor itself is checked.
  const contained = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  if (document.documentElement.scrollWidth > vw + 1) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px > ${vw}px`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;  // visually hidden helpers
    if ((r.right > vw + 1 || r.left < -1) && !contained(el)) {
      problems.push(
        `wider than the viewport (${Math.round(r.left)}..${Math.round(r.right)} of ${vw}): ` +
          describe(el)
      );
    }
  }
  // Text one character per line, and button labels on more than one line: the lines a
  // text node's characters sit on (characters whose middles lie within half a character's
  // height of each other share a line).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const chars = [...node.data.matchAll(/\S/gu)];
    const el = node.parentElement;
    if (!chars.length || !el || ["SCRIPT", "STYLE", "OPTION", "TEXTAREA"].includes(el.tagName)) {
      continue;
    }
    if (!visible(el)) continue;
    const lines = [];
    for (const m of chars) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const box = range.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      const middle = box.top + box.height / 2;
      const line = lines.find((l) => Math.abs(l.middle - middle) < box.height / 2);
      if (line) line.count += 1;
      else lines.push({ middle, count: 1 });
    }
    const text = node.data.trim().slice(0, 24);
    if (chars.length >= 2 && lines.length >= 2 && lines.every((l) => l.count === 1)) {
      problems.push(`one character per line (${lines.length} lines): ${describe(el)} “${text}”`);
    } else if (lines.length >= 2 && el.closest(".btn:not(.btn-link.text-start)")) {
      // (a link-styled button that carries a text, such as a notification's title, may wrap)
      problems.push(`a button's label wraps (${lines.length} lines): ${describe(el)} “${text}”`);
    }
  }
  for (const box of document.querySelectorAll("input[type=date]")) {
    if (!visible(box)) continue;
    if (![...box.labels].some((label) => visible(label) && label.textContent.trim())) {
      problems.push(`a date box without a visible label: ${describe(box)}[name=${box.name}]`);
    }
  }
  return problems;
}
"""


def _walk_data(tree):
    """What the walk's pages show: a meeting open for sign-in, a task, a campaign
    requirement, and a four-strong cycle whose branch assessment is still being scored."""
    today = timezone.localdate()
    meeting = meeting_services.meeting_create(
        actor=None,
        organization=tree.orgs["branch"],
        kind="branch_committee",
        title="支部委员会会议：研究部署第四季度党建工作重点任务",
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        venue="支部活动室",
        check=False,
    )
    task = task_services.task_create(
        actor=tree.users["dangzu_office"],
        title="组织专题学习并形成学习纪要，报送机关党委备案",
        organization=tree.orgs["root"],
        lead_organization=tree.orgs["branch"],
        lead_unit=tree.units["office"],
        responsible=tree.members["secretary"],
        deadline=today + datetime.timedelta(days=14),
    )
    office = tree.users["office_staff"]
    campaign = campaign_services.campaign_create(
        actor=office,
        name="“政治机关，政治工作”能力提升行动",
        organization=tree.orgs["committee"],
        covered=tree.orgs["committee"],
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=60),
        capabilities=["political", "implementation"],
    )
    requirement = campaign_services.requirement_add(
        actor=office,
        campaign=campaign,
        title="开展“我为广电勇担当”主题党日并报送",
        due_on=today + datetime.timedelta(days=20),
        organization_kinds=["branch"],
    )
    cycle = start_cycle(tree, office)
    assessment = cycle.assessments.get(branch=tree.orgs["branch"])
    notify(  # the member's inbox holds a long title
        users=[tree.users["member"]],
        title="督办提醒：“组织专题学习并形成学习纪要，报送机关党委备案”将于14天后到期，请及时报告进展",
        url=task.get_absolute_url(),
        email=False,
    )
    return {
        "meeting": meeting,
        "signin": "/meetings/signin/?t=" + meeting_services.signin_token(meeting),
        "task": task,
        "report": (
            f"/campaigns/{campaign.pk}/requirements/{requirement.pk}/report/"
            f"{tree.orgs['branch'].pk}/"
        ),
        "assessment": assessment,
    }


def _to_review(tree, assessment):
    """The branch has scored and submitted, the office recommended: the office reviews."""
    scores = {
        s.indicator_id: str(min(Decimal(5), s.indicator.max_score))
        for s in assessment.scores.select_related("indicator")
    }
    fourstrong_services.self_assessment_save(
        actor=tree.users["branch_secretary"], assessment=assessment, scores=scores
    )
    fourstrong_services.self_assessment_submit(
        actor=tree.users["branch_secretary"], assessment=assessment
    )
    fourstrong_services.recommend(actor=tree.users["office_staff"], assessment=assessment)
    fourstrong_services.review(
        actor=tree.users["office_staff"], assessment=assessment, final_scores={}
    )


def _to_notice(tree, assessment):
    today = timezone.localdate()
    fourstrong_services.notice_start(
        actor=tree.users["office_staff"],
        assessment=assessment,
        start=today,
        end=today + datetime.timedelta(days=5),
    )


def _check(
    page, problems: dict, who: str, url: str, screenshot_dir, size: str, *, expect_testid=None
):
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    if expect_testid:  # the page shows what the walk means to check
        expect(page.get_by_test_id(expect_testid).first).to_be_visible()
    page.wait_for_load_state("load")
    found = page.evaluate(LAYOUT_PROBLEMS)
    if found:
        name = url.strip("/").split("?")[0].replace("/", "-") or "home"
        page.screenshot(
            path=str(screenshot_dir / f"layout-{size}-{who}-{name}.png"), full_page=True
        )
        problems[f"{url.split('?')[0]} as {who}"] = found


def _walk(page, login, tree, screenshot_dir, size) -> dict[str, list[str]]:
    data = _walk_data(tree)
    meeting, task, assessment = data["meeting"], data["task"], data["assessment"]
    problems: dict[str, list[str]] = {}
    who = ""

    def check(url, **kw):
        _check(page, problems, who, url, screenshot_dir, size, **kw)

    who = "dangyuan"
    login(page, who)
    check("/")
    check("/tasks/notifications/", expect_testid="notifications")
    check("/me/", expect_testid="my-data-download")
    check(data["signin"], expect_testid="signin-submit")

    page.context.clear_cookies()
    who = "zhibu"
    login(page, who)
    check("/meetings/", expect_testid="meeting-table")
    check(f"/meetings/{meeting.pk}/", expect_testid="signin-qr")
    check("/tasks/", expect_testid="task-board")
    check("/tasks/list/", expect_testid="task-table")
    check(f"/tasks/{task.pk}/", expect_testid="report-progress")
    check(f"/tasks/{task.pk}/progress/", expect_testid="progress-form")
    check(data["report"], expect_testid="report-form")
    check(f"/fourstrong/assessments/{assessment.pk}/", expect_testid="save-scores")

    _to_review(tree, assessment)
    page.context.clear_cookies()
    who = "jiguan"
    login(page, who)
    check(f"/fourstrong/assessments/{assessment.pk}/", expect_testid="step-notice")
    check("/training/new/", expect_testid="training-form")

    _to_notice(tree, assessment)
    page.context.clear_cookies()
    who = "dangyuan"
    login(page, who)
    check(f"/fourstrong/assessments/{assessment.pk}/", expect_testid="raise-objection")
    return problems


def _report(problems: dict[str, list[str]]) -> str:
    lines = []
    for page_, found in problems.items():
        lines.append(f"{page_}:")
        lines.extend(f"    {p}" for p in found[:25])
        if len(found) > 25:
            lines.append(f"    … and {len(found) - 25} more")
    return "\n".join(lines)


def test_phone_pages_fit_the_screen(page, browser_tree, login, screenshot_dir):
    """At 390×844 nothing is wider than the screen and no text stacks one character per
    line; the sidebar opens from the menu button, the account links from the person button."""
    page.set_viewport_size(PHONE)
    login(page, "zhibu")
    sidebar = page.locator("#dj-sidebar")
    expect(sidebar).to_be_hidden()
    expect(page.get_by_test_id("my-data-link")).to_be_hidden()
    page.get_by_test_id("menu-button").click()
    expect(sidebar).to_be_visible()
    expect(sidebar.locator("a[href='/meetings/']")).to_be_visible()
    sidebar.get_by_role("button").click()  # the close button
    expect(sidebar).to_be_hidden()
    page.get_by_test_id("account-button").click()
    expect(page.get_by_test_id("my-data-link")).to_be_visible()
    page.context.clear_cookies()

    problems = _walk(page, login, browser_tree, screenshot_dir, "390")
    assert not problems, "Layout problems at 390×844:\n" + _report(problems)


def test_desktop_pages_fit_the_screen(page, browser_tree, login, screenshot_dir):
    """At 1366×768 the same walk finds nothing either; the sidebar and the account links
    are shown, without the menu buttons."""
    page.set_viewport_size(DESKTOP)
    login(page, "zhibu")
    expect(page.locator("#dj-sidebar")).to_be_visible()
    expect(page.get_by_test_id("my-data-link")).to_be_visible()
    expect(page.get_by_test_id("menu-button")).to_be_hidden()
    expect(page.get_by_test_id("account-button")).to_be_hidden()
    page.context.clear_cookies()

    problems = _walk(page, login, browser_tree, screenshot_dir, "1366")
    assert not problems, "Layout problems at 1366×768:\n" + _report(problems)
