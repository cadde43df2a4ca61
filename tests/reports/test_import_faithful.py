"""Import without corruption (issue 12 point 9): the year read from the text, topics matched
only when given on or before the meeting and whatever the width, the report's blocks and
numbered requirements kept whole, 出席 read from the text, and a report already recorded is
not recorded twice. Seed 002 imported with the suggested defaults gives the demo's record."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from dangjian.core import demo, demo_meetings
from dangjian.meetings import services
from dangjian.meetings.models import Meeting
from dangjian.reports import importing
from dangjian.reports.parser import parse_report
from dangjian.study.models import Topic

SEED = Path(__file__).parent / "seeds" / "002_5d496fc68e932dd4.txt"
IMPORT = "/api/reports/import/"


def test_year_from_the_text():
    """A dateline or publication date gives the year (the year before when the event's day
    would follow it); else a commemorated anniversary; never a date after today."""
    seed = SEED.read_text(encoding="utf-8")
    parsed = parse_report(seed)
    assert parsed["date"] == "--12-27"
    inferred = parsed["inferred_year"]
    assert importing.text_year(seed, 12, 27, inferred) == (2023, None)  # 毛泽东 1893 + 130
    assert importing.text_year(seed, 12, 27) == (None, None)  # no dateline, no anniversary
    dateline = "（2024年1月3日 来源：省广电局）\n12月27日，局党组召开会议。"
    assert importing.text_year(dateline, 12, 27)[0] == 2023
    today = datetime.date(2026, 12, 8)
    record = {"date": "--12-27", "inferred_year": inferred}
    assert importing.date_for(record, today, seed) == datetime.date(2023, 12, 27)
    # Without a year in the text: this year's date, or last year's if it lies ahead.
    assert importing.date_for({"date": "--12-27"}, today, "") == datetime.date(2025, 12, 27)
    # A text year ahead of today is not believed.
    assert importing.date_for({"date": "--12-27"}, today, "2027年12月30日") == datetime.date(
        2025, 12, 27
    )


@pytest.mark.django_db
def test_topics_suggested_only_when_given_by_then_whatever_the_width(tree):
    older = Topic.objects.create(
        kind="document", title="政治机关，政治工作能力提升行动", given_on=datetime.date(2023, 5, 1)
    )
    Topic.objects.create(
        kind="document",
        title="政治机关，政治工作能力提升行动方案",
        given_on=datetime.date(2024, 5, 1),
    )
    user = tree.users["dangzu_office"]
    found = importing.topic_suggestions(
        user, "政治机关, 政治工作 能力提升行动", datetime.date(2023, 12, 27)
    )
    assert found[:1] == [older]
    assert all(t.given_on <= datetime.date(2023, 12, 27) for t in found)


def test_blocks_from_the_seed_text():
    """The four blocks in order, prose verbatim, numbered requirements whole (二要 keeps its
    following 要… sentences)."""
    blocks = importing.blocks_from_text(SEED.read_text(encoding="utf-8"), [])
    assert [b["kind"] for b in blocks] == ["pointed_out", "required", "held", "pointed_out"]
    assert [[m["number"] for m in b["measures"]] for b in blocks] == [
        [],
        [1, 2, 3, 4],
        [1, 2, 3],
        [],
    ]
    second = blocks[2]["measures"][1]["text"]
    assert second.startswith("二要增强政治敏锐性") and second.endswith("早落实。")
    assert blocks[0]["prose"].startswith("全局上下要认真学习习近平总书记")


@pytest.mark.django_db(transaction=False)
def test_seed_002_import_gives_the_demo_record_and_is_not_recorded_twice():
    demo.load_demo(size=120, seed=5, password="Demo-password-2024")
    recorded = Meeting.objects.get(title=demo_meetings.SEED_TITLE)
    user = get_user_model().objects.get(username="shengju")
    client = APIClient()
    client.force_authenticate(user)
    text = SEED.read_text(encoding="utf-8")

    # The same report again: nothing is created, the answer names the record.
    count = Meeting.objects.count()
    response = client.post(IMPORT, {"text": text}, format="json")
    assert response.status_code == 400
    assert recorded.get_absolute_url() in response.json()["detail"]
    assert Meeting.objects.count() == count

    # Imported beside it (the demo's record renamed), with the defaults.
    Meeting.objects.filter(pk=recorded.pk).update(title="（演示）" + recorded.title)
    response = client.post(IMPORT, {"text": text}, format="json")
    assert response.status_code == 201, response.json()
    imported = Meeting.objects.get(pk=response.json()["id"])
    assert imported.starts_at.date() == recorded.starts_at.date()

    def record(meeting):
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
        people = [
            (a.member.name, a.role, a.status)
            for a in meeting.attendances.select_related("member").order_by("member__name")
        ]
        return [t.title for t in listed], blocks, people, meeting.chair

    mine, theirs = record(imported), record(recorded)
    for a, b in zip(mine[1], theirs[1], strict=True):
        assert a == b, (a[0], a[2], b[2], len(a[3]), len(b[3]), a[1] == b[1])
    assert mine == theirs
