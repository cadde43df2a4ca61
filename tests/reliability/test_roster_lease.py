"""Roster commits that die and roster files left behind (issue 11, point 7).

A commit holds a lease that ends with its process (people/commit_lease.py): a
killed commit is recognised from that fact, put back to "validated" with
nothing written, and can be committed again; a live one is never taken over.
Every roster file is deleted when its import ends or is abandoned
(people/roster_cleanup.py, ``dangjian cleanup_rosters``).
"""

from __future__ import annotations

import datetime
import io
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from dangjian.core.models import AuditEvent
from dangjian.people import commit_lease, roster, roster_cleanup
from dangjian.people.models import Member, RosterImport
from tests.factories import PASSWORD
from tests.people.test_roster import good_rows, xlsx
from tests.reliability.test_all_or_nothing import start_roster_child

S = RosterImport.Status

# Commits through the page's service (claim + lease), then stalls with the members
# written but not committed, until it is killed.
STALLED_COMMIT = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from dangjian.people import roster
    from dangjian.people.models import RosterImport

    def stall(**kwargs):
        print("HALF", flush=True)
        time.sleep(120)

    roster.organization_recount = stall
    item = RosterImport.objects.get(pk=int(sys.argv[1]))
    roster.roster_start_commit(roster=item, actor=item.uploaded_by)
    """
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()] if Path(media).exists() else []


def checked(actor, n=5, start=100) -> RosterImport:
    item = roster.roster_upload(
        actor=actor,
        uploaded_file=SimpleUploadedFile("r.xlsx", xlsx(good_rows(n=n, start=start))),
    )
    item.refresh_from_db()
    assert item.status == S.VALIDATED and item.error_count == 0 and item.file
    return item


def imported() -> int:
    return Member.objects.filter(name__startswith="测试").count()


def start_stalled_commit(item: RosterImport, media: Path) -> subprocess.Popen:
    child = start_roster_child(STALLED_COMMIT, item, media)
    line = child.stdout.readline()
    if line.strip() != "HALF":
        child.kill()
        pytest.fail(child.stderr.read())
    return child


@pytest.mark.django_db(transaction=True)
def test_killed_commit_is_put_back_and_commits_again_but_a_live_one_is_never_taken(tree, media):
    actor = tree.users["office_staff"]
    item = checked(actor, n=20)
    child = start_stalled_commit(item, media)
    try:
        item.refresh_from_db()
        assert item.status == S.COMMITTING
        assert item.commit_owner.split(":")[1] == str(child.pid)  # host:pid:token
        # Alive: the hourly clean-up and a duplicate commit leave it alone.
        assert commit_lease.holder_alive(item.pk)
        assert roster_cleanup.cleanup() == {"recovered": 0, "expired": 0, "files": 0}
        assert roster.roster_commit(roster=item, actor=actor).status == S.COMMITTING
        item.refresh_from_db()
        assert item.status == S.COMMITTING
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    connection.close()
    assert imported() == 0
    # Dead: recognised from the released lease (PostgreSQL notices the closed
    # connection a moment later), put back with nothing written.
    deadline = time.monotonic() + 20
    while (counts := roster_cleanup.cleanup())["recovered"] == 0:
        assert time.monotonic() < deadline, "the dead commit was not recognised"
        time.sleep(0.2)
    item.refresh_from_db()
    assert item.status == S.VALIDATED and item.file
    assert counts == {"recovered": 1, "expired": 0, "files": 0}
    assert AuditEvent.objects.filter(
        object_type="people.rosterimport", object_id=str(item.pk), action="update"
    ).exists()
    assert imported() == 0
    # A new commit is accepted and imports every row once; the file goes.
    item = roster.roster_start_commit(roster=item, actor=actor)
    assert item.status == S.COMMITTED and imported() == 20
    assert not item.file and files(media) == []


@pytest.mark.django_db
def test_the_page_puts_back_a_commit_whose_process_is_gone(tree, media):
    """No process holds the lease of a "committing" roster: the page shows it checked."""
    actor = tree.users["office_staff"]
    item = checked(actor)
    RosterImport.objects.filter(pk=item.pk).update(
        status=S.COMMITTING, commit_owner="gone-host:4242:deadbeef"
    )
    client = Client()
    assert client.login(username=actor.username, password=PASSWORD)
    response = client.get(reverse("people:roster_detail", args=[item.pk]))
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == S.VALIDATED
    assert response.context["roster"].can_commit


@pytest.mark.django_db
def test_a_dead_commit_without_its_file_fails_and_says_so(tree, media):
    item = checked(tree.users["office_staff"])
    (Path(media) / item.file.name).unlink()
    RosterImport.objects.filter(pk=item.pk).update(status=S.COMMITTING, commit_owner="h:1:x")
    # The message is written in the language active when the clean-up runs (another test
    # in the same worker may have left English active).
    with translation.override("zh-hans"):
        assert roster_cleanup.cleanup()["recovered"] == 1
    item.refresh_from_db()
    assert item.status == S.FAILED and not item.file
    assert item.error_count == 1 and "重新上传" in item.errors[0]["message"]


@pytest.mark.django_db
def test_a_commit_held_in_this_process_is_alive(tree, media):
    """The lease answers for the threads of the committing process too."""
    item = checked(tree.users["office_staff"])
    RosterImport.objects.filter(pk=item.pk).update(status=S.COMMITTING, commit_owner="h:1:x")
    with commit_lease.held(item.pk) as acquired:
        assert acquired
        assert commit_lease.holder_alive(item.pk)
        item.refresh_from_db()
        assert not roster_cleanup.recover_commit(item)
    assert not commit_lease.holder_alive(item.pk)


@pytest.mark.django_db
def test_abandoned_imports_expire_and_every_roster_file_goes(tree, media, settings):
    """Older than DANGJIAN_ROSTER_FILE_MAX_AGE_HOURS: checked-but-never-committed and
    never-started background commits expire with their files; files of ended imports and
    files nobody refers to are deleted; a fresh import keeps its file."""
    settings.ROSTER_FILE_MAX_AGE_HOURS = 2
    actor = tree.users["office_staff"]
    old = timezone.now() - datetime.timedelta(hours=3)
    abandoned = checked(actor, start=100)
    queued = checked(actor, start=200)
    ended = checked(actor, start=300)
    fresh = checked(actor, start=400)
    RosterImport.objects.filter(pk=abandoned.pk).update(updated_at=old)
    RosterImport.objects.filter(pk=queued.pk).update(status=S.COMMITTING, updated_at=old)
    RosterImport.objects.filter(pk=ended.pk).update(status=S.FAILED)  # its file left behind
    orphan_old = Path(media) / "rosters" / "2026" / "01" / "orphan-old.xlsx"
    orphan_new = orphan_old.with_name("orphan-new.xlsx")
    orphan_old.parent.mkdir(parents=True, exist_ok=True)
    orphan_old.write_bytes(b"clear ID numbers")
    orphan_new.write_bytes(b"clear ID numbers")
    os.utime(orphan_old, (old.timestamp(), old.timestamp()))
    out = io.StringIO()
    call_command("cleanup_rosters", stdout=out)
    assert out.getvalue().strip() == "recovered 0 commits, expired 2 imports, deleted 2 files"
    status = dict(RosterImport.objects.values_list("pk", "status"))
    assert status[abandoned.pk] == S.EXPIRED and status[queued.pk] == S.EXPIRED
    assert status[ended.pk] == S.FAILED and status[fresh.pk] == S.VALIDATED
    fresh.refresh_from_db()
    assert sorted(files(media)) == sorted([Path(media) / fresh.file.name, orphan_new])
    assert set(RosterImport.objects.exclude(file="").values_list("pk", flat=True)) == {fresh.pk}
    assert AuditEvent.objects.filter(
        object_type="people.rosterimport", object_id=str(abandoned.pk), action="update"
    ).exists()
    # An expired import cannot be committed.
    abandoned.refresh_from_db()
    with pytest.raises(ValidationError):
        roster.roster_start_commit(roster=abandoned, actor=actor)
