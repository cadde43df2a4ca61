"""Seed 002 end to end (issue 12): the office records the meeting by hand through the forms
(topics in the report's order, the four blocks with their topics and measures, attendance)
and downloads its documents; then imports the report with the suggested defaults and gets
the same record and the same documents.

Assertions rest on data-testid attributes, field names, URLs and the database.
"""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.core.demo_meetings import SEED_BLOCK_TOPICS, SEED_BLOCKS, SEED_TOPICS
from dangjian.meetings import services
from dangjian.meetings.models import STATEMENT_LEADS, Meeting
from dangjian.people import services as people_services
from dangjian.study.models import Topic
from tests.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SEED = Path(__file__).parents[1] / "reports" / "seeds" / "002_5d496fc68e932dd4.txt"


def _setup(tree):
    root = tree.orgs["root"]
    people = {}
    for name, admin, post in (
        ("张新文", "局长", "leading_group_secretary"),
        ("王育宏", "副局长", "leading_group_member"),
        ("卓玛才让", "副局长", "leading_group_member"),
    ):
        member = people[name] = make_member(tree.orgs["branch"], name, admin_title=admin)
        people_services.post_assign(
            actor=None, member=member, organization=root, title=post, check=False
        )
    # The library: the six listed newest first in the report's order (the list's order), and
    # the two named only in a block.
    topics = []
    for i, (kind, title, speaker, _given, source, text) in enumerate(SEED_TOPICS):
        topics.append(
            Topic.objects.create(
                kind=kind,
                title=title,
                speaker=speaker,
                source=source,
                text=text,
                given_on=datetime.date(2023, 12, 26) - datetime.timedelta(days=i),
            )
        )
    for kind, title, speaker, given, source, text in SEED_BLOCK_TOPICS:
        topics.append(
            Topic.objects.create(
                kind=kind, title=title, speaker=speaker, source=source, text=text, given_on=given
            )
        )
    chair = people["张新文"]
    meeting = services.meeting_create(
        actor=None,
        organization=root,
        kind="leading_group_meeting",
        title="局党组会议",
        starts_at=timezone.make_aware(datetime.datetime(2023, 12, 27, 9)),
        chair=chair,
        check=False,
    )
    return meeting, topics


def _statements(topics) -> str:
    lines = []
    for kind, numbers, prose, measures in SEED_BLOCKS:
        lines.append(
            STATEMENT_LEADS[kind] + "【" + "；".join(topics[i].title for i in numbers) + "】"
        )
        lines.append(prose)
        lines += [m if re.match(r"^[一二三四五六七八九十]+要", m) else f"* {m}" for m in measures]
    return "\n".join(lines)


def _record(meeting):
    item = meeting.agenda_items.get(order=1)
    listed = services.item_topics(item, listed=True)
    blocks = [
        (
            b.kind,
            b.prose,
            sorted(t.title for t in b.topics.all() if t in listed),
            [m.text for m in b.measures.all() if m.number],
        )
        for b in item.blocks.order_by("order")
    ]
    people = sorted(
        (a.member.name, a.role, a.status) for a in meeting.attendances.select_related("member")
    )
    return [t.title for t in listed], blocks, people, meeting.chair_id


def _docx_lines(page, url) -> list[str]:
    response = page.request.get(url)
    assert response.status == 200, url
    document = docx.Document(io.BytesIO(response.body()))
    return [p.text for p in document.paragraphs if p.text.strip()]


def _documents(page, meeting):
    summary = _docx_lines(page, reverse("reports:meeting_summary", args=[meeting.pk]))
    minutes = _docx_lines(page, reverse("reports:meeting_minutes", args=[meeting.pk]))
    page.goto(reverse("reports:meeting_news_draft", args=[meeting.pk]))
    draft = page.locator("textarea[name=text]").input_value()
    return (
        [line for line in summary if line.startswith(("会议", "出席", "列席", "请假"))],
        [line for line in minutes if line.startswith("会议")],
        draft,
    )


def test_seed_002_by_hand_then_by_import(page, browser_tree, login):
    meeting, topics = _setup(browser_tree)
    login(page, "dangzu")

    # By hand: the study item with its topics and blocks, then the attendance.
    page.goto(meeting.get_absolute_url())
    page.get_by_test_id("agenda-add").click()
    form = page.get_by_test_id("agenda-form")
    form.locator("#id_title").fill("传达学习习近平总书记重要讲话、重要指示精神和会议精神")
    form.locator("#id_topics").select_option([str(t.pk) for t in topics[:6]])
    form.locator("#id_block_topics").select_option([str(t.pk) for t in topics[6:]])
    form.locator("#id_statements").fill(_statements(topics))
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("block")).to_have_count(4)
    expect(page.get_by_test_id("agenda-topic")).to_have_count(8)
    expect(page.get_by_test_id("agenda-topic").first).to_contain_text("毛泽东同志诞辰130周年")
    page.get_by_test_id("attendance-edit").click()
    for select in page.locator("select[name$='-status']").all():
        select.select_option("present")
    page.get_by_test_id("attendance-save").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    names = page.locator("[data-testid=attendance] tbody td:first-child").all_inner_texts()
    assert names == ["张新文", "王育宏", "卓玛才让"]
    by_hand = _documents(page, meeting)
    assert "会议要求，局系统各部门各单位要深入学习领会" in by_hand[0][1]
    assert by_hand[0][-1] == "出席：张新文、王育宏、卓玛才让"

    # By import, with the suggested defaults (only the organization chosen).
    page.goto(reverse("report_import:start"))
    page.locator("#id_text").fill(SEED.read_text(encoding="utf-8"))
    page.get_by_test_id("import-read").click()
    form = page.get_by_test_id("import-form")
    form.locator("#id_organization").select_option(str(browser_tree.orgs["root"].pk))
    page.get_by_test_id("import-save").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    imported = Meeting.objects.exclude(pk=meeting.pk).get()
    assert timezone.localtime(imported.starts_at).date() == datetime.date(2023, 12, 27)
    assert _record(imported) == _record(meeting)
    assert _documents(page, imported) == by_hand
