"""Writes to members, posts and transfers; the only place personal data is decrypted."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import audit, crypto
from dangjian.core.validators import validate_id_number, validate_phone
from dangjian.organizations.models import Organization, OrganizationKind
from dangjian.security import lookups

from .models import (
    SENSITIVE_FIELDS,
    Member,
    MemberStatus,
    MemberTransfer,
    PostAssignment,
)

MEMBER_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "joined_party_on",
    "full_member_on",
    "status",
    "organization",
    "admin_title",
)
AUDITED_FIELDS = (*MEMBER_FIELDS, "id_number_index", "phone_index")


def _guard(actor, action, obj, check: bool) -> None:
    if check and not policy.can(actor, action, obj):
        raise PermissionDenied


def validate_member_data(
    *, data: dict, exclude_pk=None, today: datetime.date | None = None, actor=None
) -> dict[str, list[str]]:
    """Field errors for member ``data`` (the same rules for forms, API and import).

    Normalizes ``id_number`` and ``phone`` in place. Returns {} when valid. A duplicate
    ID number names its member only within the ``actor``'s member.view scope
    (:func:`id_number_clash_message`). This check is the last guard of the write;
    the look-up it makes is charged and audited by :func:`member_id_number_check`,
    which the forms and the API call first.
    """
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    id_number = data.get("id_number")
    if id_number:
        try:
            data["id_number"] = validate_id_number(id_number, birth_date=data.get("birth_date"))
        except ValidationError as exc:
            errors.setdefault("id_number", []).extend(exc.messages)
        else:
            if data.get("birth_date") is None:
                from dangjian.core.validators import id_number_birth_date

                data["birth_date"] = id_number_birth_date(data["id_number"])
            clash = _clash(data["id_number"], exclude_pk)
            if clash is not None:
                errors.setdefault("id_number", []).append(
                    id_number_clash_message(clash if _sees(actor, clash) else None)
                )
    phone = data.get("phone")
    if phone:
        try:
            data["phone"] = validate_phone(phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    birth = data.get("birth_date")
    joined = data.get("joined_party_on")
    full = data.get("full_member_on")
    for field in ("birth_date", "joined_party_on", "full_member_on"):
        value = data.get(field)
        if value and value > today:
            errors.setdefault(field, []).append(_("This date lies in the future."))
    if birth and joined and joined < _add_years(birth, 18):
        errors.setdefault("joined_party_on", []).append(
            _("A member joins the party at 18 or older; check the dates.")
        )
    if joined and full and full < joined:
        errors.setdefault("full_member_on", []).append(
            _("Full membership cannot come before joining the party.")
        )
    if data.get("status") == MemberStatus.PROBATIONARY and full:
        errors.setdefault("full_member_on", []).append(
            _("A probationary member has no full membership date yet.")
        )
    return errors


def _clash(id_number: str, exclude_pk=None) -> Member | None:
    clash = Member.objects.with_id_number(id_number).select_related("organization")
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    return clash.first()


def _sees(actor, member: Member) -> bool:
    if actor is None:
        return False
    return Member.objects.restrict(actor, Action.MEMBER_VIEW).filter(pk=member.pk).exists()


def id_number_clash_message(member: Member | None) -> str:
    """The answer to an ID number that belongs to ``member`` (None: outside the scope).

    Outside the caller's member.view scope nothing says the number is registered:
    "is this number registered?" is personal data of whoever holds it.
    """
    if member is None:
        return _(
            "This ID number cannot be used. Check it; if it is right, "
            "ask the organization department."
        )
    return _("This ID number is already registered for %(name)s (%(organization)s).") % {
        "name": member.name,
        "organization": member.organization.name,
    }


def audit_lookup(
    *, actor, source: str, checked: int, inside: list[Member], outside: int, fields=("id_number",)
) -> None:
    """One ``reveal`` row for one run that compared numbers with the stored members.

    Who, where, how many numbers and how many matched — never the numbers, never which
    members outside the actor's scope. A run that checked one number and found one
    member in scope names that member (it shows in their "who looked at my data").
    """
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.REVEAL,
        obj=inside[0] if checked == 1 and len(inside) == 1 else None,
        object_type=Member._meta.label_lower,
        object_repr="look-up",
        changes={name: audit.SENSITIVE_MARK for name in fields},
        note=f"look-up by value ({source}): {checked} compared, {len(inside)} matched "
        f"in scope, {outside} outside",
    )


def member_id_number_check(
    *, actor, target, id_number: str | None, exclude_pk=None, source: str, check: bool = True
) -> None:
    """Compare the ID number of a member being created or changed with the stored ones.

    ``target``: the organization of a new member, or the member being changed (the
    actor must be allowed to manage it before anything is compared). A malformed number
    is left to :func:`validate_member_data` (nothing is compared). Otherwise the number
    is charged to the actor's daily look-up budget and the comparison is audited, each
    in a transaction of its own, so both stay when the write is refused; call this
    before, not inside, the transaction of the write.

    Raises ValidationError ({"id_number": …}) for a number in use, and
    ``LookupBudgetSpent`` when today's budget is spent.
    """
    if not id_number or target is None:
        return
    _guard(actor, Action.MEMBER_MANAGE, target, check)
    try:
        id_number = validate_id_number(id_number)
    except ValidationError:
        return
    lookups.charge(actor=actor, count=1)
    with transaction.atomic():
        clash = _clash(id_number, exclude_pk)
        inside = [clash] if clash is not None and _sees(actor, clash) else []
        audit_lookup(
            actor=actor,
            source=source,
            checked=1,
            inside=inside,
            outside=int(clash is not None and not inside),
        )
    if clash is not None:
        raise ValidationError({"id_number": id_number_clash_message(clash if inside else None)})


def leading_group_membership_error() -> str:
    """The message for a membership placed in a leading party group (党组)."""
    return _(
        "The leading party group is a leading body: a member's party membership "
        "must be in a party branch."
    )


def check_membership_organization(organization: Organization, *, field: str) -> None:
    """Refuse a 党组 as a member's organization: its members hold posts there, while
    their membership (组织关系) is in a branch (领导干部双重组织生活)."""
    if organization.kind == OrganizationKind.LEADING_GROUP:
        raise ValidationError({field: leading_group_membership_error()})


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _apply_counts(org_id: int, status: str, sign: int) -> None:
    update = {"member_count": F("member_count") + sign}
    if status == MemberStatus.PROBATIONARY:
        update["probationary_count"] = F("probationary_count") + sign
    Organization.objects.filter(pk=org_id).update(**update)


def organization_recount(*, organization_ids: Iterable[int]) -> None:
    """Recompute the stored direct member counts of these organizations."""
    ids = list(set(organization_ids))
    counts = {
        row["organization_id"]: row
        for row in Member.objects.current()
        .filter(organization_id__in=ids)
        .values("organization_id")
        .annotate(n=Count("id"), p=Count("id", filter=Q(status=MemberStatus.PROBATIONARY)))
    }
    for org_id in ids:
        row = counts.get(org_id, {"n": 0, "p": 0})
        Organization.objects.filter(pk=org_id).update(
            member_count=row["n"], probationary_count=row["p"]
        )


@transaction.atomic
def member_create(*, actor, check: bool = True, **data) -> Member:
    organization = data.get("organization")
    if organization is None:
        raise ValidationError({"organization": _("Choose the member's party organization.")})
    _guard(actor, Action.MEMBER_MANAGE, organization, check)
    if organization.is_dissolved:
        raise ValidationError({"organization": _("This organization has been dissolved.")})
    check_membership_organization(organization, field="organization")
    errors = validate_member_data(data=data, actor=actor)
    if errors:
        raise ValidationError(errors)
    id_number = data.pop("id_number", None)
    phone = data.pop("phone", None)
    member = Member(**{k: v for k, v in data.items() if k in MEMBER_FIELDS})
    member.set_id_number(id_number)
    member.set_phone(phone)
    member.full_clean(exclude=["id_number_cipher", "phone_cipher"])
    member.save()
    _apply_counts(member.organization_id, member.status, +1)
    MemberTransfer.objects.create(
        member=member,
        from_organization=None,
        to_organization=member.organization,
        transferred_on=timezone.localdate(),
        reason=_("registered"),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.CREATE,
        obj=member,
        changes=audit.diff({}, audit.snapshot(member, AUDITED_FIELDS), sensitive=_INDEXES),
    )
    return member


_INDEXES = ("id_number_index", "phone_index")


@transaction.atomic
def member_update(
    *, actor, member: Member, version: int | None = None, check: bool = True, **data
) -> Member:
    """Change a member's own fields. Moving between organizations is member_transfer."""
    m = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    _guard(actor, Action.MEMBER_MANAGE, m, check)
    if version is not None and version != m.version:
        raise ValidationError(
            _(
                "Someone else changed this member while you were editing. "
                "Reload the page to see their changes, then apply yours again."
            ),
            code="conflict",
        )
    if "organization" in data and data["organization"].pk != m.organization_id:
        raise ValidationError(
            {"organization": _("Use the transfer form to move a member to another organization.")}
        )
    data.pop("organization", None)
    merged = {f: getattr(m, f) for f in MEMBER_FIELDS} | data
    errors = validate_member_data(data=merged, exclude_pk=m.pk, actor=actor)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(m, AUDITED_FIELDS)
    old_status = m.status
    for field in MEMBER_FIELDS:
        if field in data:
            setattr(m, field, merged[field])
    if "birth_date" not in data and merged.get("birth_date") != m.birth_date:
        m.birth_date = merged["birth_date"]
    if "id_number" in data:
        m.set_id_number(merged["id_number"] or None)
    if "phone" in data:
        m.set_phone(merged["phone"] or None)
    m.full_clean(exclude=["id_number_cipher", "phone_cipher"])
    m.version = F("version") + 1
    m.save()
    m.refresh_from_db()
    if old_status != m.status and m.left_at is None:
        _apply_counts(m.organization_id, old_status, -1)
        _apply_counts(m.organization_id, m.status, +1)
    changes = audit.diff(before, audit.snapshot(m, AUDITED_FIELDS), sensitive=_INDEXES)
    if changes:
        audit.record(actor=actor, action=audit.AuditEvent.Action.UPDATE, obj=m, changes=changes)
    return m


