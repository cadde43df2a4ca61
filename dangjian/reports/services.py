"""Writes of the documents app: saving a meeting's or an activity's news report draft."""

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
    text = _clean_draft_text(text)
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


def _clean_draft_text(text: str) -> str:
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
    return text


@transaction.atomic
def activity_news_draft_save(
    *, actor, activity, text: str, version: int | None, check: bool = True
):
    """Store ``text`` as the activity's news draft; refused when another save came first.

    The lock is the draft's own version (0 = none saved yet): the activity row is locked
    so that two first saves cannot both create the draft.
    """
    from dangjian.campaigns.models import Activity

    from .models import ActivityNewsDraft

    a = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=activity.pk)
    )
    if check and not policy.can(actor, Action.MEETING_MANAGE, a.organization):
        raise PermissionDenied
    draft = ActivityNewsDraft.objects.filter(activity=a).first()
    current = draft.version if draft is not None else 0
    if version is not None and version != current:
        raise ValidationError(
            _(
                "Someone else saved this draft while you were editing. "
                "Copy your text, reload the page, then apply it again."
            ),
            code="conflict",
        )
    text = _clean_draft_text(text)
    before = len(draft.text) if draft is not None else 0
    if draft is not None and text == draft.text:
        return draft
    if draft is None:
        draft = ActivityNewsDraft(activity=a, text=text, version=1)
        action = audit.AuditEvent.Action.CREATE
    else:
        draft.text = text
        draft.version = current + 1
        action = audit.AuditEvent.Action.UPDATE
    draft.full_clean()
    draft.save()
    audit.record(
        actor=actor,
        action=action,
        obj=draft,
        changes={"text": [f"{before} chars", f"{len(text)} chars"]},
        note=f"activity {a.pk}",
    )
    return draft


DOCUMENTS = {
    "minutes": ("会议记录", "meeting minutes"),
    "attendance": ("出席情况表", "attendance sheet"),
    "signin": ("签到表", "sign-in sheet"),
    "summary": ("会议纪要", "meeting summary (纪要)"),
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
        "summary": minutes.meeting_summary_docx,
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
