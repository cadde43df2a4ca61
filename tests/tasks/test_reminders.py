"""The reminder job with a controlled clock: due soon, overdue, once each."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from dangjian.core.models import Notification
from dangjian.tasks import reminders, services
from dangjian.tasks.models import TaskReminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def reminded_task(make_task, tree, today):
    secretary = tree.users["branch_secretary"]
    secretary.email = "zhibu@example.org"
    secretary.save()
    member = tree.users["member"]
    member.email = "dangyuan@example.org"
    member.save()
    task = make_task(
        title="按期报送学习情况",
        deadline=today + datetime.timedelta(days=10),
        responsible=tree.members["member"],
    )
    Notification.objects.all().delete()
    return task


def run(day, capture):
    with capture(execute=True):
        return reminders.send_task_reminders(today=day)


def test_due_soon_then_overdue_once_each(
    reminded_task, today, django_capture_on_commit_callbacks, settings
):
    settings.TASK_REMIND_DAYS_BEFORE = 3
    deadline = reminded_task.deadline
    cap = django_capture_on_commit_callbacks
    assert run(deadline - datetime.timedelta(days=4), cap) == {"due_soon": 0, "overdue": 0}
    assert run(deadline - datetime.timedelta(days=3), cap) == {"due_soon": 1, "overdue": 0}
    assert set(Notification.objects.values_list("user__username", flat=True)) == {
        "zhibu",
        "dangyuan",
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["dangyuan@example.org", "zhibu@example.org"]
    # Run twice, and on the next days: still one due-soon reminder.
    assert run(deadline - datetime.timedelta(days=3), cap) == {"due_soon": 0, "overdue": 0}
    assert run(deadline, cap) == {"due_soon": 0, "overdue": 0}
    assert run(deadline + datetime.timedelta(days=1), cap) == {"due_soon": 0, "overdue": 1}
    assert run(deadline + datetime.timedelta(days=2), cap) == {"due_soon": 0, "overdue": 0}
    assert Notification.objects.count() == 4  # two people × two events
    assert len(mail.outbox) == 4
    assert TaskReminder.objects.count() == 2


def test_moved_deadline_earns_new_reminder(
    reminded_task, dangzu_office, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    day = reminded_task.deadline - datetime.timedelta(days=1)
    assert run(day, cap)["due_soon"] == 1
    services.task_update(
        actor=dangzu_office,
        task=reminded_task,
        version=reminded_task.version,
        deadline=reminded_task.deadline + datetime.timedelta(days=1),
    )
    assert run(day, cap)["due_soon"] == 1
    assert run(day, cap)["due_soon"] == 0


def test_closed_tasks_not_reminded(
    reminded_task, branch_secretary, dangzu_office, django_capture_on_commit_callbacks
):
    services.task_request_closure(actor=branch_secretary, task=reminded_task)
    services.task_approve_closure(actor=dangzu_office, task=reminded_task)
    late = reminded_task.deadline + datetime.timedelta(days=5)
    assert run(late, django_capture_on_commit_callbacks) == {"due_soon": 0, "overdue": 0}


def test_command_with_controlled_clock(reminded_task, capsys):
    day = (reminded_task.deadline + datetime.timedelta(days=1)).isoformat()
    call_command("send_task_reminders", "--today", day)
    call_command("send_task_reminders", "--today", day)
    out = capsys.readouterr().out
    assert "overdue: 1" in out and "overdue: 0" in out
    assert TaskReminder.objects.filter(event="overdue").count() == 1


def test_command_refuses_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_task_reminders", "--today", "2025-13-45")


def test_background_task_runs(reminded_task, settings):
    from dangjian.tasks.tasks import send_task_reminders_task

    day = (reminded_task.deadline + datetime.timedelta(days=2)).isoformat()
    result = send_task_reminders_task.call(day)
    assert result == {"due_soon": 0, "overdue": 1}


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_send_once(make_task, tree, today):
    """Two runs at the same time: the unique row lets only one of them send."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the overlap is proven on PostgreSQL")
    task = make_task(deadline=today + datetime.timedelta(days=1))
    Notification.objects.all().delete()
    results = []

    def worker():
        try:
            results.append(reminders.send_task_reminders(today=today))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["due_soon"] for r in results) == 1
    assert TaskReminder.objects.filter(task=task).count() == 1


def test_insert_race_handled(reminded_task, django_capture_on_commit_callbacks):
    """A reminder row written by another run just before ours: we skip, nothing is sent."""
    TaskReminder.objects.create(
        task=reminded_task, event="due_soon", deadline=reminded_task.deadline
    )
    day = reminded_task.deadline - datetime.timedelta(days=1)
    assert run(day, django_capture_on_commit_callbacks)["due_soon"] == 0
    assert not Notification.objects.exists()
    assert not mail.outbox


def test_command_can_queue_the_job(reminded_task, capsys):
    from django_tasks_db.models import DBTaskResult

    call_command("send_task_reminders", "--enqueue")
    assert "queued" in capsys.readouterr().out
    assert DBTaskResult.objects.filter(task_path__endswith="send_task_reminders_task").exists()
