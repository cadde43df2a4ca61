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
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and _is_api(request) and services.must_change_password(user):
            # An API token would outlive the forced change: the password is changed on the
            # password page first (the pages log in and go there).
            setattr(request, REFUSAL_ATTRIBUTE, services.MUST_CHANGE_FIRST)
            return None
        return user


def _is_api(request) -> bool:
    path = getattr(request, "path_info", None) or getattr(request, "path", "") or ""
    return path.startswith("/api/")
