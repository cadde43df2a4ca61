"""Imports, bulk edits and multi-step workflows are all or nothing (issue 6, Reliability).

Each test makes a later step fail (an exception half way, or SIGKILL of the
process doing the import) and then finds no partial data.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from dangjian.meetings import services as meeting_services
from dangjian.meetings.models import Attendance
from dangjian.people import roster
from dangjian.people.models import Member, MemberTransfer, RosterImport
from dangjian.people.tasks import roster_commit_task
from dangjian.tasks import services as task_services
from dangjian.tasks.models import Task
from tests.people.test_roster import good_rows, xlsx

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def checked_roster(actor, n=5) -> RosterImport:
    item = roster.roster_upload(
        actor=actor, uploaded_file=SimpleUploadedFile("r.xlsx", xlsx(good_rows(n=n)))
    )
    item.refresh_from_db()
    assert item.status == RosterImport.Status.VALIDATED and item.error_count == 0
    return item


def imported() -> int:
    return Member.objects.filter(name__startswith="测试").count()


@pytest.mark.django_db
def test_roster_import_failing_half_way_leaves_no_members(tree, media, monkeypatch):
    """Members and transfers are written, then the organization recount fails: nothing stays."""
    actor = tree.users["office_staff"]
    item = checked_roster(actor)
    transfers = MemberTransfer.objects.count()

    seen = {}

    def broken(**kwargs):
        seen["rows"] = imported()  # the job swallows exceptions: record, assert below
        raise RuntimeError("crash half way")

    monkeypatch.setattr(roster, "organization_recount", broken)
    RosterImport.objects.filter(pk=item.pk).update(status=RosterImport.Status.COMMITTING)
    roster_commit_task.call(item.pk)  # the job: the failure is recorded, not raised
    item.refresh_from_db()
    assert seen == {"rows": 5}  # the rows were written before the failure
    assert item.status == RosterImport.Status.FAILED
    assert imported() == 0
    assert MemberTransfer.objects.count() == transfers


@pytest.mark.django_db
def test_meeting_decision_to_tasks_failing_half_way_leaves_no_tasks(tree, monkeypatch):
    office = tree.users["office_staff"]
    meeting = meeting_services.meeting_create(
        actor=None,
        organization=tree.orgs["committee"],
        kind="branch_assembly",
        title="机关党委会议",
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        check=False,
    )
    item = meeting_services.agenda_item_add(
        actor=office, meeting=meeting, kind="deliberation", title="研究部署", decisions=["一要"]
    )
    original = task_services.task_create
    calls = {"n": 0}

    def second_fails(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("crash half way")
        return original(**kwargs)

    monkeypatch.setattr(task_services, "task_create", second_fails)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    rows = [
        {"title": f"任务{i}", "deadline": deadline, "lead_unit": tree.units["office"]}
        for i in range(3)
    ]
    with pytest.raises(RuntimeError):
        meeting_services.decision_to_tasks(actor=office, item=item, decision_index=0, tasks=rows)
    assert calls["n"] == 2
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_attendance_bulk_set_failing_half_way_leaves_attendance_unchanged(tree, monkeypatch):
    office = tree.users["office_staff"]
    meeting = meeting_services.meeting_create(
        actor=None,
        organization=tree.orgs["branch"],
        kind="branch_committee",
        title="支部委员会会议",
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        check=False,
    )
    before = sorted(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    members = [tree.members["secretary"], tree.members["member"]]
    from dangjian.core import audit

    monkeypatch.setattr(audit, "record", lambda **kw: (_ for _ in ()).throw(RuntimeError("x")))
    with pytest.raises(RuntimeError):
        meeting_services.attendance_record(
            actor=office,
            meeting=meeting,
            entries=[{"member": m, "status": "present", "reason": ""} for m in members],
        )
    after = sorted(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    assert after == before


KILLED_IMPORT = textwrap.dedent(
    """
    import os, sys, time
    import django
    django.setup()
    from dangjian.people import roster
    from dangjian.people.models import RosterImport

    def stall(**kwargs):
        print("HALF", flush=True)  # members and transfers written, not committed
        time.sleep(120)

    roster.organization_recount = stall
    item = RosterImport.objects.get(pk=int(sys.argv[1]))
    roster.roster_commit(roster=item, actor=item.uploaded_by)
    """
)


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}{password}@{host}/{s['NAME']}"


def start_roster_child(script_text: str, item: RosterImport, media) -> subprocess.Popen:
    """Run ``script_text`` (argument: the roster's id) in another process on the test
    database, with its own copy of the roster's file (its MEDIA_ROOT differs)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "dangjian.config.settings",
        "DANGJIAN_TESTING": "1",
        "DANGJIAN_VAR_DIR": str(Path(media).parent / "var"),
    }
    target = Path(env["DANGJIAN_VAR_DIR"]) / "media" / item.file.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((Path(media) / item.file.name).read_bytes())
    script = Path(media).parent / "child_script.py"
    script.write_text(script_text)
    return subprocess.Popen(
        [sys.executable, str(script), str(item.pk)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_roster_import_killed_half_way_leaves_no_members(tree, media):
    """SIGKILL of the importing process after the rows were written: none of them remain."""
    actor = tree.users["office_staff"]
    item = checked_roster(actor, n=20)
    RosterImport.objects.filter(pk=item.pk).update(status=RosterImport.Status.COMMITTING)
    child = start_roster_child(KILLED_IMPORT, item, media)
    try:
        line = child.stdout.readline()
        assert line.strip() == "HALF", child.stderr.read()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    connection.close()
    assert imported() == 0
    assert not MemberTransfer.objects.filter(member__name__startswith="测试").exists()
    item.refresh_from_db()
    assert item.status == RosterImport.Status.COMMITTING  # not marked done

    # The job run again (dangjian recover_jobs) imports every row once; a duplicate
    # delivery afterwards finds the import COMMITTED and does nothing (idempotency key).
    roster_commit_task.call(item.pk)
    roster_commit_task.call(item.pk)
    item.refresh_from_db()
    assert item.status == RosterImport.Status.COMMITTED
    assert imported() == 20
