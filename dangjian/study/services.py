"""Writes to the topic library: topics and their attachments, each audited."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import audit
from dangjian.core.uploads import validate_attachment
from dangjian.core.validators import validate_no_markup
from dangjian.organizations.models import Organization

from . import search
from .models import Topic, TopicAttachment

TOPIC_FIELDS = ("kind", "title", "speaker", "given_on", "source", "text", "link", "tags")
# The full text can be long; the audit row records that it changed, not both versions.
_LONG_FIELDS = ("text",)
MAX_TAGS = 10
MAX_TAG_LENGTH = 20
# Separators people type between tags: comma (half or full width), 、, ；, whitespace.
TAG_SEPARATORS = re.compile(r"[,，、;；\s]+")


def _guard(actor, check: bool) -> None:
    if check and not policy.can(actor, Action.TOPIC_MANAGE):
        raise PermissionDenied


def not_owner_message(topic: Topic) -> str:
    owner = topic.organization.name if topic.organization_id else "—"
    return _(
        "This topic belongs to %(organization)s: only the offices that manage the topic "
        "library of that organization may change it, delete it or change its attachments."
    ) % {"organization": owner}


def can_manage(actor, topic: Topic) -> bool:
    """Whether ``actor`` may change, delete and attach to ``topic`` (its owner's subtree)."""
    return policy.can(actor, Action.TOPIC_MANAGE, topic)


def _guard_topic(actor, check: bool, topic: Topic) -> None:
    if check and not can_manage(actor, topic):
        raise PermissionDenied(not_owner_message(topic))


def default_owner(actor) -> Organization | None:
    """The organization a new topic belongs to.

    The outermost organization where ``actor`` holds topic.manage; for code
    acting without a user (imports by command, tests) the first root organization.
    """
    paths = policy.paths_for(actor, Action.TOPIC_MANAGE) if actor is not None else None
    qs = Organization.objects.all()
    if paths:
        return qs.filter(path__in=paths).order_by("depth", "path").first()
    return qs.filter(parent__isnull=True).order_by("sort_order", "path").first()


def split_tags(value: str) -> list[str]:
    """Tags typed as one line ("广电, 网络视听、党建") as a list."""
    return [t for t in TAG_SEPARATORS.split(value or "") if t]


def clean_tags(value) -> list[str]:
    """Tags as a list of distinct short plain strings; raises ValidationError otherwise."""
    if value is None:
        return []
    if isinstance(value, str):
        value = split_tags(value)
    if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
        raise ValidationError(_("Tags must be a list of short texts."), code="tags")
    tags: list[str] = []
    for raw in value:
        tag = search.fold(raw)
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationError(
                _("The tag “%(tag)s” is longer than %(max)d characters.")
                % {"tag": tag[:MAX_TAG_LENGTH] + "…", "max": MAX_TAG_LENGTH},
                code="tags",
            )
        if "|" in tag:
            raise ValidationError(_("Tags may not contain the character |."), code="tags")
        validate_no_markup(tag)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError(
            _("A topic takes at most %(max)d tags.") % {"max": MAX_TAGS}, code="tags"
        )
    return tags


def tag_index(tags: Iterable[str]) -> str:
    return "|" + "|".join(tags) + "|" if tags else ""


def refresh_search_columns(topic: Topic) -> None:
    """Set the derived search columns of ``topic`` from its title, text and tags (not saved)."""
    topic.search_text, topic.search_words = search.index_text(topic.title, topic.text)
    topic.tag_index = tag_index(topic.tags or [])


def _validate(topic: Topic, today: datetime.date | None = None) -> None:
    errors: dict[str, list] = {}
    try:
        topic.tags = clean_tags(topic.tags)
    except ValidationError as exc:
        errors["tags"] = exc.error_list
    today = today or timezone.localdate()
    if isinstance(topic.given_on, datetime.date) and topic.given_on > today:
        errors["given_on"] = [
            ValidationError(
                _("The date a topic was given cannot be later than today."), code="future"
            )
        ]
    for name in ("title", "speaker", "source"):
        value = getattr(topic, name)
        if isinstance(value, str):
            setattr(topic, name, value.strip())
    try:
        topic.full_clean()
    except ValidationError as exc:
        for name, messages in exc.error_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _snapshot(topic: Topic) -> dict:
    data = audit.snapshot(topic, TOPIC_FIELDS)
    for name in _LONG_FIELDS:
        data[name] = f"{len(data[name] or '')} chars"
    return data


@transaction.atomic
def topic_create(
    *, actor, organization: Organization | None = None, check: bool = True, **data
) -> Topic:
    """Add a topic to the library. ``data``: the fields of TOPIC_FIELDS.

    The topic belongs to ``organization`` (default: :func:`default_owner`), which
    must lie where the actor may manage topics.
    """
    _guard(actor, check)
    unknown = set(data) - set(TOPIC_FIELDS)
    if unknown:
        raise TypeError(f"topic_create() got unknown fields {sorted(unknown)}")
    if organization is None:
        organization = default_owner(actor)
    elif check and not policy.can(actor, Action.TOPIC_MANAGE, organization):
        raise PermissionDenied
    topic = Topic(organization=organization, **data)
    topic.added_by = actor if getattr(actor, "pk", None) else None
    _validate(topic)
    same = Topic.objects.filter(title=topic.title.strip(), given_on=topic.given_on).first()
    if same is not None:
        # The library holds it already: say where instead of adding a second copy.
        raise ValidationError(
            _("This topic is already in the library: %(title)s (%(url)s).")
            % {"title": same.title, "url": same.get_absolute_url()},
            code="duplicate",
        )
    refresh_search_columns(topic)
    topic.save()
    changes = audit.diff({}, _snapshot(topic))
    changes["organization"] = [None, str(organization) if organization else None]
    audit.record(actor=actor, action=audit.AuditEvent.Action.CREATE, obj=topic, changes=changes)
    return topic


@transaction.atomic
def topic_update(
    *, actor, topic: Topic, version: int | None = None, check: bool = True, **data
) -> Topic:
    """Change a topic's fields; a stale ``version`` is refused and nothing changes."""
    t = Topic.objects.select_for_update().get(pk=topic.pk)
    _guard_topic(actor, check, t)
    if version is not None and version != t.version:
        raise ValidationError(
            _(
                "Someone else changed this topic while you were editing it. "
                "Reload the page to see their changes, then apply yours again."
            ),
            code="conflict",
        )
    unknown = set(data) - set(TOPIC_FIELDS)
    if unknown:
        raise TypeError(f"topic_update() cannot change {sorted(unknown)}")
    before = _snapshot(t)
    for name, value in data.items():
        setattr(t, name, value)
    _validate(t)
    refresh_search_columns(t)
    t.version = F("version") + 1
    t.save()
    t.refresh_from_db()
    changes = audit.diff(before, _snapshot(t))
    if changes:
        audit.record(actor=actor, action=audit.AuditEvent.Action.UPDATE, obj=t, changes=changes)
    return t


@transaction.atomic
def topic_delete(*, actor, topic: Topic, check: bool = True) -> None:
    """Remove a topic that no meeting has on its agenda (the ledger must stay complete)."""
    t = Topic.objects.select_for_update().get(pk=topic.pk)
    _guard_topic(actor, check, t)
    meetings = t.agenda_items.values("meeting_id").distinct().count()
    if meetings:
        raise ValidationError(
            _(
                "This topic is on the agenda of %(n)d meeting(s); "
                "it stays in the library as part of their record."
            )
            % {"n": meetings},
            code="in_use",
        )
    files = [a.file for a in t.attachments.all()]
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.DELETE,
        obj=t,
        changes={name: [value, None] for name, value in _snapshot(t).items()},
    )
    t.delete()
    # Files go only once the rows are gone for good.
    transaction.on_commit(lambda: [f.delete(save=False) for f in files if f])


