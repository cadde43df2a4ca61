"""Writes to meetings: the record, its agenda, attendance, sign-in, decisions → tasks, rules.

Every write checks ``policy.can(actor, MEETING_MANAGE, meeting.organization)``
as a second guard (views already fetched through the restricted queryset),
validates, and writes an audit row in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import audit
from dangjian.core.validators import validate_no_markup
from dangjian.organizations.models import Organization
from dangjian.people.models import Member, PostAssignment, PostTitle

from .models import (
    FIRST_AGENDA_KINDS,
    LEADING_GROUP_KINDS,
    AgendaItem,
    AgendaItemTopic,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    LifeRule,
    Measure,
    Meeting,
    StatementBlock,
    StatementKind,
)
from .statements import measure_number

MEETING_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "venue",
    "chair",
    "recorder",
    "chair_name",
    "invited_leaders",
    "summary",
)
AUDITED_FIELDS = ("organization", *MEETING_FIELDS, "status")
LEADING_GROUP_POSTS = (
    PostTitle.LEADING_GROUP_SECRETARY,
    PostTitle.LEADING_GROUP_DEPUTY,
    PostTitle.LEADING_GROUP_MEMBER,
)
# Statuses that say the member was (or was not) at a meeting that took place.
HAPPENED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT)
SIGNIN_SALT = "dangjian.meetings.signin"


def _guard(actor, obj, check: bool, action: str = Action.MEETING_MANAGE) -> None:
    if check and not policy.can(actor, action, obj):
        raise PermissionDenied


def _conflict() -> ValidationError:
    return ValidationError(
        _(
            "Someone else changed this meeting while you were editing it. "
            "Reload the page to see their changes, then apply yours again."
        ),
        code="conflict",
    )


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)


def _touch(meeting: Meeting) -> None:
    """A change to the agenda or attendance is a change of the meeting (for optimistic locking)."""
    Meeting.objects.filter(pk=meeting.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


def _clean_leaders(leaders) -> list[dict]:
    cleaned = []
    for entry in leaders or ():
        name = str(entry.get("name", "")).strip()
        title = str(entry.get("title", "")).strip()
        if not name and not title:
            continue
        if not name:
            raise ValidationError({"invited_leaders": _("Give the name of every invited leader.")})
        if len(name) > 50 or len(title) > 100:
            raise ValidationError(
                {"invited_leaders": _("An invited leader's name or title is too long.")}
            )
        for value in (name, title):
            try:
                validate_no_markup(value)
            except ValidationError as exc:
                raise ValidationError({"invited_leaders": exc.messages}) from None
        cleaned.append({"name": name, "title": title})
    return cleaned


def _check_people(meeting: Meeting) -> None:
    org_path = meeting.organization.path
    for field in ("chair", "recorder"):
        person = getattr(meeting, field)
        if person is not None and (
            person.left_at is not None or not person.organization.path.startswith(org_path)
        ):
            raise ValidationError(
                {field: _("Choose a member of the meeting's organization or below it.")}
            )


def _check_times(meeting: Meeting) -> None:
    if meeting.ends_at and meeting.starts_at and meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})


def expected_attendees(*, organization: Organization, kind: str) -> list[Member]:
    """Who is expected by default: the leading group's post holders for its meetings, else
    the organization's current members (the leading group's members when it has no posts)."""
    if kind in LEADING_GROUP_KINDS:
        holders = list(
            Member.objects.current()
            .filter(
                posts__organization=organization,
                posts__title__in=LEADING_GROUP_POSTS,
                posts__ended_on__isnull=True,
            )
            .distinct()
            .order_by("name", "id")
        )
        if holders:
            return holders
    return list(Member.objects.current().filter(organization=organization).order_by("name", "id"))


@transaction.atomic
def meeting_create(
    *,
    actor,
    organization: Organization,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    venue: str = "",
    chair: Member | None = None,
    recorder: Member | None = None,
    chair_name: str = "",
    invited_leaders: Iterable[dict] = (),
    summary: str = "",
    check: bool = True,
) -> Meeting:
    """Record a planned meeting with its default expected attendees."""
    if organization is None:
        raise ValidationError({"organization": _("Choose the organization holding the meeting.")})
    _guard(actor, organization, check)
    if organization.is_dissolved:
        raise ValidationError({"organization": _("This organization has been dissolved.")})
    meeting = Meeting(
        organization=organization,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        chair=chair,
        recorder=recorder,
        chair_name=chair_name,
        invited_leaders=_clean_leaders(invited_leaders),
        summary=summary,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    meeting.full_clean()
    _check_times(meeting)
    _check_people(meeting)
    meeting.save()
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=meeting, member=m)
            for m in expected_attendees(organization=organization, kind=kind)
        ]
    )
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.CREATE,
        obj=meeting,
        changes=audit.diff({}, audit.snapshot(meeting, AUDITED_FIELDS)),
    )
    return meeting


@transaction.atomic
def meeting_update(
    *, actor, meeting: Meeting, version: int | None = None, check: bool = True, **fields
) -> Meeting:
    """Change a meeting's own fields; its organization stays (attendance belongs to it)."""
    m = _locked(meeting)
    _guard(actor, m.organization, check)
    if version is not None and version != m.version:
        raise _conflict()
    if "organization" in fields:
        org = fields.pop("organization")
        if org is not None and org.pk != m.organization_id:
            raise ValidationError(
                {"organization": _("A recorded meeting cannot move to another organization.")}
            )
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"meeting_update() cannot change {sorted(unknown)}")
    if m.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled and can no longer be changed."))
    before = audit.snapshot(m, AUDITED_FIELDS)
    if "invited_leaders" in fields:
        fields["invited_leaders"] = _clean_leaders(fields["invited_leaders"])
    for name, value in fields.items():
        setattr(m, name, value)
    m.full_clean()
    _check_times(m)
    _check_people(m)
    m.version = F("version") + 1
    m.save()
    m.refresh_from_db()
    changes = audit.diff(before, audit.snapshot(m, AUDITED_FIELDS))
    if changes:
        audit.record(actor=actor, action=audit.AuditEvent.Action.UPDATE, obj=m, changes=changes)
    return m


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str = "", check: bool = True) -> Meeting:
    m = _locked(meeting)
    _guard(actor, m.organization, check)
    if m.status == Meeting.Status.HELD:
        raise ValidationError(_("A meeting that was held cannot be cancelled."))
    if m.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting is already cancelled."))
    Meeting.objects.filter(pk=m.pk).update(
        status=Meeting.Status.CANCELLED, version=F("version") + 1, updated_at=timezone.now()
    )
    m.refresh_from_db()
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=m,
        changes={"status": [Meeting.Status.PLANNED, Meeting.Status.CANCELLED]},
        note=reason,
    )
    return m


