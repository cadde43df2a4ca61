"""Ledgers (.xlsx): opened with openpyxl; rows, scope, filters, formula safety, audit."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.meetings.models import AgendaItem
from dangjian.reports import ledgers
from dangjian.tasks.models import ProgressReport, Task, TaskStatus
from tests.factories import PASSWORD
from tests.reports.conftest import build_branch_meeting, make_topic

pytestmark = pytest.mark.django_db


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def _rows(ws):
    """Data rows below the title line and the header row."""
    return [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]


def _download(client, user, name, query=""):
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse(name) + query)
    assert response.status_code == 200, response.content[:200]
    return _sheet(response.content)


@pytest.fixture
def meetings(tree, lg_meeting):
    """The leading group's meeting, one in each branch (宣传司党支部's titled like a formula)."""
    ours = build_branch_meeting(tree, org_key="branch", title="办公厅第三党支部党员大会")
    theirs = build_branch_meeting(tree, org_key="other_branch", title="=1+1")
    return {"lg": lg_meeting, "ours": ours, "theirs": theirs}


def test_meeting_ledger_layout(tree, meetings):
    """Title line with filters, user and time; frozen header; widths; one row per meeting."""
    ws = _sheet(ledgers.meeting_ledger(actor=tree.users["office_staff"], summary={}))
    title = ws["A1"].value
    assert "jiguan" in title  # who exported
    assert str(datetime.date.today().year) in title  # when
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["E"].width == 36
    header = [c.value for c in ws[2]]
    assert len(header) == 14
    rows = _rows(ws)
    # office_staff (机关党委) sees the two branches' meetings, not the 党组's above them.
    assert sorted(r[4] for r in rows) == ["=1+1", "办公厅第三党支部党员大会"]


def test_meeting_ledger_formula_title_is_text(tree, meetings):
    ws = _sheet(ledgers.meeting_ledger(actor=tree.users["outsider"], summary={}))
    rows = _rows(ws)
    assert len(rows) == 1
    cell = ws.cell(row=3, column=5)
    assert cell.value == "=1+1"
    assert cell.data_type == "s"  # a string, not a formula


def test_meeting_ledger_outsider_sees_no_other_branch(client, tree, meetings):
    """宣传司党支部's secretary gets only their own branch's meeting."""
    ws = _download(client, tree.users["outsider"], "reports:meeting_ledger")
    names = {r[2] for r in _rows(ws)}
    assert names == {"宣传司党支部"}


def test_meeting_ledger_filters(client, tree, meetings):
    dangzu = tree.users["dangzu_office"]
    ws = _download(client, dangzu, "reports:meeting_ledger")
    assert len(_rows(ws)) == 3
    ws = _download(
        client,
        dangzu,
        "reports:meeting_ledger",
        f"?root={tree.orgs['branch'].pk}&date_from=2024-01-01&date_to=2024-12-31",
    )
    rows = _rows(ws)
    assert [r[4] for r in rows] == ["办公厅第三党支部党员大会"]
    assert "办公厅第三党支部" in ws["A1"].value  # the filter is named in the title line
    ws = _download(client, dangzu, "reports:meeting_ledger", "?kind=leading_group_meeting")
    (row,) = _rows(ws)
    assert row[4] == "测试局党组会议（2023年第30次）"
    assert row[7:11] == [5, 4, 1, 0]  # expected, present (incl. late), on leave, absent
    assert "中央农村工作会议" in row[11]


def test_meeting_ledger_bad_filters_are_refused(client, tree, meetings):
    assert client.login(username="dangzu", password=PASSWORD)
    url = reverse("reports:meeting_ledger")
    assert client.get(url + "?date_from=2024-13-01").status_code == 400
    assert client.get(url + "?date_from=2024-05-01&date_to=2024-01-01").status_code == 400
    # An organization outside the user's scope is not a valid choice.
    assert client.get(url + f"?root={tree.orgs['other_root'].pk}").status_code == 400
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_export_is_audited_without_personal_data(client, tree, meetings):
    _download(
        client, tree.users["dangzu_office"], "reports:meeting_ledger", "?kind=branch_assembly"
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.object_type == "meetings.meeting"
    assert event.changes == {"rows": 2, "filters": {"kind": "branch_assembly"}}
    assert event.actor == tree.users["dangzu_office"]


def test_topic_ledger_coverage(tree, meetings):
    """Each topic × organization: first studied date, meeting and days, or not yet studied."""
    topic = make_topic("党的二十届三中全会", kind="conference", given_on=datetime.date(2024, 1, 1))
    item = AgendaItem.objects.create(
        meeting=meetings["ours"], order=1, kind=AgendaItem.Kind.STUDY, title="学习"
    )
    item.topics.add(topic)
    ws = _sheet(
        ledgers.topic_ledger(
            actor=tree.users["office_staff"],
            root=tree.orgs["committee"],
            date_from=datetime.date(2024, 1, 1),
            summary={},
        )
    )
    rows = {(r[0], r[2]): r for r in _rows(ws)}
    studied = rows[("党的二十届三中全会", "办公厅第三党支部")]
    assert studied[3] == datetime.datetime(2024, 1, 10)
    assert studied[4] == "办公厅第三党支部党员大会"
    assert studied[5] == 9
    assert rows[("党的二十届三中全会", "宣传司党支部")][3] == str(ledgers.NOT_STUDIED)
    # The committee's subtree: 机关党委, two branches and the group; topics of 2024 only.
    assert len(rows) == 4


def test_topic_ledger_outsider_sees_only_own_branch(tree, meetings):
    ws = _sheet(ledgers.topic_ledger(actor=tree.users["outsider"], summary={}))
    assert {r[2] for r in _rows(ws)} == {"宣传司党支部"}


def test_task_ledger_latest_progress_and_overdue(client, tree, meetings):
    task = Task.objects.get(title="加快推进乡村振兴")
    ProgressReport.objects.create(
        task=task, reported_on=datetime.date(2024, 1, 5), text="已制定方案", percent=20
    )
    ProgressReport.objects.create(
        task=task, reported_on=datetime.date(2024, 2, 5), text="=cmd|' /C calc'!A0", percent=50
    )
    ws = _download(client, tree.users["dangzu_office"], "reports:task_ledger")
    rows = {r[1]: r for r in _rows(ws)}
    assert set(rows) == {"加快推进乡村振兴", "开展民族团结进步创建"}
    row = rows["加快推进乡村振兴"]
    assert row[4] == "办公厅"
    assert row[9] == "yes" or row[9] == "是"  # deadline 2024-03-31 has passed
    assert row[11] == datetime.datetime(2024, 2, 5)
    assert row[12] == "=cmd|' /C calc'!A0"
    assert ws.cell(row=3 + list(rows).index("加快推进乡村振兴"), column=13).data_type == "s"


def test_task_ledger_filters_and_scope(client, tree, meetings):
    closed = Task.objects.get(title="开展民族团结进步创建")
    closed.status = TaskStatus.CLOSED
    closed.save()
    dangzu = tree.users["dangzu_office"]
    ws = _download(client, dangzu, "reports:task_ledger", "?overdue=on")
    assert [r[1] for r in _rows(ws)] == ["加快推进乡村振兴"]
    ws = _download(
        client, dangzu, "reports:task_ledger", f"?lead_unit={tree.units['publicity'].pk}"
    )
    assert [r[1] for r in _rows(ws)] == ["开展民族团结进步创建"]
    ws = _download(client, dangzu, "reports:task_ledger", "?status=closed")
    assert [r[1] for r in _rows(ws)] == ["开展民族团结进步创建"]
    # The branch secretary sees no task issued by the leading group above them.
    client.logout()
    ws = _download(client, tree.users["branch_secretary"], "reports:task_ledger")
    assert _rows(ws) == []


def test_ledger_query_count_does_not_grow(client, tree, meetings):
    """Twenty more meetings and tasks cost no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    names = ("reports:meeting_ledger", "reports:task_ledger", "reports:topic_ledger")
    assert client.login(username="dangzu", password=PASSWORD)

    def counts():
        out = []
        for name in names:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(name)).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    for i in range(20):
        meeting = build_branch_meeting(tree, org_key="branch", title=f"支部会议{i}")
        item = AgendaItem.objects.create(meeting=meeting, order=1, kind="study", title="学习")
        item.topics.add(make_topic(f"议题{i}"))
        task = Task.objects.create(
            title=f"任务{i}", organization=tree.orgs["root"], deadline=datetime.date(2030, 1, 1)
        )
        ProgressReport.objects.create(
            task=task, reported_on=datetime.date(2024, 1, 1), text="进展", percent=10
        )
    after = counts()
    assert after == before
    assert max(after) <= 25
