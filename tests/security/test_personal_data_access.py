"""Right of access and copy (个人信息保护法 第四十四、四十五条): "My data" and its .xlsx copy.

A member sees everything stored about them — their record with their own ID
number and phone in clear (revealed through the audited path), posts,
transfers, meeting attendance, trainings and hours, tasks, objections, their
account, and who revealed or exported their record — and nothing about anybody
else. A second member with similar data is built beside them to prove it.

Personal values are compared, never printed: assertion messages name the
value's kind only.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.access.roles import Role
from dangjian.core.models import AuditEvent
from dangjian.fourstrong.models import Objection
from dangjian.meetings.models import Attendance, Meeting
from dangjian.people import services as people_services
from dangjian.people.models import PostAssignment
from dangjian.privacy import selectors
from dangjian.tasks.models import Task
from dangjian.training.models import Training, TrainingAttendance
from tests.factories import PASSWORD, make_user
from tests.fourstrong.conftest import start_cycle

MY_DATA = reverse("privacy:my_data")
DOWNLOAD = reverse("privacy:my_data_download")


def _history(tree, member, label: str, office_staff) -> dict[str, str]:
    """Meeting attendance (chairing one), a training, a task, a post and an objection,
    each titled with ``label`` so that whose it is can be read off the page."""
    org = member.organization
    when = timezone.now() - datetime.timedelta(days=10)
    meeting = Meeting.objects.create(
        organization=org,
        kind="branch_assembly",
        title=f"{label}参加的支部党员大会",
        starts_at=when,
        status=Meeting.Status.HELD,
        chair=member,
    )
    Attendance.objects.create(meeting=meeting, member=member, status="leave", reason=f"{label}出差")
    training = Training.objects.create(
        organization=org,
        kind="lecture",
        title=f"{label}参加的专题培训",
        date=datetime.date(2026, 3, 1),
        hours=Decimal("3.5"),
        capabilities=["political"],
    )
    TrainingAttendance.objects.create(training=training, member=member, hours=Decimal("3.5"))
    Task.objects.create(
        title=f"{label}负责的任务",
        organization=org,
        lead_organization=org,
        responsible=member,
        deadline=datetime.date(2026, 12, 31),
    )
    PostAssignment.objects.create(member=member, organization=org, title="committee_member")
    return {
        "meeting": meeting.title,
        "reason": f"{label}出差",
        "training": training.title,
        "task": f"{label}负责的任务",
        "objection": f"{label}提出的异议",
    }


@pytest.fixture
def two_members(tree, office_staff, outsider):
    """王党员 (account ``dangyuan``) and 钱同志 (account ``qian``), each with a history;
    office staff revealed 王党员's ID number, the other branch's secretary 钱同志's phone."""
    me, other = tree.members["member"], tree.members["other"]
    qian = make_user("qian", role=Role.MEMBER, organization=tree.orgs["other_branch"], member=other)
    mine = _history(tree, me, "王党员", office_staff)
    theirs = _history(tree, other, "钱同志", office_staff)
    cycle = start_cycle(tree, office_staff)
    for user, member, data in ((tree.users["member"], me, mine), (qian, other, theirs)):
        assessment = cycle.assessments.get(branch=member.organization)
        Objection.objects.create(
            assessment=assessment,
            text=data["objection"],
            submitted_on=timezone.localdate(),
            submitted_by=user,
        )
    people_services.member_reveal(actor=office_staff, member=me, field="id_number")
    people_services.member_reveal(actor=outsider, member=other, field="phone")
    return {"me": me, "other": other, "qian": qian, "mine": mine, "theirs": theirs}


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _section(html: str, key: str) -> str:
    start = html.index(f'data-testid="section-{key}"')
    end = html.find('data-testid="section-', start + 10)
    return html[start : end if end != -1 else len(html)]


def _contains(text: str, value: str) -> bool:
    return bool(value) and value in text


