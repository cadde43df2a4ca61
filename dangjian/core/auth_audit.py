"""Log-ins, log-outs and failed log-ins go to the audit log.

Django announces these through its auth signals; there is no service of ours
to put the audit row in, so the receivers here are the one place. The page
tells a failed log-in nothing but "wrong credentials"; the audit row says why
(unknown user, wrong password, disabled, locked, throttled address).
"""

from django.contrib.auth import get_user_model

from . import audit
from .models import AuditEvent

# Set on the request by dangjian.security (the backend, the session middleware).
REFUSAL_ATTRIBUTE = "dangjian_login_refusal"
LOGOUT_NOTE_ATTRIBUTE = "dangjian_logout_note"


def logged_in(sender, request, user, **kwargs):
    audit.record(actor=user, action=AuditEvent.Action.LOGIN, obj=user)


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        note = getattr(request, LOGOUT_NOTE_ATTRIBUTE, "") if request is not None else ""
        audit.record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user, note=note)


def _failure_reason(name: str, request) -> tuple[str, object]:
    refusal = getattr(request, REFUSAL_ATTRIBUTE, None) if request is not None else None
    User = get_user_model()
    user = User._default_manager.filter(**{User.USERNAME_FIELD: name}).first() if name else None
    if refusal:
        return refusal, user
    if user is None:
        return "unknown user", None
    if not user.is_active:
        return "account disabled", user
    return "wrong password", user


def login_failed(sender, credentials, request=None, **kwargs):
    # The attempted user name is kept (not the password) so lockouts can be traced.
    name = str(credentials.get("username", ""))[:150]
    reason, user = _failure_reason(name, request)
    audit.record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        obj=user,
        object_type="access.user",
        object_repr=name,
        note=reason,
    )
