"""Running the audit-chain verification: from the command, or as a background job.

A run is an ``AuditVerification`` row; the job updates its progress as it
goes (the auditor's page polls it) and stores the result: verified up to
record N, or broken at record N.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from . import audit
from .models import AuditChainHead, AuditVerification

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5000
# A run still queued or running after this long is taken as abandoned (a worker died).
STALE_AFTER = datetime.timedelta(hours=6)


def _active():
    return AuditVerification.objects.filter(
        status__in=[AuditVerification.Status.QUEUED, AuditVerification.Status.RUNNING],
        requested_at__gte=timezone.now() - STALE_AFTER,
    )


def start_run(*, user) -> AuditVerification:
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditVerification.objects.create(
        requested_by=user if authenticated else None, total=audit.chain_total()
    )


def run_verification(run_id: int, *, include_archive: bool = True) -> audit.ChainResult:
    AuditVerification.objects.filter(pk=run_id).update(
        status=AuditVerification.Status.RUNNING, total=audit.chain_total()
    )

    def progress(checked: int) -> None:
        AuditVerification.objects.filter(pk=run_id).update(checked=checked)

    try:
        result = audit.verify_chain(
            include_archive=include_archive, progress=progress, progress_every=PROGRESS_EVERY
        )
    except Exception as exc:
        logger.error("audit verification %s failed: %s", run_id, type(exc).__name__)
        AuditVerification.objects.filter(pk=run_id).update(
            status=AuditVerification.Status.FAILED,
            finished_at=timezone.now(),
            reason=type(exc).__name__,
        )
        raise
    AuditVerification.objects.filter(pk=run_id).update(
        status=AuditVerification.Status.OK if result.ok else AuditVerification.Status.BROKEN,
        finished_at=timezone.now(),
        checked=result.checked,
        verified_through=result.verified_through,
        broken_seq=result.broken_seq,
        reason=result.reason,
    )
    return result


@task()
def verify_audit_chain_job(run_id: int) -> None:
    run = AuditVerification.objects.filter(pk=run_id).first()
    if run is None or run.status != AuditVerification.Status.QUEUED:
        return  # handled already (a duplicate delivery)
    run_verification(run_id)


def request_verification(*, user) -> AuditVerification:
    """Queue a verification run for the job worker (the page's "verify now")."""
    running = _active().first()
    if running is not None:
        return running
    run = start_run(user=user)
    transaction.on_commit(lambda: verify_audit_chain_job.enqueue(run.pk))
    return run


def last_finished() -> AuditVerification | None:
    return (
        AuditVerification.objects.filter(finished_at__isnull=False)
        .exclude(status=AuditVerification.Status.FAILED)
        .order_by("-finished_at", "-id")
        .first()
    )


def current() -> AuditVerification | None:
    return _active().order_by("-requested_at").first()


REASON_LABELS = {
    "mac": _("its content or its predecessor's MAC was changed"),
    "gap": _("records before it are missing (deleted or renumbered)"),
    "unsealed": _("a record carries no record number (inserted outside the application)"),
    "head": _("records at the end of the log are missing"),
    "anchor": _("the archive anchor does not match the archive"),
}


def chain_context() -> dict:
    """What the auditor's page shows about the chain."""
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead()
    last = last_finished()
    return {
        "chain_head": head,
        "chain_last": last,
        "chain_last_reason": REASON_LABELS.get(last.reason, last.reason) if last else "",
        "chain_running": current(),
    }