def _workbook_text(data: bytes) -> tuple[str, list]:
    book = load_workbook(io.BytesIO(data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    return "\n".join(str(c.value) for c in cells if c.value is not None), cells


def test_member_sees_their_own_record_attendance_trainings_and_who_looked(
    tree, client, two_members
):
    """The page shows the member's own clear ID number and phone, their attendance, trainings
    with hours, task, post, objection, account and roles; the looks section names the office
    user who revealed their ID number, and nobody else's data or looks appear."""
    me, other = two_members["me"], two_members["other"]
    _login(client, tree.users["member"])
    response = client.get(MY_DATA)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()

    assert _contains(html, me.decrypted("id_number")), "own ID number not shown in clear"
    assert _contains(html, me.decrypted("phone")), "own phone not shown in clear"
    for value in two_members["mine"].values():
        assert value in html
    assert "3.5" in _section(html, "training")
    assert "2026: 3.5" in _section(html, "training")  # hours per year
    assert "王党员参加的支部党员大会" in _section(html, "meeting_roles")  # chaired it
    assert tree.orgs["branch"].name in _section(html, "roles")
    assert "dangyuan" in _section(html, "account")

    looks = _section(html, "looks")
    assert "jiguan" in looks
    assert "outsider" not in looks

    assert not _contains(html, other.decrypted("id_number")), "another member's ID number shown"
    assert not _contains(html, other.decrypted("phone")), "another member's phone shown"
    for value in two_members["theirs"].values():
        assert value not in html
    assert "钱同志" not in html


def test_the_second_member_sees_only_their_own_data(tree, client, two_members):
    """The same page for 钱同志 shows their history and the other secretary's look, not 王党员's."""
    me, other = two_members["me"], two_members["other"]
    _login(client, two_members["qian"])
    html = client.get(MY_DATA).content.decode()
    assert _contains(html, other.decrypted("phone")), "own phone not shown in clear"
    for value in two_members["theirs"].values():
        assert value in html
    for value in two_members["mine"].values():
        assert value not in html
    assert not _contains(html, me.decrypted("id_number")), "another member's ID number shown"
    looks = _section(html, "looks")
    assert "outsider" in looks
    assert "jiguan" not in looks


def test_page_reveals_through_the_audited_path_and_session_keys_stay_hidden(
    tree, client, two_members
):
    """Each view of the page writes one reveal row per stored field about the member's own
    record (the member_reveal path); no session key is shown; it does not open the audit page."""
    me = two_members["me"]
    user = tree.users["member"]
    _login(client, user)
    before = AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.REVEAL).count()
    html = client.get(MY_DATA).content.decode()
    rows = AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.REVEAL).order_by("id")
    assert rows.count() == before + 2
    assert {tuple(r.changes) for r in rows[before:]} == {("id_number",), ("phone",)}
    assert {(r.object_type, r.object_id) for r in rows} == {("people.member", str(me.pk))}
    assert client.session.session_key not in html
    assert "<table" in _section(html, "sessions")  # the log-in's session, without its key
    # Own looks are counted, not listed: the looks section lists other users only.
    assert "dangyuan" not in _section(html, "looks").split("card-footer")[0]
    # Seeing one's own looks does not make the member an auditor.
    assert client.get(reverse("access:audit_list")).status_code == 403


