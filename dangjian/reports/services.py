"""Writes of the documents app: saving a meeting's news report draft."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import audit
from dangjian.core.validators import validate_no_markup
from dangjian.meetings.models import Meeting

MAX_DRAFT_CHARS = 20000


@transaction.atomic
def meeting_news_draft_save(
    *, actor, meeting: Meeting, text: str, version: int | None, check: bool = True
) -> Meeting:
    """Store ``text`` as the meeting's news draft; refused when the meeting changed meanwhile."""
    m = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
    if check and not policy.can(actor, Action.MEETING_MANAGE, m):
        raise PermissionDenied
    if version is not None and version != m.version:
        raise ValidationError(
            _(
                "Someone else changed this meeting while you were editing. "
                "Copy your text, reload the page, then apply it again."
            ),
            code="conflict",
        )
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_DRAFT_CHARS:
        raise ValidationError(
            {
                "text": _("The draft is too long (at most %(n)s characters).")
                % {"n": MAX_DRAFT_CHARS}
            }
        )
    try:
        validate_no_markup(text)
    except ValidationError as exc:
        raise ValidationError({"text": exc.messages}) from exc
    if text == m.news_draft:
        return m
    before = len(m.news_draft)
    m.news_draft = text
    m.full_clean()
    m.version = F("version") + 1
    m.save(update_fields=["news_draft", "version", "updated_at"])
    m.refresh_from_db()
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=m,
        changes={"news_draft": [f"{before} chars", f"{len(text)} chars"]},
    )
    return m


DOCUMENTS = {
    "minutes": ("会议记录", "meeting minutes"),
    "attendance": ("出席情况表", "attendance sheet"),
    "signin": ("签到表", "sign-in sheet"),
}


@transaction.atomic
def meeting_document_export(*, actor, meeting: Meeting, document: str) -> tuple[bytes, str]:
    """Build one of the meeting's documents (.docx) and audit the export; (content, file name)."""
    from . import minutes, sheets

    if not policy.can(actor, Action.MEETING_VIEW, meeting):
        raise PermissionDenied
    builders = {
        "minutes": minutes.meeting_minutes_docx,
        "attendance": sheets.meeting_attendance_sheet_docx,
        "signin": sheets.meeting_signin_sheet_docx,
    }
    content = builders[document](meeting)
    suffix, name = DOCUMENTS[document]
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.EXPORT,
        obj=meeting,
        note=f"document: {name}",
    )
    day = timezone.localtime(meeting.starts_at).strftime("%Y%m%d")
    title = re.sub(r'[\\/:*?"<>|\s]+', "_", meeting.title)[:60]
    return content, f"{day}-{title}-{suffix}.docx"
