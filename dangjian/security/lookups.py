"""The daily budget of personal-data look-ups (issue 11, docs/security.md).

Comparing an ID number or a phone with the stored members tells whether it belongs
to somebody, which is itself personal data. Each user may compare at most
``settings.LOOKUP_DAILY_BUDGET`` numbers per day (local date), whatever the way in:
``POST /api/members/lookup/``, a roster check, a member form or an API write with an
ID number. The count is a row per user and day (:class:`LookupBudget`), charged with
one conditional UPDATE before anything is compared, so simultaneous requests cannot
pass the budget together and the count is shared by every worker and server.

A request that does not fit the budget is refused whole (a 200,000-row roster is not
checked in part): nothing is compared, the refusal is audited (``throttled``, counts
only) and :class:`LookupBudgetSpent` carries the message for the user.

:func:`charge` runs in its own transaction: call it outside the transaction of the
work it pays for, so that the charge and the refusal's audit row stay when that work
fails afterwards.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit

from .models import LookupBudget

KEEP_DAYS = 7  # rows older than this are removed when a user's first row of a day is made


class LookupBudgetSpent(ValidationError):
    """Today's budget cannot pay for this look-up; ``wait``: seconds until it renews."""

    def __init__(self, *, count: int, left: int, limit: int):
        super().__init__(
            _(
                "Today's personal-data look-up budget is used up: this needs %(count)d "
                "numbers, %(left)d of the %(limit)d a day are left. Nothing was checked or "
                "saved. Try again tomorrow."
            )
            % {"count": count, "left": left, "limit": limit},
            code="lookup_budget",
        )
        self.wait = seconds_until_renewal()


def daily_budget() -> int:
    """Numbers per user per day; 0 or less: no budget."""
    return int(getattr(settings, "LOOKUP_DAILY_BUDGET", 0) or 0)


def seconds_until_renewal() -> int:
    now = timezone.localtime()
    tomorrow = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=now.tzinfo
    )
    return max(1, math.ceil((tomorrow - now).total_seconds()))


def used_today(user) -> int:
    row = LookupBudget.objects.filter(user=user, day=timezone.localdate()).first()
    return row.used if row else 0


def charge(*, actor, count: int) -> None:
    """Charge ``count`` numbers to the actor's budget of today, or refuse them all.

    Raises :class:`LookupBudgetSpent` (after auditing the refusal) when they do not fit.
    """
    limit = daily_budget()
    if count <= 0 or limit <= 0:
        return
    day = timezone.localdate()
    with transaction.atomic():
        _row, created = LookupBudget.objects.get_or_create(user=actor, day=day)
        if created:
            LookupBudget.objects.filter(
                user=actor, day__lt=day - datetime.timedelta(days=KEEP_DAYS)
            ).delete()
        charged = LookupBudget.objects.filter(user=actor, day=day, used__lte=limit - count).update(
            used=F("used") + count
        )
        if not charged:
            used = LookupBudget.objects.get(user=actor, day=day).used
            audit.record(
                actor=actor,
                action=audit.AuditEvent.Action.THROTTLED,
                object_type="lookup_budget",
                object_repr="personal-data look-ups",
                note=f"daily personal-data look-up budget: {count} numbers refused, "
                f"{used} of {limit} used today",
            )
    if not charged:
        raise LookupBudgetSpent(count=count, left=max(0, limit - used), limit=limit)
