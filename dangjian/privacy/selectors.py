"""Everything stored about the requesting user, for the "My data" page and its copy.

Every read here is keyed by the user themself (their account and the member
record linked to it), never by a scope: a user sees what is stored about them
and nothing about anybody else. Each list is bounded (the newest
``ROW_LIMIT`` rows) and carries its full count, so the page stays fast for a
member with a long history.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access.models import RoleGrant
from dangjian.access.roles import Action
from dangjian.core.models import AuditArchiveEvent, AuditEvent
from dangjian.fourstrong.models import Objection
from dangjian.meetings.models import Attendance, Meeting
from dangjian.people.models import SENSITIVE_FIELDS, Member, MemberTransfer, PostAssignment
from dangjian.security.models import AccountState, UserSession
from dangjian.tasks.models import Task
from dangjian.training.models import TrainingAttendance
from dangjian.twofactor import selectors as twofactor_selectors

ROW_LIMIT = 200
LOOK_ACTIONS = (AuditEvent.Action.REVEAL, AuditEvent.Action.EXPORT)
MEMBER_TYPE = Member._meta.label_lower


@dataclass
class Section:
    """One table of the page and one sheet of the copy."""

    key: str
    title: str
    columns: Sequence[str]
    rows: list[list[Any]]
    total: int
    empty: str = ""
    note: str = ""
    kind: str = "table"  # "fields": a two-column field/value list
    extra: dict = field(default_factory=dict)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def _bounded(queryset, limit: int | None = None) -> tuple[list, int]:
    """The first ``limit`` rows and the number of all rows (a count only when cut off)."""
    limit = ROW_LIMIT if limit is None else limit
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, len(rows)
    return rows[:limit], queryset.count()


def own_member(*, user) -> Member | None:
    """The member record linked to the user's account, through the self rule of the policy."""
    if not getattr(user, "member_id", None):
        return None
    return (
        Member.objects.restrict(user, Action.MEMBER_VIEW)
        .select_related("organization", "organization__unit")
        .filter(pk=user.member_id)
        .first()
    )


def _fields(key: str, title: str, pairs: list[tuple[str, Any]]) -> Section:
    return Section(
        key=key,
        title=title,
        columns=[_("Field"), _("Value")],
        rows=[[label, value] for label, value in pairs],
        total=len(pairs),
        kind="fields",
    )


def member_record(*, member: Member, revealed: dict[str, str]) -> Section:
    """The member record in full; ID number and phone as ``revealed`` (audited) gave them."""
    pairs = [
        (_("Full name"), member.name),
        (_("Gender"), member.get_gender_display()),
        (_("Ethnicity"), member.ethnicity),
        (_("Birth date"), member.birth_date),
        (_("Education"), member.get_education_display()),
        (_("ID number"), revealed.get("id_number", "")),
        (_("Phone"), revealed.get("phone", "")),
        (_("Party join date"), member.joined_party_on),
        (_("Full membership date"), member.full_member_on),
        (_("Status"), member.get_status_display()),
        (_("Party organization"), member.organization.name),
        (_("Unit"), member.organization.unit.name if member.organization.unit_id else ""),
        (_("Administrative title"), member.admin_title),
        (_("Left at"), member.left_at),
        (_("Record created at"), member.created_at),
        (_("Record last changed at"), member.updated_at),
    ]
    return _fields("member", _("Member record"), pairs)


def posts(*, member: Member) -> Section:
    rows, total = _bounded(
        PostAssignment.objects.filter(member=member)
        .select_related("organization")
        .order_by("-started_on", "-id")
    )
    return Section(
        key="posts",
        title=_("Posts"),
        columns=[_("Organization"), _("Post"), _("Started on"), _("Ended on")],
        rows=[[p.organization.name, p.get_title_display(), p.started_on, p.ended_on] for p in rows],
        total=total,
        empty=_("No post."),
    )


def transfers(*, member: Member) -> Section:
    rows, total = _bounded(
        MemberTransfer.objects.filter(member=member)
        .select_related("from_organization", "to_organization", "recorded_by")
        .order_by("-transferred_on", "-id")
    )
    return Section(
        key="transfers",
        title=_("Organization history"),
        columns=[
            _("Date"),
            _("Transferred from"),
            _("Transferred to"),
            _("Reason"),
            _("Recorded by"),
        ],
        rows=[
            [
                t.transferred_on,
                t.from_organization.name if t.from_organization_id else "",
                t.to_organization.name,
                t.reason,
                str(t.recorded_by) if t.recorded_by_id else "",
            ]
            for t in rows
        ],
        total=total,
        empty=_("No history recorded."),
    )


