"""Writes of the identity controls: failures and locks, password changes, sessions.

Log-in and log-out arrive through Django's auth signals (``receivers.py``) and the
authentication backend (``backends.py``); a password set anywhere arrives through
the password validators' ``password_changed`` hook (``validators.py``). Each of
them ends up here, and every change of state is audited in the same transaction.
"""

from __future__ import annotations

import contextvars
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import api_tokens, policy
from dangjian.core import audit
from dangjian.core.auth_audit import REFUSAL_ATTRIBUTE

from . import rules
from .models import AccountState, FailedLogin, PasswordHistory, UserSession

# The security administrator's action (roles.py): the same duty as granting roles.
MANAGE_ACTION = "grant.manage"

# Why a log-in was refused before the password was even compared (audit notes).
THROTTLED = "address throttled"
LOCKED = "account locked"
BLOCKED = "account blocked in production mode"
MUST_CHANGE_FIRST = "password change required before API access"

# Keys in the session (the middleware reads them; no query per request).
LOGIN_AT = "_dj_login_at"
SEEN_AT = "_dj_seen_at"
KNOWN_KEY = "_dj_session_key"
MUST_CHANGE = "_dj_must_change_password"

# A password change by the account holder themselves: (user id, session key to keep).
_self_change: contextvars.ContextVar[tuple[int, str | None] | None] = contextvars.ContextVar(
    "dangjian_self_password_change", default=None
)


def client_address(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _find_user(username):
    if not username:
        return None
    User = get_user_model()
    try:
        return User._default_manager.get_by_natural_key(username)
    except User.DoesNotExist:
        return None


def _state(user) -> AccountState | None:
    return AccountState.objects.filter(user=user).first()


def _state_for_update(user) -> AccountState:
    state, _created = AccountState.objects.select_for_update().get_or_create(user=user)
    return state


# ---------------------------------------------------------------------------
# Log-in failures, locks and the address throttle
# ---------------------------------------------------------------------------


def address_throttled(address: str) -> bool:
    since = timezone.now() - rules.address_window()
    count = FailedLogin.objects.filter(address=address, occurred_at__gte=since).count()
    return count >= rules.address_max_failures()


def is_blocked(user) -> bool:
    """The built-in ``admin`` (and any superuser) cannot log in in production mode."""
    if not rules.production():
        return False
    return user.is_superuser or user.get_username().lower() in rules.blocked_usernames()


@transaction.atomic
def login_refusal(request, username) -> str | None:
    """Why this log-in is refused whatever the password, or None to compare the password."""
    address = client_address(request)
    if address and address_throttled(address):
        return THROTTLED
    user = _find_user(username)
    if user is None:
        return None
    if is_blocked(user):
        return BLOCKED
    state = _state(user)
    if state is not None and state.locked_until is not None:
        if state.locked_until > timezone.now():
            return LOCKED
        _lock_expired(user)
    return None


def _lock_expired(user) -> None:
    state = _state_for_update(user)
    if state.locked_until is not None and state.locked_until <= timezone.now():
        _unlock(state, user, actor=None, note="account unlocked: lock expired")


def _unlock(state: AccountState, user, *, actor, note: str) -> None:
    """Lift the lock and the failure count of a row locked for update; audited."""
    until = state.locked_until
    state.locked_until = None
    state.locked_at = None
    state.failed_logins = 0
    state.save(update_fields=["locked_until", "locked_at", "failed_logins"])
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=user,
        changes={"locked_until": [until.isoformat() if until else None, None]},
        note=note,
    )


@transaction.atomic
def login_failed(request, username: str) -> AccountState | None:
    """Count a failed log-in for the address and the account; lock the account at the limit."""
    now = timezone.now()
    refusal = getattr(request, REFUSAL_ATTRIBUTE, None) if request is not None else None
    address = client_address(request)
    if address and refusal != THROTTLED:
        FailedLogin.objects.create(address=address, username=str(username or "")[:150])
        FailedLogin.objects.filter(occurred_at__lt=now - rules.address_window()).delete()
    if refusal is not None:
        return None  # a locked or blocked account does not count further failures
    user = _find_user(username)
    if user is None or not user.is_active:
        return None
    return _count_failure(user, now)


