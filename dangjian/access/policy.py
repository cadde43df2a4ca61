"""The one policy: what a user may see and do, and where.

A role is granted on an organization and covers its subtree (or, for the
platform-wide roles, everything). Every list, detail, form choice, export,
API endpoint and job asks this module, and it fails closed: no grant, no
rows. Scoped querysets call :func:`scope_q`; services call :func:`can` as a
second guard.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .roles import ROLE_ACTIONS, UNSCOPED_ACTIONS


@dataclass(frozen=True)
class Scope:
    role: str
    path: str | None  # None: the whole platform


NOTHING = Q(pk__in=[])


def _active(user) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and bool(getattr(user, "is_active", False))
    )


def scopes(user) -> tuple[Scope, ...]:
    """The user's grants, read once per user object (one query)."""
    if not _active(user):
        return ()
    cached = getattr(user, "_dangjian_scopes", None)
    if cached is None:
        from .models import RoleGrant

        rows = RoleGrant.objects.filter(user=user).values_list("role", "organization__path")
        cached = tuple(Scope(role, path) for role, path in rows)
        user._dangjian_scopes = cached
    return cached


def forget(user) -> None:
    """Drop the cached grants (after a grant changes within the request)."""
    for attribute in ("_dangjian_scopes", "_dangjian_own_path"):
        if hasattr(user, attribute):
            delattr(user, attribute)


def roles(user) -> set[str]:
    return {s.role for s in scopes(user)}


def paths_for(user, action: str) -> list[str] | None:
    """Subtree roots where ``action`` is allowed; None means everywhere."""
    found: list[str] = []
    for scope in scopes(user):
        if action not in ROLE_ACTIONS.get(scope.role, ()):
            continue
        if scope.path is None:
            return None
        found.append(scope.path)
    return found


def has_action(user, action: str) -> bool:
    """Whether the user may do ``action`` anywhere at all (menus, unscoped actions)."""
    return any(action in ROLE_ACTIONS.get(s.role, ()) for s in scopes(user))


def scope_q(user, action: str, path_field: str, *, self_field: str | None = None) -> Q:
    """A filter keeping rows whose organization path lies in the user's scope.

    ``self_field`` names the field holding the member a row is about, so a
    member always reaches their own record.
    """
    paths = paths_for(user, action)
    if paths is None:
        return Q()
    q = NOTHING
    for path in _outermost(paths):
        q |= Q(**{f"{path_field}__startswith": path})
    member_id = getattr(user, "member_id", None) if _active(user) else None
    if self_field and member_id and action in _SELF_ACTIONS:
        own_path = _own_member_path(user)
        # Only when the scope does not already cover the user's own record: an
        # "OR id = …" term makes PostgreSQL scan the whole table
        # (benchmarks/README.md, finding 3).
        if own_path is None or not any(own_path.startswith(p) for p in paths):
            q |= Q(**{self_field: member_id})
    return q


def _own_member_path(user) -> str | None:
    """The organization path of the user's own member record, read once per user object."""
    if not hasattr(user, "_dangjian_own_path"):
        from dangjian.people.models import Member

        user._dangjian_own_path = (
            Member.objects.filter(pk=user.member_id)
            .values_list("organization__path", flat=True)
            .first()
        )
    return user._dangjian_own_path


def can(user, action: str, obj=None) -> bool:
    """Whether ``user`` may do ``action`` on ``obj`` (an Organization, a Member, or None)."""
    if action in UNSCOPED_ACTIONS or obj is None:
        return has_action(user, action)
    if _is_self(user, obj) and action in _SELF_ACTIONS:
        return True
    path = _path_of(obj)
    if path is None:
        return False
    paths = paths_for(user, action)
    return paths is None or any(path.startswith(p) for p in paths)


def can_anywhere_below(user, action: str, obj) -> bool:
    """Whether ``action`` is allowed on ``obj`` or on some organization under it."""
    paths = paths_for(user, action)
    if paths is None:
        return True
    path = _path_of(obj)
    return path is not None and any(p.startswith(path) or path.startswith(p) for p in paths)


# A member may always see their own record and its personal data.
_SELF_ACTIONS = frozenset({"member.view", "member.reveal"})


def _is_self(user, obj) -> bool:
    from dangjian.people.models import Member

    member_id = getattr(user, "member_id", None)
    return (
        isinstance(obj, Member) and member_id is not None and obj.pk == member_id and _active(user)
    )


def _path_of(obj) -> str | None:
    from dangjian.organizations.models import Organization

    if isinstance(obj, Organization):
        return obj.path
    organization = getattr(obj, "organization", None)
    if isinstance(organization, Organization):
        return organization.path
    return None


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths already covered by an ancestor path in the list."""
    kept: list[str] = []
    for p in sorted(set(paths)):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept
