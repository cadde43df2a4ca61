"""A study item's structure (issue 12 points 1 and 2): topics in the report's order, blocks
会议指出/强调/要求/认为 with their topics, prose and measures (numbered or not), tasks made from
a measure, attendance roles and protocol order."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings import services
from dangjian.meetings.models import AgendaItem, Measure, StatementBlock
from dangjian.meetings.statements import format_blocks, parse_blocks
from dangjian.people import services as people_services
from dangjian.study.models import Topic
from tests.factories import PASSWORD, make_member


def make_topic(title, given_on, speaker="习近平"):
    return Topic.objects.create(
        kind="speech", title=title, speaker=speaker, given_on=given_on, text="全文"
    )


@pytest.fixture
def seed_topics(db):
    """Three topics of seed 002: the lead one is the newest, not the oldest."""
    return [
        make_topic(
            "习近平总书记在纪念毛泽东同志诞辰130周年座谈会上的重要讲话", datetime.date(2023, 12, 26)
        ),
        make_topic("习近平总书记在广西考察时的重要讲话", datetime.date(2023, 12, 15)),
        make_topic("中央农村工作会议精神", datetime.date(2023, 12, 20), speaker="中共中央"),
    ]


@pytest.fixture
def only_in_block(db):
    return make_topic(
        "习近平总书记对甘肃临夏州积石山县6.2级地震作出的重要指示", datetime.date(2023, 12, 19)
    )


STATEMENTS = """会议指出【1】
全局上下要认真学习，走好党的群众路线，深入开展作风建设专项行动，提供坚强保障。
* 深入开展作风建设专项行动
会议要求【广西考察；中央农村工作会议】
局系统各部门各单位要深入学习领会，坚定不移抓好贯彻落实。
一要加快推进乡村振兴。
二要紧紧围绕铸牢中华民族共同体意识这条工作主线。
会议指出【积石山 县 6.2级地震】
全力做好抗震救灾舆论引导、对外宣传等各项工作。
* 抗震救灾舆论引导
"""


def test_parse_blocks_reads_kinds_topics_prose_and_both_kinds_of_measure(
    seed_topics, only_in_block
):
    """Leads start blocks; 【】 names topics by number or by words of the title (width and
    spaces not counted); 一要 lines are numbered measures, * lines unnumbered ones."""
    topics = [*seed_topics, only_in_block]
    blocks = parse_blocks(STATEMENTS, topics)
    assert [b["kind"] for b in blocks] == ["pointed_out", "required", "pointed_out"]
    assert [b["topics"] for b in blocks] == [
        [seed_topics[0]],
        [seed_topics[1], seed_topics[2]],
        [only_in_block],
    ]
    assert blocks[0]["prose"].endswith("深入开展作风建设专项行动，提供坚强保障。")
    assert blocks[0]["measures"] == [{"text": "深入开展作风建设专项行动", "number": None}]
    assert blocks[1]["measures"] == [
        {"text": "一要加快推进乡村振兴。", "number": 1},
        {"text": "二要紧紧围绕铸牢中华民族共同体意识这条工作主线。", "number": 2},
    ]
    with pytest.raises(ValidationError, match=r"topic number 9|第9个议题"):
        parse_blocks("会议要求【9】\n一要落实", topics)
    with pytest.raises(ValidationError, match=r"Line 1|第1行"):
        parse_blocks("一要落实", topics)


def _seed_item(meeting, seed_topics, only_in_block):
    blocks = parse_blocks(STATEMENTS, [*seed_topics, only_in_block])
    return services.agenda_item_add(
        actor=None,
        meeting=meeting,
        kind="study",
        title="传达学习",
        topics=seed_topics,
        blocks=blocks,
        check=False,
    )


def test_item_keeps_the_reports_order_blocks_and_measures(make_meeting, seed_topics, only_in_block):
    """Topics stay in the given order (the lead topic first although it is the newest); a
    topic named only in a block is linked after them, not listed; blocks and measures keep
    their order and topics; the flat decisions are the measures' texts."""
    item = _seed_item(make_meeting(), seed_topics, only_in_block)
    assert services.item_topics(item) == [*seed_topics, only_in_block]
    assert services.item_topics(item, listed=True) == seed_topics
    blocks = list(item.blocks.order_by("order"))
    assert [b.kind for b in blocks] == ["pointed_out", "required", "pointed_out"]
    assert list(blocks[2].topics.all()) == [only_in_block]
    assert [(m.number, m.text) for m in blocks[1].measures.all()] == [
        (1, "一要加快推进乡村振兴。"),
        (2, "二要紧紧围绕铸牢中华民族共同体意识这条工作主线。"),
    ]
    assert item.decisions == [
        "深入开展作风建设专项行动",
        "一要加快推进乡村振兴。",
        "二要紧紧围绕铸牢中华民族共同体意识这条工作主线。",
        "抗震救灾舆论引导",
    ]
    # The text form reads back to the same blocks.
    again = parse_blocks(
        format_blocks(blocks, services.item_topics(item)), services.item_topics(item)
    )
    assert [(b["kind"], b["prose"], sorted(t.pk for t in b["topics"])) for b in again] == [
        (b.kind, b.prose, sorted(t.pk for t in b.topics.all())) for b in blocks
    ]