@transaction.atomic
def meeting_mark_held(
    *, actor, meeting: Meeting, now: datetime.datetime | None = None, check: bool = True
) -> Meeting:
    """The meeting took place: it now counts for organizational life compliance."""
    m = _locked(meeting)
    _guard(actor, m.organization, check)
    now = now or timezone.now()
    if m.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled and can no longer be changed."))
    if m.status == Meeting.Status.HELD:
        raise ValidationError(_("This meeting is already recorded as held."))
    if m.starts_at > now:
        raise ValidationError(_("The meeting has not started yet; it cannot be marked as held."))
    Meeting.objects.filter(pk=m.pk).update(
        status=Meeting.Status.HELD, version=F("version") + 1, updated_at=timezone.now()
    )
    m.refresh_from_db()
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=m,
        changes={"status": [Meeting.Status.PLANNED, Meeting.Status.HELD]},
    )
    return m


# Agenda


def first_agenda_warning(meeting: Meeting, items: Sequence[AgendaItem] | None = None) -> str:
    """A warning (not an error) when a meeting bound by the first-agenda rule does not open
    with study; empty when all is well."""
    if meeting.kind not in FIRST_AGENDA_KINDS:
        return ""
    if items is None:
        items = list(meeting.agenda_items.order_by("order", "id")[:1])
    if items and items[0].kind == AgendaItem.Kind.STUDY:
        return ""
    return _(
        "First-agenda rule: the first item of a leading party group meeting or theory study "
        "session should be study (传达学习) of a topic from the library."
    )


