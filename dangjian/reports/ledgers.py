"""Excel ledgers (台账): meetings, topic coverage, tasks with their latest progress.

Every ledger starts from the restricted queryset of the exporting user, so an
export holds only what the user may see; it is written through
``dangjian.core.xlsx`` (text that looks like a formula stays text), with a
first line naming the ledger, its filters, who exported it and when, then
the frozen header row. Each export writes one audit row with the filters
(organization ids, dates, choices: never personal data) and the row count.
The number of queries does not depend on the number of rows.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict

from django import forms
from django.db import transaction
from django.db.models import Min, OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.access.roles import Action
from dangjian.core import audit
from dangjian.core.models import AuditEvent
from dangjian.core.xlsx import ColumnSpec, WorkbookBuilder, watermark_text
from dangjian.meetings.models import AgendaItem, AttendanceStatus, Meeting, MeetingKind
from dangjian.organizations.models import Organization, Unit
from dangjian.study.models import Topic
from dangjian.tasks.models import OPEN_STATUSES, ProgressReport, Task, TaskStatus

NOT_STUDIED = gettext_lazy("not yet studied")


# ----------------------------------------------------------------------------- filters


class _LedgerFilterForm(forms.Form):
    root = forms.ModelChoiceField(
        label=gettext_lazy("organization"), queryset=Organization.objects.none(), required=False
    )

    action = Action.MEETING_VIEW

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root"].queryset = Organization.objects.restrict(user, self.action)

    def summary(self) -> dict:
        """The filters as plain values (ids, dates, choices) for the title line and audit."""
        out = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", False):
                continue
            if isinstance(value, Organization | Unit):
                out[name] = {"id": value.pk, "name": value.name}
            elif isinstance(value, datetime.date):
                out[name] = value.isoformat()
            else:
                out[name] = value
        return out


class MeetingLedgerFilterForm(_LedgerFilterForm):
    date_from = forms.DateField(label=gettext_lazy("from"), required=False)
    date_to = forms.DateField(label=gettext_lazy("to"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("kind"), choices=[("", ""), *MeetingKind.choices], required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class TopicLedgerFilterForm(MeetingLedgerFilterForm):
    """Topics given within [date_from, date_to]; coverage by the root's subtree."""


class TaskLedgerFilterForm(_LedgerFilterForm):
    action = Action.TASK_VIEW
    status = forms.ChoiceField(
        label=gettext_lazy("status"), choices=[("", ""), *TaskStatus.choices], required=False
    )
    lead_unit = forms.ModelChoiceField(
        label=gettext_lazy("lead unit"), queryset=Unit.objects.all(), required=False
    )
    overdue = forms.BooleanField(label=gettext_lazy("overdue"), required=False)


def _describe(summary: dict) -> str:
    parts = []
    for key, value in summary.items():
        shown = value["name"] if isinstance(value, dict) else value
        parts.append(f"{key}={shown}")
    return "; ".join(parts) if parts else _("all in scope")


def _title_line(title: str, summary: dict, actor) -> str:
    return f"{title} | {_('Filters')}: {_describe(summary)} | {watermark_text(actor)}"


def _record(actor, *, object_type: str, name: str, rows: int, summary: dict) -> None:
    audit.record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type=object_type,
        object_repr=name,
        changes={"rows": rows, "filters": summary},
        note=f"ledger: {name}",
    )


def _subtree(qs, root: Organization | None, field: str):
    return qs.filter(**{f"{field}__startswith": root.path}) if root else qs


def _cn_kind(kind: str) -> str:
    return str(MeetingKind(kind).label) if kind in MeetingKind.values else kind


# ----------------------------------------------------------------------------- meetings