@transaction.atomic
def attachment_add(*, actor, topic: Topic, upload, check: bool = True) -> TopicAttachment:
    """Attach a file to a topic after checking its size and that it is what it claims."""
    t = Topic.objects.select_for_update().get(pk=topic.pk)
    _guard_topic(actor, check, t)
    try:
        validate_attachment(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.error_list}) from None
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    attachment = TopicAttachment(
        topic=t,
        name=name,
        size=upload.size,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    attachment.file.save(name, upload, save=False)
    stored = attachment.file.name
    try:
        attachment.clean_fields(exclude=["uploaded_by", "file"])
        attachment.save()
    except Exception:
        attachment.file.storage.delete(stored)
        raise
    Topic.objects.filter(pk=t.pk).update(updated_at=timezone.now())
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.CREATE,
        obj=attachment,
        changes={"topic": [None, str(t)], "name": [None, name], "size": [None, upload.size]},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: TopicAttachment, check: bool = True) -> None:
    a = TopicAttachment.objects.select_for_update().select_related("topic").get(pk=attachment.pk)
    _guard_topic(actor, check, a.topic)
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.DELETE,
        obj=a,
        changes={"topic": [str(a.topic), None], "name": [a.name, None]},
    )
    file = a.file
    a.delete()
    transaction.on_commit(lambda: file.delete(save=False) if file else None)