def meeting_attendance(*, member: Member) -> Section:
    rows, total = _bounded(
        Attendance.objects.filter(member=member)
        .select_related("meeting", "meeting__organization")
        .order_by("-meeting__starts_at", "-id")
    )
    return Section(
        key="attendance",
        title=_("Meeting attendance"),
        columns=[
            _("Date"),
            _("Meeting"),
            _("Organization"),
            _("Kind"),
            _("Attendance"),
            _("Reason"),
            _("Signed in at"),
            _("By QR code"),
        ],
        rows=[
            [
                a.meeting.starts_at,
                a.meeting.title,
                a.meeting.organization.name,
                a.meeting.get_kind_display(),
                a.get_status_display(),
                a.reason,
                a.signed_in_at,
                a.via_qr,
            ]
            for a in rows
        ],
        total=total,
        empty=_("No meeting attendance recorded."),
    )


def meeting_roles(*, member: Member) -> Section:
    rows, total = _bounded(
        Meeting.objects.filter(Q(chair=member) | Q(recorder=member))
        .select_related("organization")
        .order_by("-starts_at", "-id")
    )
    return Section(
        key="meeting_roles",
        title=_("Meetings you chaired or recorded"),
        columns=[_("Date"), _("Meeting"), _("Organization"), _("Role")],
        rows=[
            [
                m.starts_at,
                m.title,
                m.organization.name,
                "、".join(
                    str(label)
                    for label, held in ((_("chair"), m.chair_id), (_("recorder"), m.recorder_id))
                    if held == member.pk
                ),
            ]
            for m in rows
        ],
        total=total,
        empty=_("No meeting names you as chair or recorder."),
    )


def trainings(*, member: Member) -> Section:
    attendance = TrainingAttendance.objects.filter(member=member)
    rows, total = _bounded(
        attendance.select_related("training", "training__organization").order_by(
            "-training__date", "-id"
        )
    )
    per_year = (
        attendance.annotate(year=ExtractYear("training__date"))
        .values("year")
        .annotate(hours=Sum("hours"), n=Count("id"))
        .order_by("-year")
    )
    return Section(
        key="training",
        title=_("Training attendance and hours"),
        columns=[
            _("Date"),
            _("Training"),
            _("Organizing organization"),
            _("Kind"),
            _("Capabilities"),
            _("Hours"),
        ],
        rows=[
            [
                a.training.date,
                a.training.title,
                a.training.organization.name,
                a.training.get_kind_display(),
                "、".join(a.training.capability_labels()),
                a.hours,
            ]
            for a in rows
        ],
        total=total,
        empty=_("No training attendance recorded."),
        extra={
            "per_year": [
                {"year": r["year"], "hours": r["hours"] or Decimal(0), "trainings": r["n"]}
                for r in per_year
            ]
        },
    )


def tasks(*, member: Member) -> Section:
    rows, total = _bounded(
        Task.objects.filter(responsible=member)
        .select_related("organization", "lead_organization", "lead_unit")
        .order_by("-deadline", "-id")
    )
    return Section(
        key="tasks",
        title=_("Tasks you are responsible for"),
        columns=[
            _("Task"),
            _("Issued by"),
            _("Lead"),
            _("Deadline"),
            _("Status"),
            _("Progress"),
        ],
        rows=[
            [
                t.title,
                t.organization.name,
                (t.lead_organization.name if t.lead_organization_id else "")
                or (t.lead_unit.name if t.lead_unit_id else ""),
                t.deadline,
                t.get_status_display(),
                f"{t.progress}%",
            ]
            for t in rows
        ],
        total=total,
        empty=_("No task names you as the responsible person."),
    )


def campaigns_note() -> Section:
    return Section(
        key="campaigns",
        title=_("Campaign activities"),
        columns=[],
        rows=[],
        total=0,
        note=_(
            "Activities record their leaders and presenters as names and their participants "
            "as a number; none of it is linked to member records, so nothing is stored about "
            "you there per member."
        ),
    )


def objections(*, user) -> Section:
    rows, total = _bounded(
        Objection.objects.filter(submitted_by=user)
        .select_related("assessment__branch", "assessment__cycle")
        .order_by("-submitted_on", "-id")
    )
    return Section(
        key="objections",
        title=_("Four-strong objections you raised"),
        columns=[_("Submitted on"), _("Branch"), _("Year"), _("Objection"), _("Answer")],
        rows=[
            [
                o.submitted_on,
                o.assessment.branch.name,
                o.assessment.cycle.year,
                o.text,
                o.answer,
            ]
            for o in rows
        ],
        total=total,
        empty=_("You raised no objection."),
    )


