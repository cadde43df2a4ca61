"""Exports carry a watermark (user, time) and are audited; personal-data columns only
for roles allowed to reveal them.

GB/T 22239-2019 8.1.4.3 (audit of exports); PIPL art. 51 (access control of personal
information) — docs/security.md.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.meetings import services as meeting_services

pytestmark = pytest.mark.django_db


def _xlsx(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(body))


def test_member_export_carries_user_and_time_in_the_sheet_header_and_properties(
    tree, client, office_staff
):
    client.force_login(office_staff)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count()
    wb = _xlsx(client.get(reverse("people:member_export")))
    ws = wb.worksheets[0]
    today = timezone.localdate().isoformat()
    for text in (ws["A1"].value, ws.oddHeader.right.text, ws.oddFooter.left.text):
        assert office_staff.get_username() in text and today in text
    assert office_staff.get_username() in wb.properties.description
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == before + 1
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("-seq").first()
    assert event.actor == office_staff


def test_personal_data_columns_are_clear_only_for_roles_that_may_reveal(
    tree, client, office_staff, dangzu_office
):
    member = tree.members["member"]
    number = member.decrypted("id_number")
    assert number  # the fixture member has an ID number

    def cells(user):
        client.force_login(user)
        ws = _xlsx(client.get(reverse("people:member_export"))).worksheets[0]
        return {str(c) for row in ws.iter_rows(values_only=True) for c in row if c}

    assert number in cells(office_staff)
    masked = cells(dangzu_office)
    assert number not in masked and member.id_number_masked in masked


def test_meeting_minutes_docx_carries_user_and_time_in_the_page_header(
    tree, client, branch_secretary
):
    meeting = meeting_services.meeting_create(
        actor=None,
        organization=tree.orgs["branch"],
        kind="branch_committee",
        title="支部委员会会议",
        starts_at=timezone.now(),
        check=False,
    )
    client.force_login(branch_secretary)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count()
    for name in ("meeting_minutes", "meeting_attendance_sheet", "meeting_signin_sheet"):
        response = client.get(reverse(f"reports:{name}", args=[meeting.pk]))
        assert response.status_code == 200, name
        doc = Document(io.BytesIO(response.content))
        header = " ".join(p.text for p in doc.sections[0].header.paragraphs)
        assert branch_secretary.get_username() in header, name
        assert timezone.localdate().isoformat() in header
        assert branch_secretary.get_username() in doc.core_properties.comments
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() > before
