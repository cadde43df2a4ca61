"""The member list as an .xlsx file.

The columns are the roster template's (so an export, edited, imports again)
plus the party posts. ID numbers and phones are masked unless the exporting
user may reveal them for that member (MEMBER_REVEAL on the member's
organization); a file with clear values is a reveal, and the export's audit
row says so. Every export writes one audit row.

The rows are streamed from one query (``values_list`` + ``iterator``) into
openpyxl's write-only workbook: memory stays flat and the number of queries
does not depend on the number of rows. Lists longer than
``MEMBER_EXPORT_BACKGROUND_ROWS`` (default 5000; ~6k rows/s means seconds
per thousand) are written by the job worker into a private file the user
downloads from a status page.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import BinaryField, Case, Count, F, Value, When
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import audit, crypto
from dangjian.core.xlsx import ColumnSpec, WorkbookBuilder, watermark_text
from dangjian.organizations.models import STEP, Organization

from .filters import MemberFilter
from .models import Member, PostAssignment, PostTitle, roster_storage
from .roster import (
    EDUCATION_LABELS,
    GENDER_LABELS,
    POSTS_HEADER,
    STATUS_LABELS,
    template_columns,
)

logger = logging.getLogger(__name__)

FILTER_KEYS = ("organization", "status", "gender", "education")
EXPORT_DIR = "exports"
KEEP_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class ExportResult:
    rows: int
    revealed: int  # rows written with a clear ID number or phone


def _clear_when_allowed(user, cipher_field: str):
    """The cipher where the user may reveal it, else NULL: no clear value is
    even fetched for members outside the reveal scope."""
    condition = policy.scope_q(user, Action.MEMBER_REVEAL, "organization__path", self_field="pk")
    if not condition:  # Q(): allowed everywhere
        return F(cipher_field)
    return Case(
        When(condition, then=F(cipher_field)), default=Value(None), output_field=BinaryField()
    )


def _posts(queryset) -> dict[int, str]:
    posts: dict[int, list[str]] = defaultdict(list)
    rows = (
        PostAssignment.objects.filter(ended_on__isnull=True, member__in=queryset.values("pk"))
        .order_by("organization__path", "title")
        .values_list("member_id", "organization__short_name", "organization__name", "title")
    )
    for member_id, short_name, name, title in rows:
        posts[member_id].append(f"{short_name or name}{PostTitle(title).label}")
    return {k: "、".join(v) for k, v in posts.items()}


def _organization_label(name: str, path: str, parent_name: str | None, shared: set[str]) -> str:
    # A name shared by several organizations is written "parent/name", the
    # form the import resolves.
    if name in shared and parent_name and len(path) > STEP:
        return f"{parent_name}/{name}"
    return name


@transaction.atomic
def member_export(
    *, actor, queryset, target: IO[bytes], filters: dict | None = None
) -> ExportResult:
    """Write ``queryset`` (already filtered and restricted to the export scope) to ``target``."""
    if not policy.has_action(actor, Action.MEMBER_EXPORT):
        raise PermissionDenied
    queryset = queryset.restrict(actor, Action.MEMBER_EXPORT)
    shared_names = set(
        Organization.objects.active()
        .values("name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    posts = _posts(queryset)
    rows = (
        queryset.annotate(
            id_cipher=_clear_when_allowed(actor, "id_number_cipher"),
            phone_cipher_=_clear_when_allowed(actor, "phone_cipher"),
        )
        .order_by("organization__path", "name", "id")
        .values_list(
            "pk",
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "id_number_masked",
            "id_cipher",
            "phone_masked",
            "phone_cipher_",
            "education",
            "joined_party_on",
            "full_member_on",
            "status",
            "organization__name",
            "organization__path",
            "organization__parent__name",
            "admin_title",
        )
    )
    builder = WorkbookBuilder()
    columns = [*template_columns(), ColumnSpec(POSTS_HEADER, 24)]
    sheet = builder.add_sheet(_("Party members"), columns, watermark=watermark_text(actor))
    count = revealed = 0
    for (
        pk,
        name,
        gender,
        ethnicity,
        birth_date,
        id_masked,
        id_cipher,
        phone_masked,
        phone_cipher,
        education,
        joined,
        full,
        status,
        org_name,
        org_path,
        parent_name,
        admin_title,
    ) in rows.iterator(chunk_size=2000):
        id_number = crypto.decrypt(id_cipher) if id_cipher else id_masked
        phone = crypto.decrypt(phone_cipher) if phone_cipher else phone_masked
        if id_cipher or phone_cipher:
            revealed += 1
        sheet.append(
            [
                name,
                GENDER_LABELS.get(gender, ""),
                ethnicity,
                birth_date,
                id_number,
                phone,
                EDUCATION_LABELS.get(education, ""),
                joined,
                full,
                STATUS_LABELS.get(status, ""),
                _organization_label(org_name, org_path, parent_name, shared_names),
                admin_title,
                posts.get(pk, ""),
            ]
        )
        count += 1
    builder.save(target)
    changes = {"rows": count, "personal_data_rows": revealed, "filters": _plain_filters(filters)}
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.EXPORT,
        object_type=Member._meta.label_lower,
        object_repr=str(_("party member list")),
        changes=changes,
        note=(
            f"personal data included: clear ID numbers/phones for {revealed} members"
            if revealed
            else "personal data masked"
        ),
    )
    return ExportResult(rows=count, revealed=revealed)


def _plain_filters(filters: dict | None) -> dict:
    """The filters for the audit row; free-text search may be an ID number, so only its presence."""
    if not filters:
        return {}
    kept = {k: str(filters[k]) for k in FILTER_KEYS if filters.get(k)}
    if filters.get("q"):
        kept["q"] = audit.SENSITIVE_MARK
    return kept


def background_rows() -> int:
    return int(getattr(settings, "MEMBER_EXPORT_BACKGROUND_ROWS", 5000))


def export_queryset(*, user, params) -> tuple:
    """(queryset, cleaned filters) of the member list as the list page filters it,
    restricted to the export scope; (None, None) when the filters are invalid
    (e.g. an organization outside the user's scope)."""
    filterset = MemberFilter(
        params, queryset=Member.objects.restrict(user, Action.MEMBER_VIEW).current(), user=user
    )
    if not filterset.is_valid():
        return None, None
    return filterset.qs.restrict(user, Action.MEMBER_EXPORT), filterset.form.cleaned_data


# Background exports: the file lives in the private storage under the user's
# id and a random token; only that user's pages ever look there.


def _name(user_id: int, token: str, suffix: str) -> str:
    if not TOKEN_RE.match(token):
        raise ValueError("bad export token")
    return f"{EXPORT_DIR}/{int(user_id)}/{token}{suffix}"


def export_file_path(user_id: int, token: str) -> str:
    return roster_storage().path(_name(user_id, token, ".xlsx"))


def export_state(user_id: int, token: str) -> str:
    """ "ready", "failed" or "pending"."""
    storage = roster_storage()
    if storage.exists(_name(user_id, token, ".xlsx")):
        return "ready"
    if storage.exists(_name(user_id, token, ".failed")):
        return "failed"
    return "pending"


def forget_old_exports(user_id: int) -> None:
    """Delete the user's export files older than a day (they hold personal data)."""
    storage = roster_storage()
    folder = f"{EXPORT_DIR}/{int(user_id)}"
    if not storage.exists(folder):
        return
    limit = time.time() - KEEP_SECONDS
    for name in storage.listdir(folder)[1]:
        path = storage.path(f"{folder}/{name}")
        if os.path.getmtime(path) < limit:
            storage.delete(f"{folder}/{name}")


def export_to_storage(*, actor, params: dict, token: str) -> str:
    """Write the export into the private storage (the job's side); returns the state."""
    storage = roster_storage()
    final = storage.path(_name(actor.pk, token, ".xlsx"))
    os.makedirs(os.path.dirname(final), exist_ok=True)
    partial_path = final + ".part"
    try:
        if not policy.has_action(actor, Action.MEMBER_EXPORT) or not actor.is_active:
            raise PermissionDenied
        queryset, filters = export_queryset(user=actor, params=params)
        if queryset is None:
            raise PermissionDenied
        with open(partial_path, "wb") as target:
            member_export(actor=actor, queryset=queryset, target=target, filters=filters)
        os.replace(partial_path, final)
        return "ready"
    except Exception as exc:
        # The class only: a message could quote data.
        logger.error("member export %s failed: %s", token, type(exc).__name__)
        if os.path.exists(partial_path):
            os.remove(partial_path)
        with open(storage.path(_name(actor.pk, token, ".failed")), "w") as marker:
            marker.write(type(exc).__name__)
        return "failed"