def test_a_task_from_a_measure_points_at_it_and_edits_keep_the_link(
    make_meeting, tree, seed_topics, only_in_block
):
    """decision → tasks names the measure; editing a measure's text keeps the row (the task
    still points at it); removing a measure a task carries out is refused."""
    item = _seed_item(make_meeting(), seed_topics, only_in_block)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    (task,) = services.decision_to_tasks(
        actor=None,
        item=item,
        decision_index=2,
        tasks=[{"title": "铸牢", "deadline": deadline, "lead_unit": tree.units["office"]}],
        check=False,
    )
    measure = Measure.objects.get(text__startswith="二要紧紧围绕")
    assert task.origin_measure == measure and task.origin_agenda_item == item
    blocks = parse_blocks(
        STATEMENTS.replace("工作主线。", "工作主线，坚定不移。"), services.item_topics(item)
    )
    services.agenda_item_update(actor=None, item=item, blocks=blocks, check=False)
    measure.refresh_from_db()
    assert measure.text.endswith("坚定不移。")
    task.refresh_from_db()
    assert task.origin_measure_id == measure.pk
    without = STATEMENTS.replace("二要紧紧围绕铸牢中华民族共同体意识这条工作主线。\n", "")
    with pytest.raises(ValidationError, match=r"cannot be removed|不能删除"):
        services.agenda_item_update(
            actor=None,
            item=item,
            blocks=parse_blocks(without, services.item_topics(item)),
            check=False,
        )


def test_old_flat_decisions_still_write_one_block(make_meeting):
    """The old API field: decisions become the measures of a 会议要求 block."""
    item = services.agenda_item_add(
        actor=None,
        meeting=make_meeting(),
        kind="deliberation",
        title="部署",
        decisions=["一要落实", "抓好宣传"],
        check=False,
    )
    (block,) = item.blocks.all()
    assert block.kind == "required"
    assert [(m.number, m.text) for m in block.measures.all()] == [
        (1, "一要落实"),
        (None, "抓好宣传"),
    ]


def test_data_migration_turns_decisions_into_measures(make_meeting, seed_topics):
    """Rows written before the blocks: decisions → one block's measures, topics numbered in
    the order the pages showed them (by date given)."""
    item = AgendaItem.objects.create(
        meeting=make_meeting(), order=1, kind="study", title="旧", decisions=["一要甲", "二要乙"]
    )
    for topic in (seed_topics[2], seed_topics[0]):
        item.topics.add(topic)
    migration = importlib.import_module("dangjian.meetings.migrations.0003_statement_blocks")
    migration.forwards(django_apps, None)
    assert services.item_topics(item) == [seed_topics[2], seed_topics[0]]
    (block,) = StatementBlock.objects.filter(agenda_item=item)
    assert [(m.number, m.text) for m in block.measures.all()] == [(1, "一要甲"), (2, "二要乙")]


def test_the_form_records_blocks_and_the_page_shows_them(
    make_meeting, client, seed_topics, only_in_block
):
    """The agenda form takes the blocks as typed; the meeting page shows each block with its
    topics and measures; the topic arrows put the topics in the report's order."""
    assert client.login(username="zhibu", password=PASSWORD)
    meeting = make_meeting()
    response = client.post(
        reverse("meetings:agenda_create", args=[meeting.pk]),
        {
            "kind": "study",
            "title": "传达学习",
            "topics": [t.pk for t in seed_topics],
            "block_topics": [only_in_block.pk],
            "statements": STATEMENTS.replace("会议指出【1】", "会议指出【毛泽东同志诞辰130周年】"),
            "version": meeting.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = meeting.agenda_items.get()
    # New topics come in the list's order (newest first): the arrows give the report's order.
    assert services.item_topics(item, listed=True) == [
        seed_topics[0],
        seed_topics[2],
        seed_topics[1],
    ]
    client.post(
        reverse("meetings:agenda_topic_move", args=[item.pk, seed_topics[2].pk]),
        {"direction": "down"},
    )
    assert services.item_topics(item) == [*seed_topics, only_in_block]
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert page.count('data-testid="block"') == 3
    assert page.count('data-testid="measure" data-numbered="1"') == 2
    assert page.count('data-testid="measure" data-numbered="0"') == 2
    assert "named in a block" in page or "在会议内容中提及" in page
    # The edit form gives back the same text.
    form = client.get(reverse("meetings:agenda_update", args=[item.pk])).content.decode()
    assert "会议要求【习近平总书记在广西考察时的重要讲话；中央农村工作会议精神】" in form


def test_attendance_role_and_protocol_order(tree, client, dangzu_office):
    """出席/列席 are recorded; the page lists people by post, then rank, then 姓氏笔画 (王 4
    strokes before 卓 8), not by code point."""
    root = tree.orgs["root"]
    people = {}
    for name, title, admin in (
        ("卓玛才让", "leading_group_member", "副局长"),
        ("王育宏", "leading_group_member", "副局长"),
        ("张新文", "leading_group_secretary", "局长"),
    ):
        people[name] = make_member(tree.orgs["branch"], name, admin_title=admin)
        people_services.post_assign(
            actor=None, member=people[name], organization=root, title=title, check=False
        )
    observer = make_member(tree.orgs["branch"], "丁列席")
    meeting = services.meeting_create(
        actor=dangzu_office,
        organization=root,
        kind="leading_group_meeting",
        title="党组会议",
        starts_at=timezone.now() - datetime.timedelta(hours=1),
    )
    services.attendance_record(
        actor=dangzu_office,
        meeting=meeting,
        entries=[
            *({"member": m, "status": "present"} for m in people.values()),
            {"member": observer, "status": "present", "role": "observing"},
        ],
    )
    assert meeting.attendances.get(member=observer).role == "observing"
    assert client.login(username="dangzu", password=PASSWORD)
    page = client.get(meeting.get_absolute_url()).content.decode()
    order = [page.index(f"<td>{name}</td>") for name in ("张新文", "王育宏", "卓玛才让")]
    assert order == sorted(order)
    assert "卓玛才让" < "王育宏"  # code point order would put 卓 first
