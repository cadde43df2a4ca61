"""API tokens: issue (the key shown once), check, revoke; the DRF authentication class.

A key is 32 random bytes (URL-safe base64, 43 characters). Only ``key_hash(key)`` is
stored: HMAC-SM3 under a key derived from the audit key (as the recovery codes), so a
database dump reveals no usable token, and a presented key is found by its hash (one
indexed look-up). ``rotate-keys`` does not rotate the audit key, so tokens survive it;
a new audit key makes every token invalid (users get new ones).

A token ends when it is revoked (by its holder, or because the password changed, the
second factor was set up or reset, the account was disabled or its roles changed), when
it was not used for ``DANGJIAN_API_TOKEN_IDLE_HOURS`` (8) or at ``expires_at``
(``DANGJIAN_API_TOKEN_MAX_DAYS``, 30, after it was issued).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions, permissions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from dangjian.core import audit, crypto

from .models import ApiToken

KEY_PURPOSE = "access/api-tokens"
KEY_BYTES = 32
PREFIX_LENGTH = 8
# "Last used" is written at most this often: not a write on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
# Beyond this many live tokens of one user, issuing one revokes the oldest.
MAX_ACTIVE_PER_USER = 10
# Set by the two-factor middleware on a token request whose one-time code it accepted.
TWO_FACTOR_CHECKED = "twofactor_checked_user"

# Why tokens were revoked (the audit note and ``ApiToken.revoked_reason``).
BY_HOLDER = "revoked by the holder"
PASSWORD_CHANGED = "password changed"  # noqa: S105 (a reason, not a password)
TWO_FACTOR_ENROLLED = "two-factor set up"
TWO_FACTOR_RESET = "two-factor devices reset"
ACCOUNT_DISABLED = "account disabled"
ROLES_CHANGED = "roles changed"
TOO_MANY = "more than the allowed number of tokens"


def idle_time() -> datetime.timedelta:
    return datetime.timedelta(hours=float(getattr(settings, "DANGJIAN_API_TOKEN_IDLE_HOURS", 8)))


def max_age() -> datetime.timedelta:
    return datetime.timedelta(days=float(getattr(settings, "DANGJIAN_API_TOKEN_MAX_DAYS", 30)))


def key_hash(key: str) -> str:
    """What ``ApiToken.key_hash`` stores for ``key`` (64 hex characters)."""
    mac = crypto.hmac_sm3(crypto.derived_key(KEY_PURPOSE), key.encode("utf-8"))
    return mac.hex()


def idle_until(token: ApiToken) -> datetime.datetime:
    return token.last_used_at + idle_time()


def ends_at(token: ApiToken) -> datetime.datetime:
    """When the token stops working if it is not used again (idle time or expiry)."""
    return min(token.expires_at, idle_until(token))


def is_active(token: ApiToken, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return token.revoked_at is None and ends_at(token) > now


# --- reads ---------------------------------------------------------------------------


def token_list(*, user) -> list[ApiToken]:
    """The user's own tokens that still work, newest first."""
    now = timezone.now()
    rows = ApiToken.objects.filter(user=user, revoked_at=None, expires_at__gt=now)
    return [t for t in rows if is_active(t, now)]


def token_for_key(key: str) -> ApiToken | None:
    """The live token of this key with its user, or None (unknown, revoked or expired)."""
    if not key or len(key) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    if token is None or not is_active(token):
        return None
    return token


def touch(token: ApiToken) -> None:
    """Note the use of ``token``, at most once a minute (the idle time counts from it)."""
    now = timezone.now()
    if now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- writes --------------------------------------------------------------------------


@transaction.atomic
def token_issue(
    *, actor, user, second_factor: bool, name: str = "", note: str = "api token"
) -> tuple[ApiToken, str]:
    """A new token for ``user`` (only for themselves); returns it and its key, shown once."""
    if actor is None or actor.pk != user.pk or not user.is_active:
        raise PermissionDenied
    now = timezone.now()
    # Ended tokens can never work again; their history is in the audit log.
    ended = (
        Q(revoked_at__isnull=False)
        | Q(expires_at__lte=now)
        | Q(last_used_at__lte=now - idle_time())
    )
    ApiToken.objects.filter(ended, user=user).delete()
    key = secrets.token_urlsafe(KEY_BYTES)
    token = ApiToken(
        user=user,
        key_hash=key_hash(key),
        prefix=key[:PREFIX_LENGTH],
        name=name.strip(),
        second_factor=second_factor,
        created_at=now,
        last_used_at=now,
        expires_at=now + max_age(),
    )
    token.full_clean()
    token.save()
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.LOGIN,
        obj=user,
        changes={"api_token": [None, token.prefix], "second_factor": [None, second_factor]},
        note=note,
    )
    live = [t.pk for t in token_list(user=user)]
    if len(live) > MAX_ACTIVE_PER_USER:
        oldest = ApiToken.objects.filter(pk__in=live[MAX_ACTIVE_PER_USER:])
        _revoke(user, oldest, TOO_MANY, now, actor=actor)
    return token, key


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> None:
    """The holder ends one of their own tokens."""
    if actor is None or actor.pk != token.user_id:
        raise PermissionDenied
    if not _revoke(token.user, ApiToken.objects.filter(pk=token.pk), BY_HOLDER, actor=actor):
        raise ValidationError(_("This token no longer works."))


@transaction.atomic
def revoke_all(*, user, reason: str, actor=None) -> int:
    """End every token of ``user`` (audited when there was one); returns how many."""
    return _revoke(user, ApiToken.objects.filter(user=user), reason, actor=actor)


def _revoke(user, queryset, reason: str, now=None, *, actor=None) -> int:
    now = now or timezone.now()
    prefixes = list(queryset.filter(revoked_at=None).values_list("prefix", flat=True))
    if not prefixes:
        return 0
    queryset.filter(revoked_at=None).update(revoked_at=now, revoked_reason=reason[:100])
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=user,
        changes={"api_tokens_revoked": len(prefixes)},
        note=f"api tokens revoked: {reason}",
    )
    return len(prefixes)


# --- the API's side ------------------------------------------------------------------


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>``: the header form of DRF's TokenAuthentication.

    Refuses (401) an unknown, revoked, idle or expired token and a disabled account.
    ``request.auth`` is the :class:`ApiToken`.
    """

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from None
        token = token_for_key(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is invalid, expired or revoked."))
        touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI document's name for it: as DRF's token scheme (same header)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=ApiTokenAuthentication.keyword
        )


class SecondFactorRequired(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "second_factor_required"
    default_detail = gettext_lazy(
        "Personal data needs a second factor: use a token issued with otp_token, or a "
        "session verified with your code."
    )


class HasSecondFactor(permissions.BasePermission):
    """Reveal and look-up of personal data: a user who has two-factor login must have
    given their code — for a token when it was issued, for a session at its log-in."""

    def has_permission(self, request, view):
        from dangjian.twofactor import services as twofactor

        user = request.user
        if not twofactor.needs_second_factor(user):
            return True
        if isinstance(request.auth, ApiToken):
            verified = request.auth.second_factor
        else:
            verified = bool(getattr(user, "is_verified", lambda: False)())
        if not verified:
            raise SecondFactorRequired()
        return True