@transaction.atomic
def member_transfer(
    *,
    actor,
    member: Member,
    to_organization: Organization,
    transferred_on: datetime.date | None = None,
    reason: str = "",
    check: bool = True,
) -> MemberTransfer:
    m = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    _guard(actor, Action.MEMBER_MANAGE, m, check)
    _guard(actor, Action.MEMBER_MANAGE, to_organization, check)
    if to_organization.pk == m.organization_id:
        raise ValidationError(
            {"to_organization": _("The member already belongs to this organization.")}
        )
    if to_organization.is_dissolved:
        raise ValidationError({"to_organization": _("This organization has been dissolved.")})
    check_membership_organization(to_organization, field="to_organization")
    transferred_on = transferred_on or timezone.localdate()
    if transferred_on > timezone.localdate():
        raise ValidationError({"transferred_on": _("This date lies in the future.")})
    source = m.organization
    transfer = MemberTransfer(
        member=m,
        from_organization=source,
        to_organization=to_organization,
        transferred_on=transferred_on,
        reason=reason,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    transfer.full_clean()
    transfer.save()
    _apply_counts(source.pk, m.status, -1)
    _apply_counts(to_organization.pk, m.status, +1)
    Member.objects.filter(pk=m.pk).update(
        organization=to_organization, version=F("version") + 1, updated_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=m,
        changes={"organization": [str(source), str(to_organization)]},
        note="transfer",
    )
    return transfer


@transaction.atomic
def post_assign(
    *,
    actor,
    member: Member,
    organization: Organization,
    title: str,
    started_on: datetime.date | None = None,
    check: bool = True,
) -> PostAssignment:
    _guard(actor, Action.MEMBER_MANAGE, organization, check)
    _guard(actor, Action.MEMBER_VIEW, member, check)
    if PostAssignment.objects.filter(
        member=member, organization=organization, title=title, ended_on__isnull=True
    ).exists():
        raise ValidationError({"title": _("The member already holds this post here.")})
    if started_on and started_on > timezone.localdate():
        raise ValidationError({"started_on": _("This date lies in the future.")})
    post = PostAssignment(
        member=member, organization=organization, title=title, started_on=started_on
    )
    post.full_clean()
    post.save()
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.CREATE,
        obj=post,
        changes={"title": [None, post.get_title_display()], "member": [None, str(member)]},
    )
    return post


