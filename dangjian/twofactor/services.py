"""Two-factor writes and decisions: enrolment, verification, recovery codes, reset.

Every code attempt goes through :func:`verify` or :func:`enrollment_confirm`.
A refused attempt is not an exception: it is counted (and audited) in the
same committed transaction, and the caller gets the message to show. Too many
refused attempts within the window lock the user's second factor for a while;
django-otp's own per-device back-off (1, 2, 4 … seconds) applies as well, and
a time step once accepted is never accepted again (``last_t``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from dangjian.access import api_tokens, policy
from dangjian.access.roles import Action
from dangjian.core import audit
from dangjian.core.models import AuditEvent

from . import conf
from .models import CodeLock, EncryptedTOTPDevice, SM3Device, recovery_token

VERIFY, ENROLL = "verify", "enroll"
# Whether the user had a second factor when this session logged in (see requirement()).
SESSION_FLAG = "twofactor_enrolled"
RECOVERY_DEVICE_NAME = "recovery"


def primary_models() -> tuple[type, ...]:
    return (EncryptedTOTPDevice, SM3Device)


def configured_model() -> type:
    return SM3Device if conf.algorithm() == conf.SM3 else EncryptedTOTPDevice


def algorithm_of(device) -> str:
    return conf.SM3 if isinstance(device, SM3Device) else conf.TOTP


def confirmed_devices(user) -> list:
    return [d for m in primary_models() for d in m.objects.filter(user=user, confirmed=True)]


def has_device(user) -> bool:
    """Whether the user has an activated authenticator (one query)."""
    totp = EncryptedTOTPDevice.objects.filter(user=user, confirmed=True).values("pk")
    sm3 = SM3Device.objects.filter(user=user, confirmed=True).values("pk")
    return totp.union(sm3).exists()


def required_by_role(user) -> bool:
    """Required mode and the user holds one of the required roles (or is a superuser)."""
    if conf.mode() != conf.REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or (policy.roles(user) & conf.required_roles()))


def needs_second_factor(user) -> bool:
    """Whether a log-in of this user must be completed with a code (API tokens too)."""
    if conf.mode() == conf.OFF:
        return False
    return required_by_role(user) or has_device(user)


def requirement(request, user) -> str | None:
    """What an authenticated, unverified session must do first: VERIFY, ENROLL or None.

    Whether the user had a device is remembered in the session at log-in, so a
    user without one costs no query per page.
    """
    if conf.mode() == conf.OFF:
        return None
    by_role = required_by_role(user)
    flagged = request.session.get(SESSION_FLAG)
    if flagged is None:
        flagged = request.session[SESSION_FLAG] = has_device(user)
    if not (by_role or flagged):
        return None
    if has_device(user):
        return VERIFY
    if by_role:
        return ENROLL
    request.session[SESSION_FLAG] = False  # an optional device was reset meanwhile
    return None


def remember_requirement_at_login(sender, request, user, **kwargs):
    """user_logged_in receiver: note in the new session whether the user has a device."""
    session = getattr(request, "session", None)
    if session is not None and conf.mode() != conf.OFF:
        session[SESSION_FLAG] = has_device(user)


def pending_device(user):
    """The not yet activated device of the configured algorithm, if any."""
    return configured_model().objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def enrollment_start(*, user):
    """The device to show for enrolment (made once, activated by a correct code).

    None when the user already has an activated device: a second one is added
    only after the security administrator reset the first (a stolen password
    must not be enough to enrol the thief's phone).
    """
    if has_device(user):
        return None
    device = pending_device(user)
    if device is None:
        model = configured_model()
        name = _("SM3 token") if model is SM3Device else _("Authenticator app")
        device = model.objects.create(user=user, name=str(name)[:64], confirmed=False)
    return device


@dataclass
class Outcome:
    device: object | None = None
    error: str = ""
    recovery_codes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.device is not None


@transaction.atomic
def enrollment_confirm(*, user, code: str) -> Outcome:
    """Activate the pending device with a code it produced; issue recovery codes."""
    lock = _lock_for(user)
    refused = _refuse_if_locked(user, lock)
    if refused:
        return refused
    if has_device(user):
        return Outcome(error=_("Two-factor login is already set up for this account."))
    model = configured_model()
    device = model.objects.select_for_update().filter(user=user, confirmed=False).last()
    if device is None:
        return Outcome(error=_("Start the set-up again: no authenticator is waiting."))
    throttled = not device.verify_is_allowed()[0]
    if throttled or not device.verify_token(_normalise(code)):
        return _failure(user, lock, throttled, "two-factor enrolment: wrong code")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    model.objects.filter(user=user, confirmed=False).delete()
    _reset_lock(lock)
    codes = _new_recovery_codes(user)
    # Tokens issued on the password alone must not outlive the new second factor.
    api_tokens.revoke_all(user=user, reason=api_tokens.TWO_FACTOR_ENROLLED, actor=user)
    audit.record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        obj=device,
        object_repr=f"{user.get_username()} · {algorithm_of(device)}",
        note=f"two-factor enrolment ({algorithm_of(device)}), {len(codes)} recovery codes issued",
    )
    return Outcome(device=device, recovery_codes=codes)


@transaction.atomic
def verify(*, user, code: str) -> Outcome:
    """Check a code from the user's authenticator or one of their recovery codes."""
    lock = _lock_for(user)
    refused = _refuse_if_locked(user, lock)
    if refused:
        return refused
    code = _normalise(code)
    if code.isdigit():
        candidates = [(m.objects.filter(user=user, confirmed=True), code) for m in primary_models()]
    elif code:
        # Recovery codes are stored as their keyed hash: django-otp's check compares (and
        # deletes) the row holding the hash. The device row is locked first, so the same
        # code used twice at once succeeds once (the second waits, then finds no row).
        recovery = StaticDevice.objects.filter(user=user, confirmed=True)
        candidates = [(recovery, recovery_token(user.pk, code))]
    else:
        candidates = []
    throttled = False
    for queryset, token in candidates:
        for device in queryset.select_for_update():
            if not device.verify_is_allowed()[0]:
                throttled = True
            elif device.verify_token(token):
                _reset_lock(lock)
                audit.record(
                    actor=user, action=AuditEvent.Action.LOGIN, obj=user, note=_verified(device)
                )
                return Outcome(device=device)
    return _failure(user, lock, throttled, "two-factor code refused")


@transaction.atomic
def recovery_codes_regenerate(*, actor) -> list[str]:
    """New recovery codes for the acting user; the old ones stop working."""
    if not has_device(actor):
        raise ValidationError(_("Set up two-factor login first."))
    codes = _new_recovery_codes(actor)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=actor,
        note=f"two-factor recovery codes regenerated ({len(codes)})",
    )
    return codes


