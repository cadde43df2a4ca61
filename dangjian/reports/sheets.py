"""Attendance sheet (出席情况表) and sign-in sheet (签到表) of a meeting, as .docx to print.

Same page layout as the minutes (GB/T 9704, see ``minutes``); the tables
use 4号 so that a sheet of twenty names fits one page.
"""

from __future__ import annotations

from dangjian.meetings.models import AttendanceStatus, Meeting

from . import news
from .minutes import (
    STATUS_WORDS,
    add_body,
    add_table,
    add_title,
    attendance_rows,
    chair_text,
    document_title,
    meeting_time,
    new_document,
    save,
)


def _header(doc, meeting: Meeting) -> None:
    add_body(doc, f"会议名称：{meeting.title}", indent=False)
    add_body(doc, f"时间：{meeting_time(meeting)}", indent=False)
    add_body(doc, f"地点：{meeting.venue or '—'}", indent=False)
    add_body(doc, f"主持人：{chair_text(meeting) or '—'}", indent=False)


def _titles(meeting: Meeting, attendances) -> dict[int, str]:
    posts = news._posts_by_member(meeting, [a.member_id for a in attendances])
    prefix = news._short(meeting.organization)
    return {
        a.member_id: news._titles(prefix, posts.get(a.member_id, []), a.member.admin_title)
        for a in attendances
    }


def meeting_attendance_sheet_docx(meeting: Meeting) -> bytes:
    """Who was expected, who came, who was on leave or absent (with the reason)."""
    doc = new_document()
    add_title(doc, document_title(meeting, "出席情况表"))
    _header(doc, meeting)
    attendances = attendance_rows(meeting)
    titles = _titles(meeting, attendances)
    rows = [
        [
            str(i),
            a.member.name,
            titles[a.member_id],
            STATUS_WORDS.get(a.status, a.status),
            a.reason,
        ]
        for i, a in enumerate(attendances, 1)
    ]
    start = len(rows)
    for j, leader in enumerate(
        (i for i in meeting.invited_leaders or [] if isinstance(i, dict) and i.get("name")), 1
    ):
        rows.append([str(start + j), str(leader["name"]), str(leader.get("title", "")), "列席", ""])
    add_table(doc, ["序号", "姓名", "职务", "出席情况", "备注"], rows, [15, 30, 60, 25, 26])
    count = {s: 0 for s in AttendanceStatus.values}
    for a in attendances:
        count[a.status] += 1
    present = count[AttendanceStatus.PRESENT] + count[AttendanceStatus.LATE]
    add_body(
        doc,
        f"应到{len(attendances)}人，实到{present}人（其中迟到{count[AttendanceStatus.LATE]}人），"
        f"请假{count[AttendanceStatus.LEAVE]}人，缺席{count[AttendanceStatus.ABSENT]}人。",
    )
    return save(doc)


def meeting_signin_sheet_docx(meeting: Meeting) -> bytes:
    """The expected attendees with an empty signature column, to print and sign."""
    doc = new_document()
    add_title(doc, document_title(meeting, "签到表"))
    _header(doc, meeting)
    attendances = attendance_rows(meeting)
    titles = _titles(meeting, attendances)
    rows = [
        [str(i), a.member.name, titles[a.member_id], "", ""] for i, a in enumerate(attendances, 1)
    ]
    start = len(rows)
    for j, leader in enumerate(
        (i for i in meeting.invited_leaders or [] if isinstance(i, dict) and i.get("name")), 1
    ):
        rows.append([str(start + j), str(leader["name"]), str(leader.get("title", "")), "", "列席"])
    add_table(
        doc, ["序号", "姓名", "职务", "签名", "备注"], rows, [15, 30, 56, 40, 15], height_mm=12
    )
    return save(doc)