def _clean_decisions(decisions) -> list[str]:
    cleaned = []
    for text in decisions or ():
        text = str(text).strip()
        if not text:
            continue
        if len(text) > 2000:
            raise ValidationError({"decisions": _("A decision is too long.")})
        try:
            validate_no_markup(text)
        except ValidationError as exc:
            raise ValidationError({"decisions": exc.messages}) from None
        cleaned.append(text)
    return cleaned


def _check_topics(kind: str, topics) -> None:
    if topics and kind != AgendaItem.Kind.STUDY:
        raise ValidationError({"topics": _("Only a study item links topics of the library.")})


def _item_snapshot(item: AgendaItem, topics=None) -> dict:
    data = audit.snapshot(item, ("order", "kind", "title", "minutes", "decisions"))
    if topics is not None:
        data["topics"] = [t.pk for t in topics]  # in order: the order is part of the record
    if item.pk:
        data["blocks"] = [
            [b.kind, b.prose, sorted(t.pk for t in b.topics.all())]
            for b in item.blocks.prefetch_related("topics")
        ]
    return data


def item_topics(item: AgendaItem, *, listed: bool | None = None) -> list:
    """The item's topics in the report's order (``listed``: only those in, or out of, the list
    of what was studied)."""
    rows = AgendaItemTopic.objects.filter(agendaitem=item).select_related("topic")
    if listed is not None:
        rows = rows.filter(listed=listed)
    # Rows of equal order (added outside the services) in the order the topics were given.
    return [r.topic for r in rows.order_by("order", "topic__given_on", "topic_id")]


def _set_topics(item: AgendaItem, topics: Sequence, extra: Sequence = ()) -> None:
    """Link ``topics`` (listed, in this order) then ``extra`` (named only in a block)."""
    wanted = list(dict.fromkeys(list(topics) + [t for t in extra if t not in topics]))
    listed = set(t.pk for t in topics)
    AgendaItemTopic.objects.filter(agendaitem=item).exclude(
        topic_id__in=[t.pk for t in wanted]
    ).delete()
    existing = {r.topic_id: r for r in AgendaItemTopic.objects.filter(agendaitem=item)}
    for i, topic in enumerate(wanted, 1):
        row = existing.get(topic.pk) or AgendaItemTopic(agendaitem=item, topic=topic)
        if row.pk and row.order == i and row.listed == (topic.pk in listed):
            continue
        row.order, row.listed = i, topic.pk in listed
        row.save()


def _clean_blocks(blocks) -> list[dict]:
    """Blocks as the services store them: kind, prose, topics, measures [{text, number}]."""
    cleaned = []
    for block in blocks or ():
        kind = block.get("kind") or StatementKind.REQUIRED
        if kind not in StatementKind.values:
            raise ValidationError({"blocks": _("Unknown kind of block.")})
        prose = str(block.get("prose") or "").strip()
        measures = []
        for entry in block.get("measures") or ():
            text = str(entry.get("text") if isinstance(entry, dict) else entry).strip()
            if not text:
                continue
            number = entry.get("number", "auto") if isinstance(entry, dict) else "auto"
            measures.append(
                {"text": text, "number": measure_number(text) if number == "auto" else number}
            )
        _clean_decisions([m["text"] for m in measures])
        if prose:
            try:
                validate_no_markup(prose)
            except ValidationError as exc:
                raise ValidationError({"blocks": exc.messages}) from None
        if prose or measures:
            cleaned.append(
                {
                    "kind": kind,
                    "prose": prose,
                    "topics": list(block.get("topics") or ()),
                    "measures": measures,
                }
            )
    return cleaned