def account(*, user) -> Section:
    state = AccountState.objects.filter(user=user).first()
    two_factor = twofactor_selectors.status(user=user)
    devices = "、".join(
        _("%(name)s (last used %(time)s)")
        % {
            "name": d.name,
            "time": timezone.localtime(d.last_used_at).strftime("%Y-%m-%d %H:%M"),
        }
        if getattr(d, "last_used_at", None)
        else d.name
        for d in two_factor["devices"]
    )
    pairs = [
        (_("User name"), user.get_username()),
        (_("Display name"), user.display_name),
        (_("Email"), user.email),
        (_("Active"), user.is_active),
        (_("Account created at"), user.date_joined),
        (_("Last log-in"), user.last_login),
        (_("Password last changed at"), state.password_changed_at if state else None),
        (_("Two-factor login"), devices or _("not set up")),
        (_("Recovery codes left"), two_factor["recovery_left"] if devices else ""),
        (_("Second factor locked until"), two_factor["locked_until"]),
        (_("Linked member record"), str(user.member) if user.member_id else _("none")),
    ]
    return _fields("account", _("Account"), pairs)


def roles(*, user) -> Section:
    rows, total = _bounded(
        RoleGrant.objects.filter(user=user)
        .select_related("organization", "granted_by")
        .order_by("-created_at", "-id")
    )
    return Section(
        key="roles",
        title=_("Roles granted"),
        columns=[_("Role"), _("Organization"), _("Granted at"), _("Granted by")],
        rows=[
            [
                g.get_role_display(),
                g.organization.name if g.organization_id else _("whole platform"),
                g.created_at,
                str(g.granted_by) if g.granted_by_id else "",
            ]
            for g in rows
        ],
        total=total,
        empty=_("No role is granted to your account."),
    )


def sessions(*, user, current_key: str | None = None) -> Section:
    """The account's logged-in sessions; never the session keys themselves."""
    rows, total = _bounded(UserSession.objects.filter(user=user).order_by("-created_at", "-id"))
    return Section(
        key="sessions",
        title=_("Active sessions"),
        columns=[_("Logged in at"), _("Address"), _("This session")],
        rows=[[s.created_at, s.address or "", s.session_key == current_key] for s in rows],
        total=total,
        empty=_("No session recorded."),
    )


def looks(*, user, member: Member) -> Section:
    """Reveal and export events about the member record, by anybody but the user themself.

    Only events naming this record (object type and id) are read, so the user sees
    nothing about anybody else; addresses are not shown. Archived events count too.
    """
    live = AuditEvent.objects.filter(
        object_type=MEMBER_TYPE, object_id=str(member.pk), action__in=LOOK_ACTIONS
    )
    archived = AuditArchiveEvent.objects.filter(
        object_type=MEMBER_TYPE, object_id=str(member.pk), action__in=LOOK_ACTIONS
    )
    by_others = live.exclude(actor_id=user.pk).order_by("-occurred_at", "-id")
    archived_by_others = archived.exclude(actor_ref=user.pk).order_by("-occurred_at", "-id")
    fields = ("occurred_at", "actor_name", "action", "changes")
    rows, total = _bounded(by_others.values(*fields))
    if len(rows) < ROW_LIMIT:
        more, more_total = _bounded(archived_by_others.values(*fields), ROW_LIMIT - len(rows))
        rows += more
        total += more_total
    else:
        total += archived_by_others.count()
    own = live.filter(actor_id=user.pk).count() + archived.filter(actor_ref=user.pk).count()
    labels = dict(AuditEvent.Action.choices)
    field_labels = {"id_number": _("ID number"), "phone": _("Phone")}
    return Section(
        key="looks",
        title=_("Who looked at your personal data"),
        columns=[_("Time"), _("User name"), _("Action"), _("Fields")],
        rows=[
            [
                r["occurred_at"],
                r["actor_name"],
                str(labels.get(r["action"], r["action"])),
                "、".join(
                    str(field_labels[f])
                    for f in SENSITIVE_FIELDS
                    if isinstance(r["changes"], dict) and f in r["changes"]
                ),
            ]
            for r in rows
        ],
        total=total,
        empty=_("Nobody else has revealed or exported your member record."),
        note=_(
            "Reveals of your ID number or phone and exports of your record by other users. "
            "Exports of whole member lists are recorded without the members they held and are "
            "not listed here."
        ),
        extra={"own": own},
    )


def my_data(
    *, user, member: Member | None, revealed: dict[str, str], current_key: str | None = None
) -> dict[str, list[Section]]:
    """The page's and the copy's sections, grouped: member data, account."""
    groups: dict[str, list[Section]] = {"member": [], "account": []}
    if member is not None:
        groups["member"] = [
            member_record(member=member, revealed=revealed),
            posts(member=member),
            transfers(member=member),
            meeting_attendance(member=member),
            meeting_roles(member=member),
            trainings(member=member),
            tasks(member=member),
            campaigns_note(),
            looks(user=user, member=member),
        ]
    groups["account"] = [
        account(user=user),
        roles(user=user),
        sessions(user=user, current_key=current_key),
        objections(user=user),
    ]
    return groups


def plain(value: Any) -> Any:
    """A cell for the spreadsheet: booleans as words, the rest as is."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime | datetime.date | Decimal | int | float):
        return value
    return "" if value is None else str(value)
