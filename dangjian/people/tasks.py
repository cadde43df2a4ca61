"""Background jobs of the people app (django-tasks; run by the job worker).

A job runs as the user who asked for it: it loads that user and goes through
the same policy as the web request did, so a role revoked in the meantime
stops the job instead of being bypassed by it.
"""

from __future__ import annotations

import logging

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from dangjian.access import policy
from dangjian.access.roles import Action

from . import exports, roster
from .models import RosterImport

logger = logging.getLogger(__name__)


def _load(roster_id: int, status: str) -> tuple[RosterImport, object] | None:
    item = RosterImport.objects.select_related("uploaded_by").filter(pk=roster_id).first()
    if item is None or item.status != status:
        return None  # already handled (a duplicate delivery of the job)
    user = item.uploaded_by
    if user is None or not user.is_active or not policy.has_action(user, Action.MEMBER_IMPORT):
        _fail(item, _("You may no longer import rosters; nothing was imported."))
        return None
    return item, user


def _fail(item: RosterImport, message: str) -> None:
    RosterImport.objects.filter(pk=item.pk).update(
        status=RosterImport.Status.FAILED,
        errors=[{"row": None, "column": "", "message": str(message)}],
        error_count=1,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    item.refresh_from_db()
    roster.discard_file(item)


def _run(item: RosterImport, step, **kwargs) -> None:
    try:
        with translation.override(item.language or None):
            step(roster=item, **kwargs)
    except Exception as exc:
        # Only the exception's class is logged: messages may quote cell values.
        logger.error("roster import %s failed: %s", item.pk, type(exc).__name__)
        with translation.override(item.language or None):
            _fail(item, _("The import stopped because of an internal error; nothing was imported."))


@task()
def roster_validate_task(roster_id: int) -> None:
    """Check every row of an uploaded roster."""
    loaded = _load(roster_id, RosterImport.Status.PENDING)
    if loaded:
        item, user = loaded
        _run(item, roster.roster_validate, actor=user, progress=True)


@task()
def roster_commit_task(roster_id: int) -> None:
    """Check a roster again and import all its members, or none."""
    loaded = _load(roster_id, RosterImport.Status.COMMITTING)
    if loaded:
        item, user = loaded
        _run(item, roster.roster_commit, actor=user, progress=True)


@task()
def member_export_task(user_id: int, params: dict, token: str, language: str = "") -> None:
    """Write a big member export into the user's private export folder."""
    from dangjian.access.models import User

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    with translation.override(language or None):
        exports.export_to_storage(actor=user, params=params, token=token)