def _write_blocks(item: AgendaItem, blocks: list[dict]) -> None:
    """Replace the item's blocks by ``blocks`` (cleaned), keeping each block and measure row
    at the same position (so tasks keep pointing at their measure); a measure some task
    carries out cannot be removed."""
    old_blocks = list(item.blocks.order_by("order", "id"))
    for i, data in enumerate(blocks):
        block = old_blocks[i] if i < len(old_blocks) else None
        if block is None:
            block = StatementBlock(agenda_item=item, order=10000 + i)
        block.kind, block.prose = data["kind"], data["prose"]
        block.full_clean(exclude=["agenda_item", "order"], validate_constraints=False)
        block.save()
        block.topics.set(data["topics"])
        old_measures = list(block.measures.order_by("order", "id"))
        for j, m in enumerate(data["measures"]):
            measure = old_measures[j] if j < len(old_measures) else None
            measure = measure or Measure(block=block)
            measure.order, measure.text, measure.number = 10000 + j, m["text"], m["number"]
            measure.save()
        _drop_measures(old_measures[len(data["measures"]) :])
    for block in old_blocks[len(blocks) :]:
        _drop_measures(list(block.measures.all()))
        block.delete()
    for i, block in enumerate(item.blocks.order_by("order", "id"), 1):
        StatementBlock.objects.filter(pk=block.pk).update(order=i)
        for j, pk in enumerate(block.measures.order_by("order", "id").values_list("pk", flat=True)):
            Measure.objects.filter(pk=pk).update(order=j + 1)
    item.decisions = [
        m.text
        for m in Measure.objects.filter(block__agenda_item=item).order_by("block__order", "order")
    ]
    item.save(update_fields=["decisions"])


def _drop_measures(measures: Sequence[Measure]) -> None:
    for measure in measures:
        if measure.tasks.exists():
            raise ValidationError(
                _("Tasks carry out the measure “%(text)s”; it cannot be removed.")
                % {"text": measure.text[:40]}
            )
        measure.delete()


def _blocks_from_decisions(item: AgendaItem | None, decisions) -> list[dict]:
    """The old flat list of decisions as blocks: the measures of the item's only block (a
    会议要求 block when it has none). An item with several blocks is edited by blocks."""
    blocks = list(item.blocks.order_by("order")) if item is not None and item.pk else []
    if len(blocks) > 1:
        if list(decisions) == list(item.decisions):
            return [_block_data(b) for b in blocks]
        raise ValidationError(
            {"decisions": _("This item states several blocks: edit its blocks instead.")}
        )
    data = _block_data(blocks[0]) if blocks else {"kind": StatementKind.REQUIRED, "prose": ""}
    data["measures"] = list(decisions)
    return [data]


def _block_data(block: StatementBlock) -> dict:
    return {
        "kind": block.kind,
        "prose": block.prose,
        "topics": list(block.topics.all()),
        "measures": [{"text": m.text, "number": m.number} for m in block.measures.all()],
    }


def _apply_structure(item, kind, topics, blocks) -> None:
    """Topics (ordered) and blocks; the blocks' topics not among ``topics`` are linked too,
    after them, as named only in a block."""
    extra = [t for b in blocks for t in b["topics"]]
    if topics is None:
        topics = item_topics(item, listed=True)
    _check_topics(kind, list(topics) + extra)
    _set_topics(item, list(topics), extra)
    _write_blocks(item, blocks)