def _count_failure(user, now) -> AccountState:
    """One more wrong password for ``user``; at the limit the account is locked (audited)."""
    state = _state_for_update(user)
    state.failed_logins += 1
    state.last_failure_at = now
    fields = ["failed_logins", "last_failure_at"]
    if state.failed_logins >= rules.login_max_failures():
        state.locked_at = now
        state.locked_until = now + rules.login_lock_duration()
        fields += ["locked_at", "locked_until"]
        audit.record(
            actor=None,
            action=audit.AuditEvent.Action.UPDATE,
            obj=user,
            changes={"locked_until": [None, state.locked_until.isoformat()]},
            note=f"account locked after {state.failed_logins} failed log-ins",
        )
    state.save(update_fields=fields)
    return state


@transaction.atomic
def current_password_failed(*, user) -> bool:
    """A wrong current password on the password page: counted toward the same lock as the
    log-in (audited as a failed log-in). True when the account is now locked; then every
    session of the account is ended, this one included."""
    now = timezone.now()
    audit.record(
        actor=user,
        action=audit.AuditEvent.Action.LOGIN_FAILED,
        obj=user,
        note="wrong current password on the password page",
    )
    state = _state_for_update(user)
    if not (state.locked_until is not None and state.locked_until > now):
        state = _count_failure(user, now)
    if state.locked_until is None or state.locked_until <= now:
        return False
    end_sessions(user, reason=LOCKED)
    return True


@transaction.atomic
def account_unlock(*, actor, user) -> None:
    """The security administrator lifts a lock (and the failure count) before its time."""
    if not policy.can(actor, MANAGE_ACTION):
        raise PermissionDenied
    if user.pk == getattr(actor, "pk", None):
        # 三员分立: a lock on the security administrator's own account (someone guessing their
        # password while they are logged in) is lifted by another one, or by time.
        raise ValidationError(_("Ask another security administrator to unlock your own account."))
    state = _state_for_update(user)
    if state.locked_until is None and state.failed_logins == 0:
        raise ValidationError(_("This account is not locked."))
    _unlock(state, user, actor=actor, note="account unlocked by the security administrator")


def is_locked(user) -> bool:
    state = _state(user)
    return bool(state and state.locked_until and state.locked_until > timezone.now())


# ---------------------------------------------------------------------------
# Passwords
# ---------------------------------------------------------------------------


def must_change_password(user) -> str:
    """Why the user must choose a new password before anything else ("" when not)."""
    state = _state(user)
    assigned = state.password_assigned if state is not None else True
    if assigned and rules.change_assigned_passwords():
        return "assigned"
    max_age = rules.password_max_age()
    if max_age is not None:
        changed = (state.password_changed_at if state is not None else None) or user.date_joined
        if changed + max_age <= timezone.now():
            return "expired"
    return ""


def password_was_set(user) -> None:
    """Called for every password saved (validators.PasswordHistoryValidator.password_changed).

    Keeps the hash in the history, dates the password, notes whether the holder
    chose it, and ends the user's sessions (except the one that made the change).
    """
    if user.pk is None:
        return
    context = _self_change.get()
    own = context is not None and context[0] == user.pk
    keep = context[1] if own else None
    with transaction.atomic():
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = list(
            PasswordHistory.objects.filter(user=user)
            .order_by("-created_at", "-id")
            .values_list("id", flat=True)[max(rules.password_history(), 1) :]
        )
        if stale:
            PasswordHistory.objects.filter(id__in=stale).delete()
        AccountState.objects.update_or_create(
            user=user,
            defaults={"password_changed_at": timezone.now(), "password_assigned": not own},
        )
        end_sessions(user, keep=keep, reason="password changed")
        api_tokens.revoke_all(user=user, reason=api_tokens.PASSWORD_CHANGED)


