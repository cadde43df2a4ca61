"""Reads about accounts and their roles that no single user's scope decides."""

from __future__ import annotations

from collections import defaultdict

from .models import RoleGrant
from .roles import SEPARATED_ROLES, mixes_duties


def duty_violations() -> list[tuple[str, list[str]]]:
    """Accounts whose roles break 三员分立 (``roles.mixes_duties``): (user name, roles held).

    Grants made before the rule, or written past ``grant_create``; listed by
    ``dangjian check_duties`` and refused at a production start.
    """
    holders = RoleGrant.objects.filter(role__in=SEPARATED_ROLES).values("user_id")
    held: dict[str, set[str]] = defaultdict(set)
    rows = RoleGrant.objects.filter(user_id__in=holders).values_list("user__username", "role")
    for username, role in rows:
        held[username].add(role)
    return [(name, sorted(roles)) for name, roles in sorted(held.items()) if mixes_duties(roles)]
