"""The unread-notification count for the top bar (one query, only if a template uses it)."""

from __future__ import annotations

import functools


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def unread_notifications() -> int:
        # Templates call callables: the count is read on first use, once per request.
        from dangjian.core.notify import unread_count

        return unread_count(user)

    return {"unread_notifications": unread_notifications}
