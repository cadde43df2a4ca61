"""Reminders to branch secretaries before a period closes with a rule of organizational life
unmet. Run daily by the job (``tasks.send_life_reminders_task``) or the management command
``send_life_reminders``; each (rule, organization, period) is reminded once."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.access.models import RoleGrant, User
from dangjian.access.roles import Role
from dangjian.core.notify import notify
from dangjian.organizations.models import Organization
from dangjian.people.models import PostTitle

from .models import LifeReminder
from .selectors import held_counts, rule_periods_for


def secretaries_of(organization_ids) -> dict[int, list[User]]:
    """Users to remind per organization: the holder of its secretary post (through their
    member record) and users granted the branch secretary role on it. Two queries."""
    found: dict[int, dict[int, User]] = {}
    by_post = User.objects.filter(
        is_active=True,
        member__posts__organization_id__in=organization_ids,
        member__posts__title=PostTitle.SECRETARY,
        member__posts__ended_on__isnull=True,
    ).values_list("member__posts__organization_id", "pk")
    by_grant = RoleGrant.objects.filter(
        role=Role.BRANCH_SECRETARY, organization_id__in=organization_ids, user__is_active=True
    ).values_list("organization_id", "user_id")
    pairs = list(by_post) + list(by_grant)
    users = User.objects.in_bulk({uid for _org, uid in pairs})
    for org_id, uid in pairs:
        found.setdefault(org_id, {})[uid] = users[uid]
    return {org_id: list(u.values()) for org_id, u in found.items()}


def send_life_reminders(*, today: datetime.date | None = None) -> int:
    """Remind secretaries of every unmet rule whose period closes within its
    ``remind_days_before`` days. Returns the number of (rule, organization) reminders sent."""
    today = today or timezone.localdate()
    sent = 0
    with translation.override("zh-hans"):
        for rp in rule_periods_for(today):
            days_left = (rp.end - today).days
            if days_left > rp.rule.remind_days_before:
                continue
            orgs = Organization.objects.active().filter(kind__in=rp.rule.organization_kinds)
            counts = held_counts(organizations=orgs, rule_periods=[rp])
            reminded = set(
                LifeReminder.objects.filter(rule=rp.rule, period_start=rp.start).values_list(
                    "organization_id", flat=True
                )
            )
            unmet = [
                org
                for org in orgs.exclude(pk__in=reminded).order_by("path")
                if counts.get(org.pk, {}).get(rp.key, 0) < rp.rule.min_count
            ]
            if not unmet:
                continue
            recipients = secretaries_of([o.pk for o in unmet])
            for org in unmet:
                sent += _remind(rp, org, recipients.get(org.pk, []), days_left)
    return sent


def _remind(rp, org, users, days_left: int) -> int:
    held = 0
    try:
        with transaction.atomic():
            LifeReminder.objects.create(rule=rp.rule, organization=org, period_start=rp.start)
            title = _("%(org)s: %(kind)s not yet held enough in %(period)s") % {
                "org": org.name,
                "kind": rp.rule.get_meeting_kind_display(),
                "period": rp.label,
            }
            body = _(
                "The rule asks for at least %(count)s in %(period)s, which closes in %(days)s "
                "day(s). Record the meeting once it has been held."
            ) % {"count": rp.rule.min_count, "period": rp.label, "days": days_left}
            url = reverse("meetings:compliance") + f"?organization={org.pk}"
            notify(users=users, title=title, body=body, url=url)
            held = 1
    except IntegrityError:
        return 0  # reminded meanwhile by another run
    return held