@transaction.atomic
def device_reset(*, actor, user) -> int:
    """Remove every device and recovery code of ``user`` (a lost phone), and the code lock.

    Only the security administrator, and never on their own account.
    """
    if not policy.can(actor, Action.TWOFACTOR_RESET):
        raise PermissionDenied
    if actor.pk == user.pk:
        raise ValidationError(_("Ask another security administrator to reset your own devices."))
    removed = 0
    for model in (*primary_models(), StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    CodeLock.objects.filter(user=user).delete()
    api_tokens.revoke_all(user=user, reason=api_tokens.TWO_FACTOR_RESET, actor=actor)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=user,
        note=f"two-factor devices reset ({removed} removed)",
    )
    return removed


# --- helpers -------------------------------------------------------------------------


def _verified(device) -> str:
    if isinstance(device, StaticDevice):
        return f"two-factor verified with a recovery code ({device.token_set.count()} left)"
    return f"two-factor verified ({algorithm_of(device)})"


def _normalise(code) -> str:
    return "".join(str(code or "").split()).replace("-", "").lower()[:32]


def format_recovery_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}" if len(token) == 8 else token


def _new_recovery_codes(user) -> list[str]:
    # The same device keeps its id: a session verified with a recovery code stays verified.
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = set()
    while len(codes) < conf.RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    # Only the keyed hash is stored: the codes are shown this once and never again.
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_token(user.pk, c)) for c in sorted(codes)
    )
    return [format_recovery_code(c) for c in sorted(codes)]


def _lock_for(user) -> CodeLock:
    lock, _created = CodeLock.objects.get_or_create(user=user)
    return CodeLock.objects.select_for_update().get(pk=lock.pk)


def _refuse_if_locked(user, lock: CodeLock) -> Outcome | None:
    now = timezone.now()
    if lock.locked_until and lock.locked_until > now:
        audit.record(
            actor=user,
            action=AuditEvent.Action.LOGIN_FAILED,
            obj=user,
            note="two-factor code refused: locked",
        )
        return _locked(max(1, int((lock.locked_until - now).total_seconds() // 60) + 1))
    return None


def _locked(minutes: int) -> Outcome:
    return Outcome(
        error=_(
            "Too many wrong codes. Two-factor login is locked for %(minutes)s more "
            "minute(s), or until the security administrator resets it."
        )
        % {"minutes": minutes}
    )


def _failure(user, lock: CodeLock, throttled: bool, note: str) -> Outcome:
    now = timezone.now()
    window = datetime.timedelta(minutes=conf.window_minutes())
    if lock.window_started is None or now - lock.window_started > window:
        lock.window_started, lock.failures = now, 0
    lock.failures += 1
    locked = lock.failures >= conf.max_failures()
    if locked:
        lock.locked_until = now + datetime.timedelta(minutes=conf.lock_minutes())
    lock.save()
    audit.record(
        actor=user,
        action=AuditEvent.Action.LOGIN_FAILED,
        obj=user,
        note=f"{note} ({lock.failures}/{conf.max_failures()})"
        + ("; locked" if locked else "")
        + ("; too fast" if throttled else ""),
    )
    if locked:
        return _locked(conf.lock_minutes())
    if throttled:
        return Outcome(error=_("Wait a few seconds before trying another code."))
    return Outcome(error=_("The code is wrong or has expired."))


def _reset_lock(lock: CodeLock) -> None:
    if lock.failures or lock.locked_until or lock.window_started:
        lock.failures, lock.window_started, lock.locked_until = 0, None, None
        lock.save()
