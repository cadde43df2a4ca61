"""The audited side of the right of access and copy (个人信息保护法 第四十四、四十五条).

A member's own ID number and phone are decrypted only through
:func:`dangjian.people.services.member_reveal`, which checks the policy (a
member may always reveal their own) and writes a ``reveal`` audit row per
field. The copy (.xlsx) writes one ``export`` audit row about the member
record (or the account, for a user without one).
"""

from __future__ import annotations

from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.xlsx import ColumnSpec, WorkbookBuilder, watermark_text
from dangjian.people import services as people_services
from dangjian.people.models import SENSITIVE_FIELDS, Member

from . import selectors


@transaction.atomic
def own_personal_data_reveal(*, actor, member: Member) -> dict[str, str]:
    """The clear ID number and phone of the actor's own record (each reveal audited).

    Fields that hold nothing are not decrypted and not audited.
    """
    if member is None or member.pk != getattr(actor, "member_id", None):
        raise PermissionDenied
    revealed = {}
    for field in SENSITIVE_FIELDS:
        if getattr(member, f"{field}_cipher"):
            revealed[field] = people_services.member_reveal(actor=actor, member=member, field=field)
    return revealed


@transaction.atomic
def own_data_export(*, actor, target: IO[bytes], current_key: str | None = None) -> dict:
    """Write everything stored about ``actor`` to ``target`` as .xlsx; audited as an export.

    Returns the row counts per section (what the audit row records).
    """
    member = selectors.own_member(user=actor)
    revealed = own_personal_data_reveal(actor=actor, member=member) if member else {}
    groups = selectors.my_data(
        user=actor, member=member, revealed=revealed, current_key=current_key
    )
    builder = WorkbookBuilder()
    watermark = watermark_text(actor)
    counts = {}
    for section in [*groups["member"], *groups["account"]]:
        columns = section.columns or [_("Note")]
        specs = [ColumnSpec(str(c), 22 if section.kind == "fields" else 18) for c in columns]
        sheet = builder.add_sheet(
            str(section.title), specs, watermark=watermark, autofilter=section.kind != "fields"
        )
        if section.note:
            sheet.append([section.note])
        for row in section.rows:
            sheet.append([selectors.plain(v) for v in row])
        if section.truncated:
            sheet.append(
                [
                    _("Only the newest %(shown)s of %(total)s rows are included.")
                    % {"shown": len(section.rows), "total": section.total}
                ]
            )
        counts[section.key] = len(section.rows)
    builder.save(target)
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.EXPORT,
        obj=member if member is not None else actor,
        changes={"rows": counts},
        note="copy of own personal data (PIPL art. 45)",
    )
    return counts
