"""In-app notifications, with an e-mail copy to users who have an address.

The rows are written in the caller's transaction; the e-mails are sent only
after it commits (``transaction.on_commit``), so a rolled-back action sends
nothing. One message per recipient: addresses are never shown to each other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from .models import Notification

logger = logging.getLogger(__name__)

TITLE_MAX = Notification._meta.get_field("title").max_length
URL_MAX = Notification._meta.get_field("url").max_length


def _recipients(users: Iterable) -> list:
    seen: set[int] = set()
    kept = []
    for user in users:
        if user is None or not getattr(user, "is_active", False) or user.pk in seen:
            continue
        seen.add(user.pk)
        kept.append(user)
    return kept


def _absolute(url: str) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{url}" if base and url.startswith("/") else url


def _send(messages: list[tuple[str, str, str]]) -> None:
    try:
        connection = get_connection()
        connection.send_messages(
            [
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
                for subject, body, address in messages
            ]
        )
    except Exception:  # a mail server being down must not break the action
        logger.exception("sending %d notification e-mail(s) failed", len(messages))


def notify(*, users, title, body: str = "", url: str = "", email: bool = True) -> int:
    """Notify each distinct active user once; returns the number of notifications written."""
    users = _recipients(users)
    if not users:
        return 0
    title = str(title)[:TITLE_MAX]
    body = str(body)
    url = str(url)[:URL_MAX]
    Notification.objects.bulk_create(
        [Notification(user=user, title=title, body=body, url=url) for user in users]
    )
    if email:
        text = body
        if url:
            text = f"{body}\n\n{_absolute(url)}" if body else _absolute(url)
        messages = [(title, text, user.email) for user in users if user.email]
        if messages:
            transaction.on_commit(lambda: _send(messages))
    return len(users)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
