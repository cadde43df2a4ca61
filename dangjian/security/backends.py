"""The authentication backend: Django's model backend behind the lock and throttle checks."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from dangjian.core.auth_audit import REFUSAL_ATTRIBUTE

from . import services


class GuardedModelBackend(ModelBackend):
    """Refuses a throttled address, a locked account and (in production mode) the built-in
    ``admin`` before comparing the password; the caller only learns that it failed.

    A refused locked or blocked account still pays for one password hash, like an
    unknown user name does in ModelBackend, so the answer's timing does not tell
    which it was. The refusal reason is left on the request for the audit log.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        refusal = services.login_refusal(request, username)
        if refusal is not None:
            if request is not None:
                setattr(request, REFUSAL_ATTRIBUTE, refusal)
            if refusal != services.THROTTLED:
                User().set_password(password)
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
