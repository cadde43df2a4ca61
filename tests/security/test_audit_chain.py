"""Audit log: tamper-evident chain (HMAC-SM3), immutability, retention and archive.

GB/T 22239-2019 8.1.4.3 (security audit: records protected from deletion, change
or overwriting; retention) — docs/security.md.
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from dangjian.core import audit, audit_jobs
from dangjian.core.models import (
    AuditArchiveEvent,
    AuditChainHead,
    AuditEvent,
    AuditImmutable,
    AuditVerification,
)

pytestmark = pytest.mark.django_db


def _events(n: int, note: str = "chain test") -> list[AuditEvent]:
    return [
        audit.record(actor=None, action=AuditEvent.Action.UPDATE, note=f"{note} {i}")
        for i in range(n)
    ]


def _raw(sql: str, params=()) -> None:
    """SQL as a database administrator would type it, past the application."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a superuser switching the triggers off
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def _verify() -> tuple[bool, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        assert exc.returncode == 1
        return False, err.getvalue() + str(exc)
    return True, out.getvalue()


def test_each_audit_record_carries_a_mac_over_its_content_and_the_previous_mac():
    first, second = _events(2)
    assert second.seq == first.seq + 1
    assert first.mac and second.mac
    assert second.mac == audit.event_mac(second, first.mac)
    stored = AuditEvent.objects.get(pk=second.pk)  # as read back from the database
    assert audit.event_mac(stored, first.mac) == stored.mac
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.mac) == (second.seq, second.mac)
    ok, out = _verify()
    assert ok, out


def test_audit_verify_fails_naming_the_record_changed_in_the_database():
    events = _events(5)
    victim = events[2]
    _raw("UPDATE core_auditevent SET note = %s WHERE id = %s", ["nothing happened", victim.pk])
    ok, message = _verify()
    assert not ok
    assert f"record {victim.seq}" in message
    assert f"id {victim.pk}" in message
    result = audit.verify_chain()
    assert (result.broken_seq, result.reason) == (victim.seq, "mac")
    assert result.verified_through == victim.seq - 1


def test_audit_verify_detects_a_deleted_record_and_a_cut_off_end():
    events = _events(4)
    _raw("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    result = audit.verify_chain()
    assert (result.ok, result.broken_seq, result.reason) == (False, events[2].seq, "gap")
    _raw("DELETE FROM core_auditevent WHERE id >= %s", [events[1].pk])
    result = audit.verify_chain()
    assert (result.ok, result.reason) == (False, "head")


def test_audit_verify_detects_a_record_inserted_outside_the_application():
    _events(2)
    _raw(
        "INSERT INTO core_auditevent (occurred_at, actor_name, action, object_type, object_id,"
        " object_repr, changes, note, mac) VALUES (%s, '', 'login', '', '', '', '{}', '', '')",
        [timezone.now()],
    )
    result = audit.verify_chain()
    assert not result.ok and result.reason == "unsealed"


def test_audit_records_cannot_be_changed_or_deleted_through_the_application():
    event = _events(1)[0]
    event.note = "changed"
    with pytest.raises(AuditImmutable):
        event.save()
    with pytest.raises(AuditImmutable):
        event.delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.bulk_create([AuditEvent(action="login")])
    assert AuditEvent.objects.get(pk=event.pk).note == "chain test 0"


def test_audit_record_refuses_an_unknown_event_type_and_writes_nothing():
    """Event types are a closed list (the audit page filters by them): a typo is an error."""
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(actor=None, action="updat", object_type="core.test", object_repr="x")
    assert AuditEvent.objects.count() == before


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_refuses_update_and_delete_of_audit_rows():
    from django.db import DatabaseError

    event = _events(1)[0]
    for sql in (
        "UPDATE core_auditevent SET note = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).note == "chain test 0"


def test_deleting_a_user_keeps_the_chain_intact(tree):
    from dangjian.access.models import User

    user = User.objects.create_user(username="leaver", password="Leaver-password-1")
    audit.record(actor=user, action=AuditEvent.Action.LOGIN, obj=user)
    user.delete()  # the user id becomes NULL; the MAC covers the name, not the id
    assert audit.verify_chain().ok


def test_a_rolled_back_transaction_leaves_the_chain_head_unchanged():
    before = _events(1)[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=None, action=AuditEvent.Action.UPDATE, note="rolled back")
        raise RuntimeError
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.mac) == (before.seq, before.mac)
    after = _events(1)[0]
    assert after.seq == before.seq + 1
    assert audit.verify_chain().ok


def _old(days: int, note: str) -> AuditEvent:
    event = AuditEvent(
        action=AuditEvent.Action.UPDATE,
        note=note,
        occurred_at=timezone.now() - datetime.timedelta(days=days),
    )
    event.save()
    return event


def test_archive_moves_only_records_older_than_the_retention_and_the_chain_stays_verifiable():
    # Everything written so far (fixtures of other tests: none here) is recent; make an old prefix.
    start = AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    old = [_old(400, f"old {i}") for i in range(3)]
    recent = _events(2, "recent")
    if start:  # records already in the log are recent: nothing can be archived before them
        pytest.skip("the log already had recent records")
    with pytest.raises(CommandError):
        call_command("audit", "archive", "--days", "30")  # below the 180-day minimum
    call_command("audit", "archive")
    assert list(AuditArchiveEvent.objects.values_list("seq", flat=True)) == [e.seq for e in old]
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in recent]).count() == 2
    head = AuditChainHead.objects.get(pk=1)
    assert (head.archived_seq, head.archived_mac) == (old[-1].seq, old[-1].mac)
    assert audit.verify_chain().ok
    assert audit.verify_chain(include_archive=False).ok
    # the first live record still chains to the archive's last MAC
    assert recent[0].mac == audit.event_mac(AuditEvent.objects.get(pk=recent[0].pk), old[-1].mac)
    # archived rows are protected the same way and checked by verify
    archived = AuditArchiveEvent.objects.get(seq=old[1].seq)
    with pytest.raises(AuditImmutable):
        archived.delete()
    _raw("UPDATE core_auditarchiveevent SET note = 'edited' WHERE seq = %s", [old[1].seq])
    result = audit.verify_chain()
    assert (result.ok, result.broken_seq) == (False, old[1].seq)
    ok, message = _verify()
    assert not ok and f"record {old[1].seq}" in message