def test_download_contains_the_same_data_watermarked_and_is_audited(tree, client, two_members):
    """The .xlsx copy (POST, nothing personal in the address) holds the own clear ID number,
    attendance, training hours, task, objection and the looks, none of the other member's
    data, no formula cell even from formula-like user data, a watermark; one export row."""
    me, other = two_members["me"], two_members["other"]
    Meeting.objects.filter(title=two_members["mine"]["meeting"]).update(
        title='=HYPERLINK("http://example.invalid","x")'
    )
    user = tree.users["member"]
    _login(client, user)
    assert client.get(DOWNLOAD).status_code == 405
    response = client.post(DOWNLOAD)
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    assert response["Cache-Control"] == "no-store"
    data = b"".join(response.streaming_content)
    text, cells = _workbook_text(data)

    assert _contains(text, me.decrypted("id_number")), "own ID number missing from the copy"
    assert _contains(text, me.decrypted("phone")), "own phone missing from the copy"
    for key in ("reason", "training", "task", "objection"):
        assert two_members["mine"][key] in text
    assert '=HYPERLINK("http://example.invalid","x")' in text
    assert all(c.data_type != "f" for c in cells)
    assert "jiguan" in text and "outsider" not in text
    # The watermark (core/xlsx.py): the file's description and every sheet's first row.
    book = load_workbook(io.BytesIO(data))
    assert user.username in (book.properties.description or "")
    assert all(user.username in str(ws.cell(1, 1).value or "") for ws in book.worksheets)
    assert not _contains(text, other.decrypted("id_number")), "another member's ID in the copy"
    for value in two_members["theirs"].values():
        assert value not in text

    export = AuditEvent.objects.get(actor=user, action=AuditEvent.Action.EXPORT)
    assert (export.object_type, export.object_id) == ("people.member", str(me.pk))
    assert export.changes["rows"]["attendance"] == 1
    assert export.changes["rows"]["training"] == 1
    assert "own personal data" in export.note


def test_own_reveals_and_downloads_are_counted_not_listed(tree, client, two_members):
    """The member's own download (two reveals and an export of their record) adds three to
    the count of their own looks and nothing to the list of other users' looks."""
    user, me = tree.users["member"], two_members["me"]
    before = selectors.looks(user=user, member=me)
    _login(client, user)
    client.post(DOWNLOAD)
    after = selectors.looks(user=user, member=me)
    assert after.extra["own"] == before.extra["own"] + 3
    assert after.rows == before.rows
    assert [row[1] for row in after.rows] == ["jiguan"]


def test_user_without_member_record_gets_the_account_section(tree, client):
    """An account with no member record: a sentence says so, the account, roles and sessions
    are shown, no member section; the copy holds the account and is audited on the user."""
    user = tree.users["auditor"]
    _login(client, user)
    html = client.get(MY_DATA).content.decode()
    assert 'data-testid="no-member-record"' in html
    assert "shenji" in _section(html, "account")
    assert 'data-testid="section-roles"' in html
    assert 'data-testid="section-sessions"' in html
    assert 'data-testid="section-member"' not in html
    assert 'data-testid="section-looks"' not in html
    assert not AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.REVEAL).exists()

    text, _cells = _workbook_text(b"".join(client.post(DOWNLOAD).streaming_content))
    assert "shenji" in text
    export = AuditEvent.objects.get(actor=user, action=AuditEvent.Action.EXPORT)
    assert (export.object_type, export.object_id) == ("access.user", str(user.pk))


def test_every_section_is_bounded_with_its_count(tree, client, monkeypatch):
    """A long history shows the newest rows only, with the full count."""
    monkeypatch.setattr(selectors, "ROW_LIMIT", 3)
    me = tree.members["member"]
    start = timezone.now() - datetime.timedelta(days=30)
    meetings = Meeting.objects.bulk_create(
        Meeting(
            organization=me.organization,
            kind="branch_assembly",
            title=f"第{i}次支部党员大会",
            starts_at=start + datetime.timedelta(days=i),
        )
        for i in range(5)
    )
    Attendance.objects.bulk_create(Attendance(meeting=m, member=me) for m in meetings)
    _login(client, tree.users["member"])
    section = _section(client.get(MY_DATA).content.decode(), "attendance")
    assert "第4次支部党员大会" in section and "第2次支部党员大会" in section
    assert "第1次支部党员大会" not in section
    assert 'data-shown="3" data-total="5"' in section


def test_empty_history_shows_empty_states(tree, client):
    """A member with nothing recorded sees a sentence per section, not an empty table."""
    _login(client, tree.users["member"])
    html = client.get(MY_DATA).content.decode()
    assert "<table" not in _section(html, "attendance")
    assert "<table" not in _section(html, "training")
    assert "<table" not in _section(html, "looks")


def test_anonymous_is_sent_to_log_in(client):
    """Neither the page nor the copy answers without a log-in."""
    for method, url in (("get", MY_DATA), ("post", DOWNLOAD)):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