@transaction.atomic
def agenda_item_add(
    *,
    actor,
    meeting: Meeting,
    kind: str,
    title: str,
    topics: Iterable = (),
    minutes: str = "",
    decisions: Iterable[str] = (),
    blocks: Iterable[dict] | None = None,
    order: int | None = None,
    check: bool = True,
) -> AgendaItem:
    """Add an item (at the end, or at ``order``, shifting the later ones down). ``topics``
    in the report's order; ``blocks``: [{kind, prose, topics, measures}] (or the old flat
    ``decisions``, as one 会议要求 block)."""
    m = _locked(meeting)
    _guard(actor, m.organization, check)
    if m.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled and can no longer be changed."))
    topics = list(dict.fromkeys(topics or ()))
    blocks = _clean_blocks(
        blocks if blocks is not None else _blocks_from_decisions(None, decisions)
    )
    _check_topics(kind, topics)
    last = m.agenda_items.aggregate(n=Max("order"))["n"] or 0
    if order is None or order > last:
        order = last + 1
    order = max(order, 1)
    item = AgendaItem(
        meeting=m,
        order=order,
        kind=kind,
        title=title,
        minutes=minutes,
    )
    item.full_clean(exclude=["order"], validate_unique=False, validate_constraints=False)
    if order <= last:
        _shift(m, order, +1)
    item.save()
    _apply_structure(item, kind, topics, blocks)
    _touch(m)
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.CREATE,
        obj=item,
        changes=audit.diff({}, _item_snapshot(item, item_topics(item))),
        note=str(m),
    )
    return item


def _shift(meeting: Meeting, from_order: int, step: int) -> None:
    """Move items at or after ``from_order`` by ``step`` without breaking the unique order
    (through a temporary range far above any real order)."""
    items = list(meeting.agenda_items.filter(order__gte=from_order).order_by("order"))
    for i, it in enumerate(items):
        AgendaItem.objects.filter(pk=it.pk).update(order=10000 + i)
    for it in items:
        AgendaItem.objects.filter(pk=it.pk).update(order=it.order + step)


@transaction.atomic
def agenda_item_update(
    *, actor, item: AgendaItem, version: int | None = None, check: bool = True, **fields
) -> AgendaItem:
    """Change an item's kind, title, topics (in order), minutes and blocks (or the flat
    ``decisions``)."""
    m = _locked(item.meeting)
    _guard(actor, m.organization, check)
    if version is not None and version != m.version:
        raise _conflict()
    if m.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled and can no longer be changed."))
    it = AgendaItem.objects.select_for_update().get(pk=item.pk)
    allowed = {"kind", "title", "topics", "minutes", "decisions", "blocks"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"agenda_item_update() cannot change {sorted(unknown)}")
    before = _item_snapshot(it, item_topics(it))
    topics = list(dict.fromkeys(fields.pop("topics"))) if "topics" in fields else None
    if "blocks" in fields:
        blocks = fields.pop("blocks")
        fields.pop("decisions", None)
    elif "decisions" in fields:
        blocks = _blocks_from_decisions(it, _clean_decisions(fields.pop("decisions")))
    else:
        blocks = [_block_data(b) for b in it.blocks.order_by("order")]
    blocks = _clean_blocks(blocks)
    for name, value in fields.items():
        setattr(it, name, value)
    it.full_clean(validate_unique=False, validate_constraints=False)
    it.save()
    _apply_structure(it, it.kind, topics, blocks)
    _touch(m)
    changes = audit.diff(before, _item_snapshot(it, item_topics(it)))
    if changes:
        audit.record(actor=actor, action=audit.AuditEvent.Action.UPDATE, obj=it, changes=changes)
    return it


@transaction.atomic
def agenda_item_delete(*, actor, item: AgendaItem, check: bool = True) -> None:
    m = _locked(item.meeting)
    _guard(actor, m.organization, check)
    if m.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled and can no longer be changed."))
    it = AgendaItem.objects.get(pk=item.pk)
    if it.tasks.exists():
        raise ValidationError(
            _("Tasks were created from this item's decisions; it cannot be deleted.")
        )
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.DELETE,
        obj=it,
        changes=_item_snapshot(it),
        note=str(m),
    )
    order = it.order
    it.delete()
    _shift(m, order + 1, -1)
    _touch(m)


@transaction.atomic
def agenda_reorder(*, actor, meeting: Meeting, item_ids: Sequence[int], check: bool = True):
    """Put the items in the order of ``item_ids`` (which must name each item once)."""
    m = _locked(meeting)
    _guard(actor, m.organization, check)
    current = list(m.agenda_items.values_list("pk", flat=True))
    if sorted(current) != sorted(item_ids) or len(set(item_ids)) != len(item_ids):
        raise ValidationError(_("Give every item of this meeting exactly once."))
    for i, pk in enumerate(item_ids):
        AgendaItem.objects.filter(pk=pk).update(order=10000 + i)
    for i, pk in enumerate(item_ids):
        AgendaItem.objects.filter(pk=pk).update(order=i + 1)
    _touch(m)
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=m,
        changes={"agenda_order": list(item_ids)},
    )