def test_verification_runs_as_a_job_with_progress_and_keeps_its_result(auditor):
    _events(3)
    run = audit_jobs.request_verification(user=auditor)
    assert run.status == AuditVerification.Status.QUEUED
    assert audit_jobs.request_verification(user=auditor).pk == run.pk  # one at a time
    audit_jobs.verify_audit_chain_job.call(run.pk)
    run.refresh_from_db()
    assert run.status == AuditVerification.Status.OK
    assert run.checked == run.total and run.percent == 100
    assert run.verified_through == AuditChainHead.objects.get(pk=1).seq
    assert audit_jobs.last_finished().pk == run.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_do_not_fork_the_chain():
    """Two connections append at the same time: every record has its own number."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers with its database lock")
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic():
                    audit.record(actor=None, action=AuditEvent.Action.UPDATE, note=f"t{n} {i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + 40))
    assert audit.verify_chain().ok


def test_auditor_page_shows_the_chain_state_and_verifies_on_request(client, auditor):
    from django.urls import reverse

    events = _events(2)
    client.force_login(auditor)
    page = client.get(reverse("access:audit_list")).content.decode()
    assert 'data-testid="chain-state"' in page and 'data-testid="verify-now"' in page
    response = client.post(reverse("access:audit_verify"))
    assert response.status_code == 302
    run = AuditVerification.objects.get()
    polled = client.get(reverse("access:audit_chain")).content.decode()
    assert 'data-testid="chain-progress"' in polled and "every 2s" in polled
    audit_jobs.verify_audit_chain_job.call(run.pk)
    run.refresh_from_db()
    page = client.get(reverse("access:audit_list")).content.decode()
    assert 'data-testid="chain-progress"' not in page
    assert f"{run.verified_through}" in page.split('data-testid="chain-state"')[1][:200]
    assert "text-success" in page.split('data-testid="chain-state"')[0][-60:]
    # a tampered record: the next verification shows where the chain breaks
    _raw("UPDATE core_auditevent SET note = 'x' WHERE id = %s", [events[0].pk])
    audit_jobs.run_verification(audit_jobs.start_run(user=auditor).pk)
    page = client.get(reverse("access:audit_list")).content.decode()
    state = page.split('data-testid="chain-state"')[1][:300]
    assert f"{events[0].seq}" in state
    assert "text-danger" in page.split('data-testid="chain-state"')[0][-60:]


def test_the_migration_seals_records_written_before_the_chain_in_time_order():
    import importlib

    from django.db.migrations.loader import MigrationLoader

    assert not AuditEvent.objects.exists()
    AuditChainHead.objects.all().delete()
    times = [timezone.now() - datetime.timedelta(minutes=m) for m in (1, 3, 2)]
    for i, when in enumerate(times):  # rows as the old code wrote them: no number, no MAC
        _raw(
            "INSERT INTO core_auditevent (occurred_at, actor_name, action, object_type,"
            " object_id, object_repr, changes, note, mac) VALUES (%s, '', 'update', '', '',"
            " '', '{}', %s, '')",
            [when, f"old {i}"],
        )
    migration = importlib.import_module("dangjian.core.migrations.0004_seal_audit_chain")
    state = MigrationLoader(connection).project_state(("core", "0004_seal_audit_chain"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the trigger comes after the sealing step
            cursor.execute("SET session_replication_role = replica")
        migration.seal_existing(state.apps, None)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")
    notes = list(AuditEvent.objects.order_by("seq").values_list("seq", "note"))
    assert notes == [(1, "old 1"), (2, "old 2"), (3, "old 0")]  # oldest first
    assert AuditChainHead.objects.get(pk=1).seq == 3
    assert audit.verify_chain().ok
    assert _events(1)[0].seq == 4