@transaction.atomic
def password_change(*, actor, user, new_password: str, keep_session: str | None = None) -> None:
    """The account holder sets their own password (they proved the old one on the form)."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    if user.has_usable_password() and not PasswordHistory.objects.filter(user=user).exists():
        # A password from before the history began (create_user does not announce it).
        PasswordHistory.objects.create(user=user, password=user.password)
    token = _self_change.set((user.pk, keep_session))
    try:
        user.set_password(new_password)
        user.save(update_fields=["password"])
    finally:
        _self_change.reset(token)
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.UPDATE,
        obj=user,
        changes={"password": audit.SENSITIVE_MARK},
        note="password changed by the account holder",
    )


# ---------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------


def _store(session_key: str | None = None):
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=session_key)


def end_sessions(user, *, keep: str | None = None, reason: str) -> int:
    """End every session of ``user`` (but ``keep``); returns how many there were."""
    rows = list(UserSession.objects.filter(user=user).exclude(session_key=keep or ""))
    if not rows:
        return 0
    store = _store()
    for row in rows:
        store.delete(row.session_key)
    UserSession.objects.filter(pk__in=[r.pk for r in rows]).delete()
    audit.record(
        actor=None,
        action=audit.AuditEvent.Action.LOGOUT,
        obj=user,
        changes={"sessions": len(rows)},
        note=f"sessions ended: {reason}",
    )
    return len(rows)


@transaction.atomic
def login_succeeded(request, user) -> None:
    """Reset the failure count, register the session, apply the session limit, mark the session."""
    AccountState.objects.filter(user=user).exclude(failed_logins=0).update(failed_logins=0)
    register_session(request, user)


def register_session(request, user, *, limit: bool = True) -> None:
    """Track this session for ``user`` and stamp it (log-in time, last seen, password rule)."""
    session = request.session
    if session.session_key is None:
        session.save()
    key = session.session_key
    UserSession.objects.update_or_create(
        session_key=key, defaults={"user": user, "address": client_address(request)}
    )
    if limit:
        _apply_session_limit(user, key)
    now = int(timezone.now().timestamp())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session[KNOWN_KEY] = key
    reason = must_change_password(user)
    if reason:
        session[MUST_CHANGE] = reason
    else:
        session.pop(MUST_CHANGE, None)


def _apply_session_limit(user, current: str) -> None:
    """Forget sessions that expired; beyond the limit end the oldest (the new log-in wins)."""
    store = _store()
    others = list(
        UserSession.objects.filter(user=user).exclude(session_key=current).order_by("-created_at")
    )
    alive = []
    dead = []
    for row in others:
        (alive if store.exists(row.session_key) else dead).append(row)
    if dead:
        UserSession.objects.filter(pk__in=[r.pk for r in dead]).delete()
    limit = rules.session_limit()
    if not limit or len(alive) < limit:
        return
    ended = alive[limit - 1 :]
    for row in ended:
        store.delete(row.session_key)
    UserSession.objects.filter(pk__in=[r.pk for r in ended]).delete()
    audit.record(
        actor=user,
        action=audit.AuditEvent.Action.LOGOUT,
        obj=user,
        changes={"sessions": len(ended)},
        note="sessions ended: concurrent session limit",
    )


def session_ended(request) -> None:
    """Log-out (by the user or a timeout): forget the session."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


def session_rekeyed(request) -> None:
    """The session key changed while logged in (e.g. after a password change): follow it."""
    session = request.session
    old, new = session.get(KNOWN_KEY), session.session_key
    if new and old != new:
        moved = UserSession.objects.filter(session_key=old).update(session_key=new) if old else 0
        if not moved:
            UserSession.objects.update_or_create(
                session_key=new,
                defaults={"user": request.user, "address": client_address(request)},
            )
        session[KNOWN_KEY] = new