@transaction.atomic
def agenda_topic_move(*, actor, item: AgendaItem, topic, step: int, check: bool = True) -> None:
    """Move one topic of a study item up (``step`` -1) or down (+1) in the report's order."""
    m = _locked(item.meeting)
    _guard(actor, m.organization, check)
    if m.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled and can no longer be changed."))
    topics = item_topics(item)
    if topic not in topics:
        raise ValidationError(_("This topic is not studied under this item."))
    i = topics.index(topic)
    j = min(max(i + step, 0), len(topics) - 1)
    if i == j:
        return
    topics.insert(j, topics.pop(i))
    listed = item_topics(item, listed=True)
    _set_topics(item, [t for t in topics if t in listed], [t for t in topics if t not in listed])
    _touch(m)
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=item,
        changes={"topics": [[t.pk for t in item_topics(item)]]},
        note=str(m),
    )


# Attendance


def attendance_candidates(meeting: Meeting):
    """Members who may be put on the attendance list: the organization's subtree, plus the
    leading group's post holders for its meetings."""
    q = Q(organization__path__startswith=meeting.organization.path)
    if meeting.kind in LEADING_GROUP_KINDS:
        q |= Q(
            pk__in=PostAssignment.objects.filter(
                organization=meeting.organization, ended_on__isnull=True
            ).values("member_id")
        )
    return Member.objects.current().filter(q)


@transaction.atomic
def attendance_record(
    *,
    actor,
    meeting: Meeting,
    entries: Sequence[dict],
    version: int | None = None,
    now: datetime.datetime | None = None,
    check: bool = True,
) -> list[Attendance]:
    """Set the attendance of the members in ``entries`` ({member, status, reason}).

    All or nothing: a member listed twice, a leave without reason, or presence recorded
    for a meeting that has not started refuses the whole input.
    """
    m = _locked(meeting)
    _guard(actor, m.organization, check)
    if version is not None and version != m.version:
        raise _conflict()
    if m.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled and can no longer be changed."))
    now = now or timezone.now()
    seen: set[int] = set()
    errors: list[str] = []
    for entry in entries:
        member, status = entry["member"], entry.get("status") or AttendanceStatus.EXPECTED
        reason = (entry.get("reason") or "").strip()
        if member.pk in seen:
            errors.append(
                _("%(name)s is listed twice; a member appears once per meeting.")
                % {"name": member.name}
            )
            continue
        seen.add(member.pk)
        if status not in AttendanceStatus.values:
            errors.append(_("%(name)s: unknown attendance status.") % {"name": member.name})
        if entry.get("role") and entry["role"] not in AttendanceRole.values:
            errors.append(_("%(name)s: unknown attendance role.") % {"name": member.name})
        if status == AttendanceStatus.LEAVE and not reason:
            errors.append(_("%(name)s is on leave: give the reason.") % {"name": member.name})
        if reason:
            try:
                validate_no_markup(reason)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if status in HAPPENED_STATUSES and m.starts_at > now:
            errors.append(
                _(
                    "The meeting has not started yet: %(name)s cannot be recorded as present, "
                    "late or absent before it takes place."
                )
                % {"name": member.name}
            )
    if errors:
        raise ValidationError(errors)
    allowed = set(attendance_candidates(m).filter(pk__in=seen).values_list("pk", flat=True))
    listed = set(m.attendances.values_list("member_id", flat=True))
    strangers = [e["member"].name for e in entries if e["member"].pk not in allowed | listed]
    if strangers:
        raise ValidationError(
            _("Not members of this meeting's organization: %(names)s.")
            % {"names": "、".join(strangers)}
        )
    existing = {a.member_id: a for a in m.attendances.select_for_update()}
    changes: dict = {}
    saved = []
    for entry in entries:
        member = entry["member"]
        status = entry.get("status") or AttendanceStatus.EXPECTED
        reason = (entry.get("reason") or "").strip() if status == AttendanceStatus.LEAVE else ""
        row = existing.get(member.pk)
        role = entry.get("role") or (row.role if row else AttendanceRole.ATTENDING)
        if row is None:
            row = Attendance(meeting=m, member=member)
        elif row.status == status and row.reason == reason and row.role == role:
            saved.append(row)
            continue
        changes[member.name] = [row.status if row.pk else None, status]
        if row.pk and row.role != role:
            changes[member.name].append(role)
        row.status, row.reason, row.role = status, reason, role
        row.full_clean(exclude=["meeting", "member"], validate_unique=False)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise ValidationError(
                _("%(name)s is listed twice; a member appears once per meeting.")
                % {"name": member.name}
            ) from None
        saved.append(row)
    if changes:
        _touch(m)
        audit.record(
            actor=actor,
            action=audit.AuditEvent.Action.UPDATE,
            obj=m,
            changes={"attendance": changes},
        )
    return saved