@transaction.atomic
def meeting_ledger(
    *, actor, root=None, date_from=None, date_to=None, kind="", summary=None
) -> bytes:
    """Meetings of ``root``'s subtree (all in scope when None) held in the period."""
    qs = _subtree(Meeting.objects.restrict(actor, Action.MEETING_VIEW), root, "organization__path")
    if date_from:
        qs = qs.filter(starts_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(starts_at__date__lte=date_to)
    if kind:
        qs = qs.filter(kind=kind)
    qs = (
        qs.select_related("organization", "chair", "recorder")
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.order_by("order", "id").prefetch_related("topics"),
            ),
            "attendances",
        )
        .order_by("starts_at", "id")
    )
    title = _("Meeting ledger")
    builder = WorkbookBuilder()
    sheet = builder.add_sheet(
        title,
        [
            ColumnSpec(_("No."), 6),
            ColumnSpec(_("date"), 16),
            ColumnSpec(_("organization"), 24),
            ColumnSpec(_("kind"), 18),
            ColumnSpec(_("title"), 36),
            ColumnSpec(_("venue"), 16),
            ColumnSpec(_("chair"), 10),
            ColumnSpec(_("expected"), 8),
            ColumnSpec(_("present"), 8),
            ColumnSpec(_("on leave"), 8),
            ColumnSpec(_("absent"), 8),
            ColumnSpec(_("topics studied"), 48),
            ColumnSpec(_("agenda"), 48),
            ColumnSpec(_("status"), 8),
        ],
        watermark=_title_line(title, summary or {}, actor),
    )
    n = 0
    for meeting in qs:
        n += 1
        counts = defaultdict(int)
        for a in meeting.attendances.all():
            counts[a.status] += 1
        items = list(meeting.agenda_items.all())
        topics = list(dict.fromkeys(t.title for item in items for t in item.topics.all()))
        sheet.append(
            [
                n,
                timezone.localtime(meeting.starts_at),
                meeting.organization.name,
                _cn_kind(meeting.kind),
                meeting.title,
                meeting.venue,
                meeting.chair.name if meeting.chair else meeting.chair_name,
                sum(counts.values()),
                counts[AttendanceStatus.PRESENT] + counts[AttendanceStatus.LATE],
                counts[AttendanceStatus.LEAVE],
                counts[AttendanceStatus.ABSENT],
                "; ".join(topics),
                "; ".join(f"{i.order}. {i.title}" for i in items),
                meeting.get_status_display(),
            ]
        )
    out = io.BytesIO()
    builder.save(out)
    _record(
        actor, object_type="meetings.meeting", name="meeting ledger", rows=n, summary=summary or {}
    )
    return out.getvalue()


# ----------------------------------------------------------------------------- topics


@transaction.atomic
def topic_ledger(*, actor, root=None, date_from=None, date_to=None, kind="", summary=None) -> bytes:
    """For each topic and organization of the subtree: first studied when, where, how soon."""
    topics = Topic.objects.restrict(actor, Action.MEETING_VIEW).order_by("-given_on", "id")
    if date_from:
        topics = topics.filter(given_on__gte=date_from)
    if date_to:
        topics = topics.filter(given_on__lte=date_to)
    topics = list(topics.only("id", "title", "given_on", "kind"))
    orgs = list(
        _subtree(Organization.objects.restrict(actor, Action.MEETING_VIEW).active(), root, "path")
        .order_by("path")
        .only("id", "name", "path")
    )
    meetings = _subtree(
        Meeting.objects.restrict(actor, Action.MEETING_VIEW).held(), root, "organization__path"
    )
    if kind:
        meetings = meetings.filter(kind=kind)
    through = AgendaItem.topics.through
    firsts = (
        through.objects.filter(
            topic_id__in=[t.pk for t in topics],
            agendaitem__meeting__in=meetings.values("pk"),
        )
        .values("topic_id", "agendaitem__meeting__organization_id")
        .annotate(first=Min("agendaitem__meeting__starts_at"))
    )
    first: dict[tuple[int, int], datetime.datetime] = {
        (r["topic_id"], r["agendaitem__meeting__organization_id"]): r["first"] for r in firsts
    }
    # The meeting of each first study (one query over the same rows).
    meeting_of: dict[tuple[int, int], str] = {}
    if first:
        rows = (
            through.objects.filter(
                topic_id__in=[t.pk for t in topics],
                agendaitem__meeting__in=meetings.values("pk"),
            )
            .values_list(
                "topic_id",
                "agendaitem__meeting__organization_id",
                "agendaitem__meeting__starts_at",
                "agendaitem__meeting__title",
            )
            .order_by("agendaitem__meeting__starts_at", "agendaitem__meeting_id")
        )
        for topic_id, org_id, starts_at, mtitle in rows:
            key = (topic_id, org_id)
            if key not in meeting_of and starts_at == first.get(key):
                meeting_of[key] = mtitle
    title = _("Topic coverage ledger")
    builder = WorkbookBuilder()
    sheet = builder.add_sheet(
        title,
        [
            ColumnSpec(_("topic"), 40),
            ColumnSpec(_("given on"), 12, date=True),
            ColumnSpec(_("organization"), 24),
            ColumnSpec(_("first studied on"), 14, date=True),
            ColumnSpec(_("meeting"), 36),
            ColumnSpec(_("days after given"), 10),
        ],
        watermark=_title_line(title, summary or {}, actor),
    )
    n = 0
    for topic in topics:
        for org in orgs:
            n += 1
            when = first.get((topic.pk, org.pk))
            if when is None:
                sheet.append([topic.title, topic.given_on, org.name, str(NOT_STUDIED), "", ""])
                continue
            day = timezone.localtime(when).date()
            sheet.append(
                [
                    topic.title,
                    topic.given_on,
                    org.name,
                    day,
                    meeting_of.get((topic.pk, org.pk), ""),
                    (day - topic.given_on).days,
                ]
            )
    out = io.BytesIO()
    builder.save(out)
    _record(
        actor,
        object_type="study.topic",
        name="topic coverage ledger",
        rows=n,
        summary=summary or {},
    )
    return out.getvalue()


