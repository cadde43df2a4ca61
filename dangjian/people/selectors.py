"""Reads of members, always through the user's scope."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from dangjian.access.roles import Action

from .models import Member, MemberTransfer, PostAssignment


def member_list(*, user, action: str = Action.MEMBER_VIEW) -> QuerySet[Member]:
    """Current members the user may see, with what list rows show (no per-row queries)."""
    return (
        Member.objects.restrict(user, action)
        .current()
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "posts",
                queryset=PostAssignment.objects.filter(ended_on__isnull=True).select_related(
                    "organization"
                ),
                to_attr="current_posts",
            )
        )
    )


def member_get(*, user, pk, action: str = Action.MEMBER_VIEW) -> Member:
    return (
        Member.objects.restrict(user, action)
        .select_related("organization", "organization__unit")
        .get(pk=pk)
    )


def member_history(*, member: Member):
    posts = PostAssignment.objects.filter(member=member).select_related("organization")
    transfers = MemberTransfer.objects.filter(member=member).select_related(
        "from_organization", "to_organization", "recorded_by"
    )
    return posts, transfers