@transaction.atomic
def attendance_remove(*, actor, meeting: Meeting, member: Member, check: bool = True) -> None:
    m = _locked(meeting)
    _guard(actor, m.organization, check)
    deleted, _rows = Attendance.objects.filter(meeting=m, member=member).delete()
    if deleted:
        _touch(m)
        audit.record(
            actor=actor,
            action=audit.AuditEvent.Action.UPDATE,
            obj=m,
            changes={"attendance": {member.name: ["listed", None]}},
        )


# Sign-in by QR code


class SigninError(Exception):
    """A sign-in that cannot be accepted; ``str(exc)`` is the message for the member."""


def signin_window(meeting: Meeting) -> tuple[datetime.datetime, datetime.datetime]:
    early = getattr(settings, "MEETING_SIGNIN_EARLY_MINUTES", 30)
    hours = getattr(settings, "MEETING_SIGNIN_DEFAULT_HOURS", 4)
    opens = meeting.starts_at - datetime.timedelta(minutes=early)
    closes = meeting.ends_at or meeting.starts_at + datetime.timedelta(hours=hours)
    return opens, closes


def signin_token(meeting: Meeting) -> str:
    """A signed token naming the meeting (and its start, so a rescheduled meeting's old
    codes stop working)."""
    return signing.dumps(
        {"m": meeting.pk, "s": int(meeting.starts_at.timestamp())},
        salt=SIGNIN_SALT,
        compress=True,
    )


def signin_meeting(token: str, *, now: datetime.datetime | None = None) -> Meeting:
    """The meeting a token names, if the token is genuine and the meeting open for sign-in."""
    try:
        data = signing.loads(token or "", salt=SIGNIN_SALT)
        meeting_id, started = int(data["m"]), int(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise SigninError(
            _("This sign-in code is not valid. Scan the code shown at the meeting again.")
        ) from None
    meeting = Meeting.objects.select_related("organization").filter(pk=meeting_id).first()
    if meeting is None or meeting.status == Meeting.Status.CANCELLED:
        raise SigninError(_("This meeting does not exist or was cancelled."))
    if int(meeting.starts_at.timestamp()) != started:
        raise SigninError(
            _("The meeting was rescheduled; this code has expired. Scan the current code.")
        )
    now = now or timezone.now()
    opens, closes = signin_window(meeting)
    if now < opens:
        raise SigninError(
            _("Sign-in opens at %(time)s.")
            % {"time": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")}
        )
    if now > closes:
        raise SigninError(_("Sign-in for this meeting has closed; this code has expired."))
    return meeting


@transaction.atomic
def meeting_signin(
    *, user, meeting: Meeting, now: datetime.datetime | None = None
) -> tuple[Attendance, bool]:
    """Mark the user's member present (late after the grace minutes), once.

    Returns (attendance, newly_signed_in). Members not on the list are added only if they
    belong to the meeting's organization (or below it).
    """
    now = now or timezone.now()
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    if member is None:
        raise SigninError(
            _("Your account is not linked to a party member record, so it cannot sign in.")
        )
    m = _locked(meeting)
    row = Attendance.objects.select_for_update().filter(meeting=m, member=member).first()
    if row is None:
        if member.left_at is not None or not (
            member.organization.path.startswith(m.organization.path)
        ):
            raise SigninError(
                _("You are not an expected attendee of this meeting. Ask its organizer.")
            )
        row = Attendance(meeting=m, member=member)
    if row.signed_in_at is not None or row.status in (
        AttendanceStatus.PRESENT,
        AttendanceStatus.LATE,
    ):
        return row, False
    grace = getattr(settings, "MEETING_SIGNIN_LATE_MINUTES", 10)
    late = now > m.starts_at + datetime.timedelta(minutes=grace)
    row.status = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
    row.reason = ""
    row.signed_in_at = now
    row.via_qr = True
    row.save()
    _touch(m)
    audit.record(
        actor=user,
        action=audit.AuditEvent.Action.UPDATE,
        obj=m,
        changes={"attendance": {member.name: [None, row.status]}},
        note="QR sign-in",
    )
    return row, True


# Decisions → tasks


@transaction.atomic
def decision_to_tasks(
    *, actor, item: AgendaItem, decision_index: int, tasks: Sequence[dict], check: bool = True
) -> list:
    """Turn decision ``decision_index`` of ``item`` into tasks issued by the meeting's
    organization (each dict: title, deadline, details, lead_unit, lead_organization,
    cooperating_units, responsible, priority)."""
    from dangjian.tasks.services import task_create

    m = _locked(item.meeting)
    _guard(actor, m.organization, check)
    if m.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled and can no longer be changed."))
    if not 0 <= decision_index < len(item.decisions):
        raise ValidationError(_("This agenda item has no such decision."))
    # The flat list of decisions is the measures in order: the index names the measure.
    measure = (
        Measure.objects.filter(block__agenda_item=item)
        .order_by("block__order", "order")[decision_index : decision_index + 1]
        .first()
    )
    if not tasks:
        raise ValidationError(_("Give at least one task."))
    created = []
    for data in tasks:
        data = dict(data)
        if not data.get("lead_unit") and not data.get("lead_organization"):
            raise ValidationError(
                _("Task %(title)s: give a lead unit or a lead organization.")
                % {"title": data.get("title", "")}
            )
        created.append(
            task_create(
                actor=actor,
                organization=m.organization,
                origin_meeting=m,
                origin_agenda_item=item,
                origin_measure=measure,
                check=check,
                **data,
            )
        )
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=item,
        changes={"decision_tasks": {str(decision_index + 1): [t.pk for t in created]}},
        note=str(m),
    )
    return created


# Rules of organizational life


@transaction.atomic
def liferule_update(*, actor, rule: LifeRule, check: bool = True, **fields) -> LifeRule:
    if check and not policy.can(actor, Action.LIFE_RULE_MANAGE):
        raise PermissionDenied
    r = LifeRule.objects.select_for_update().get(pk=rule.pk)
    allowed = {"organization_kinds", "min_count", "remind_days_before", "active", "note"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"liferule_update() cannot change {sorted(unknown)}")
    names = ("meeting_kind", "period", *sorted(allowed))
    before = audit.snapshot(r, names)
    for name, value in fields.items():
        setattr(r, name, value)
    if not r.organization_kinds:
        raise ValidationError(
            {"organization_kinds": _("Choose the kinds of organization the rule applies to.")}
        )
    if r.min_count < 1:
        raise ValidationError({"min_count": _("A rule asks for at least one meeting.")})
    r.full_clean()
    r.save()
    changes = audit.diff(before, audit.snapshot(r, names))
    if changes:
        audit.record(actor=actor, action=audit.AuditEvent.Action.UPDATE, obj=r, changes=changes)
    return r
