"""Log-ins, log-outs and failed log-ins go to the audit log.

Django announces these through its auth signals; there is no service of ours
to put the audit row in, so the receivers here are the one place.
"""

from . import audit
from .models import AuditEvent


def logged_in(sender, request, user, **kwargs):
    audit.record(actor=user, action=AuditEvent.Action.LOGIN, obj=user)


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user)


def login_failed(sender, credentials, request=None, **kwargs):
    # The attempted user name is kept (not the password) so lockouts can be traced.
    name = str(credentials.get("username", ""))[:150]
    audit.record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        object_type="access.user",
        object_repr=name,
    )