# ----------------------------------------------------------------------------- tasks


@transaction.atomic
def task_ledger(
    *, actor, root=None, status="", lead_unit=None, overdue=False, summary=None
) -> bytes:
    """Tasks in scope with their latest progress report, status and overdue flag."""
    today = timezone.localdate()
    qs = Task.objects.restrict(actor, Action.TASK_VIEW)
    if root is not None:
        qs = qs.filter(organization__path__startswith=root.path) | qs.filter(
            lead_organization__path__startswith=root.path
        )
    if status:
        qs = qs.filter(status=status)
    if lead_unit is not None:
        qs = qs.filter(lead_unit=lead_unit)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=today)
    latest = ProgressReport.objects.filter(task=OuterRef("pk")).order_by("-reported_on", "-id")
    qs = (
        qs.distinct()
        .annotate(
            latest_on=Subquery(latest.values("reported_on")[:1]),
            latest_text=Subquery(latest.values("text")[:1]),
            latest_percent=Subquery(latest.values("percent")[:1]),
        )
        .select_related(
            "organization", "lead_unit", "lead_organization", "origin_meeting", "responsible"
        )
        .prefetch_related("cooperating_units")
        .order_by("deadline", "id")
    )
    title = _("Task ledger")
    builder = WorkbookBuilder()
    sheet = builder.add_sheet(
        title,
        [
            ColumnSpec(_("No."), 6),
            ColumnSpec(_("title"), 36),
            ColumnSpec(_("issued by"), 20),
            ColumnSpec(_("origin meeting"), 28),
            ColumnSpec(_("lead unit"), 18),
            ColumnSpec(_("co-operating units"), 20),
            ColumnSpec(_("responsible person"), 10),
            ColumnSpec(_("deadline"), 12, date=True),
            ColumnSpec(_("status"), 10),
            ColumnSpec(_("overdue"), 8),
            ColumnSpec(_("progress"), 8),
            ColumnSpec(_("latest report on"), 12, date=True),
            ColumnSpec(_("latest progress"), 48),
        ],
        watermark=_title_line(title, summary or {}, actor),
    )
    n = 0
    for task in qs:
        n += 1
        lead = task.lead_unit or task.lead_organization
        sheet.append(
            [
                n,
                task.title,
                task.organization.name,
                task.origin_meeting.title if task.origin_meeting else "",
                str(lead) if lead else "",
                "、".join(u.name for u in task.cooperating_units.all()),
                task.responsible.name if task.responsible else "",
                task.deadline,
                task.get_status_display(),
                _("yes") if task.is_overdue(today) else _("no"),
                f"{task.progress}%",
                task.latest_on,
                task.latest_text or "",
            ]
        )
    out = io.BytesIO()
    builder.save(out)
    _record(actor, object_type="tasks.task", name="task ledger", rows=n, summary=summary or {})
    return out.getvalue()
