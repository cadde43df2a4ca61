"""Writes to user accounts and role grants."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit
from dangjian.organizations.models import Organization

from . import api_tokens, policy
from .models import RoleGrant, User
from .roles import GLOBAL_ROLES, SEPARATED_ROLES, Action, Role, mixes_duties

# 三员分立 (docs/security.md): shown by the grant form and `dangjian check_duties`.
DUTY_MIX_MESSAGE = gettext_lazy(
    "Platform administrator, security administrator and auditor are separate duties: "
    "an account holding one of them may hold no other role, and an account with "
    "another role may not be given one of them."
)
DUTY_ACCOUNT_MESSAGE = gettext_lazy(
    "Only the security administrator may lock, unlock, disable, enable or reset the account "
    "of a platform administrator, security administrator or auditor."
)


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    display_name: str = "",
    email: str = "",
    member=None,
    check: bool = True,
) -> User:
    if check and not policy.can(actor, Action.USER_MANAGE):
        raise PermissionDenied
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    user = User(username=username, display_name=display_name, email=email, member=member)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.CREATE,
        obj=user,
        changes={"username": [None, username], "display_name": [None, display_name]},
    )
    return user


def holds_duty(user: User) -> bool:
    """Whether the account holds one of the three separated duties (三员分立)."""
    return RoleGrant.objects.filter(user=user, role__in=SEPARATED_ROLES).exists()


def check_account_authority(*, actor, user: User) -> None:
    """Who may lock, unlock, disable, enable or reset ``user``'s account (docs/security.md).

    An account holding one of the three duties: only the security administrator, and never
    their own. Any other account: the platform administrator (``user.manage``), as before.
    """
    if holds_duty(user):
        if not policy.can(actor, Action.GRANT_MANAGE):
            if policy.can(actor, Action.USER_MANAGE):
                raise ValidationError(DUTY_ACCOUNT_MESSAGE, code="separated_duty")
            raise PermissionDenied
        if user.pk == getattr(actor, "pk", None):
            raise ValidationError(
                _("Ask another security administrator to do this to your own account."),
                code="own_account",
            )
    elif not policy.can(actor, Action.USER_MANAGE):
        raise PermissionDenied


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool, check: bool = True) -> User:
    if check:
        check_account_authority(actor=actor, user=user)
    if user.pk == getattr(actor, "pk", None) and not active:
        raise ValidationError(_("You cannot disable your own account."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=user,
        changes={"is_active": [not active, active]},
    )
    return user


@transaction.atomic
def grant_create(
    *,
    actor,
    user: User,
    role: str,
    organization: Organization | None = None,
    check: bool = True,
) -> RoleGrant:
    if check and not policy.can(actor, Action.GRANT_MANAGE):
        raise PermissionDenied
    if check and user.pk == getattr(actor, "pk", None):
        raise ValidationError({"user": _("Nobody may grant roles to themselves.")})
    if role in GLOBAL_ROLES and organization is not None:
        raise ValidationError(
            {
                "organization": _(
                    "This role covers the whole platform; leave the organization empty."
                )
            }
        )
    if role not in GLOBAL_ROLES and organization is None:
        raise ValidationError({"organization": _("Choose the organization this role covers.")})
    # 三员分立: an account holding one of the three duties holds no other role at all. Lock
    # the account's row: two grants made at once cannot both pass this check.
    User.objects.select_for_update().filter(pk=user.pk).first()
    held = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    if role in SEPARATED_ROLES and (held & SEPARATED_ROLES) - {role}:
        raise ValidationError(
            {
                "role": _(
                    "Administrator, security administrator and auditor are separate duties: "
                    "one account may not hold two of them."
                )
            }
        )
    if mixes_duties(held | {role}):
        raise ValidationError({"role": DUTY_MIX_MESSAGE})
    if RoleGrant.objects.filter(user=user, role=role, organization=organization).exists():
        raise ValidationError(_("The user already holds this role there."))
    grant = RoleGrant(user=user, role=role, organization=organization, granted_by=actor)
    grant.full_clean()
    grant.save()
    api_tokens.revoke_all(user=user, reason=api_tokens.ROLES_CHANGED, actor=actor)
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.GRANT,
        obj=grant,
        changes={"role": [None, str(Role(role).label)], "user": [None, user.username]},
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant: RoleGrant, check: bool = True) -> None:
    if check and not policy.can(actor, Action.GRANT_MANAGE):
        raise PermissionDenied
    if check and grant.user_id == getattr(actor, "pk", None):
        raise ValidationError(_("Nobody may change their own roles."))
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.REVOKE,
        obj=grant,
        changes={"role": [str(Role(grant.role).label), None], "user": [grant.user.username, None]},
    )
    grant.delete()
    api_tokens.revoke_all(user=grant.user, reason=api_tokens.ROLES_CHANGED, actor=actor)