@transaction.atomic
def post_end(
    *, actor, post: PostAssignment, ended_on: datetime.date | None = None, check: bool = True
) -> PostAssignment:
    post = PostAssignment.objects.select_for_update().select_related("organization").get(pk=post.pk)
    _guard(actor, Action.MEMBER_MANAGE, post.organization, check)
    if post.ended_on:
        raise ValidationError(_("This post has already ended."))
    ended_on = ended_on or timezone.localdate()
    if post.started_on and ended_on < post.started_on:
        raise ValidationError({"ended_on": _("A post cannot end before it started.")})
    post.ended_on = ended_on
    post.save(update_fields=["ended_on", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=post,
        changes={"ended_on": [None, ended_on.isoformat()]},
    )
    return post


@transaction.atomic
def member_reveal(*, actor, member: Member, field: str) -> str:
    """The clear value of a personal-data field; every call is audited."""
    if field not in SENSITIVE_FIELDS:
        raise ValidationError(_("This field cannot be revealed."))
    if not policy.can(actor, Action.MEMBER_REVEAL, member):
        raise PermissionDenied
    value = member.decrypted(field)
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.REVEAL,
        obj=member,
        changes={field: audit.SENSITIVE_MARK},
    )
    return value


def member_lookup(*, actor, id_number: str = "", phone: str = "", limit: int = 20) -> list[Member]:
    """Members in the actor's reveal scope with this ID number and/or phone.

    Matching a clear value to a record is as good as revealing it, so every look-up is
    audited: one ``reveal`` per member found (it shows in that member's "who looked at
    my data"), or one without an object when nothing matched. The values themselves
    are never written to the log. Each value counts against the actor's daily look-up
    budget (charged first, in its own transaction; ``LookupBudgetSpent`` when spent).
    """
    if not (id_number or phone):
        raise ValidationError(_("Give an ID number or a phone number to look up."))
    lookups.charge(actor=actor, count=bool(id_number) + bool(phone))
    with transaction.atomic():
        return _lookup(actor=actor, id_number=id_number, phone=phone, limit=limit)


def _lookup(*, actor, id_number: str, phone: str, limit: int) -> list[Member]:
    members = Member.objects.restrict(actor, Action.MEMBER_REVEAL).select_related("organization")
    if id_number:
        members = members.with_id_number(id_number)
    if phone:
        members = members.filter(phone_index=crypto.blind_index(phone, purpose="phone"))
    found = list(members[:limit])
    changes = {
        name: audit.SENSITIVE_MARK
        for name, value in (("id_number", id_number), ("phone", phone))
        if value
    }
    for member in found:
        audit.record(
            actor=actor,
            action=audit.AuditEvent.Action.REVEAL,
            obj=member,
            changes=changes,
            note="look-up by value",
        )
    if not found:
        audit.record(
            actor=actor,
            action=audit.AuditEvent.Action.REVEAL,
            object_type=Member._meta.label_lower,
            object_repr="look-up",
            changes=changes,
            note="look-up by value found nothing",
        )
    return found
