import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEvent, Notification
from dangjian.core.notify import notify
from dangjian.tasks import services
from dangjian.tasks.models import Task, TaskEvent, TaskStatus

pytestmark = pytest.mark.django_db


def test_create_records_event_audit_and_notifies(task, tree, dangzu_office, member_user):
    assert task.status == TaskStatus.NOT_STARTED
    assert task.created_by == dangzu_office
    assert list(task.events.values_list("kind", flat=True)) == [TaskEvent.Kind.CREATED]
    assert AuditEvent.objects.filter(object_type="tasks.task", object_id=str(task.pk)).exists()
    # The responsible member's user and the branch secretary are told.
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"dangyuan", "zhibu"}


def test_deadline_before_creation_refused(make_task, today):
    with pytest.raises(ValidationError) as exc:
        make_task(deadline=today - datetime.timedelta(days=1))
    assert "deadline" in exc.value.message_dict
    assert not Task.objects.exists()
    assert not Notification.objects.exists()


def test_create_needs_task_manage_on_issuing_org(make_task, tree, branch_secretary, outsider):
    with pytest.raises(PermissionDenied):
        make_task(actor=branch_secretary)
    with pytest.raises(PermissionDenied):
        make_task(actor=outsider, organization=tree.orgs["committee"])
    assert not Task.objects.exists()


def test_lead_organization_outside_scope_refused(make_task, tree, office_staff):
    with pytest.raises(ValidationError) as exc:
        make_task(
            actor=office_staff,
            organization=tree.orgs["committee"],
            lead_organization=tree.orgs["other_root"],
        )
    assert "lead_organization" in exc.value.message_dict


def test_notify_sends_mail_after_commit(tree, django_capture_on_commit_callbacks):
    users = [tree.users["member"], tree.users["branch_secretary"], tree.users["member"]]
    users[0].email = "a@example.org"
    users[0].save()
    with django_capture_on_commit_callbacks(execute=True):
        count = notify(users=users, title="提醒", body="正文", url="/tasks/1/")
    assert count == 2
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.org"]
    assert "/tasks/1/" in mail.outbox[0].body


def test_notify_no_mail_when_rolled_back(tree, django_capture_on_commit_callbacks):
    user = tree.users["member"]
    user.email = "a@example.org"
    user.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=[user], title="x", email=True)
    assert len(callbacks) == 1  # only ever sent on commit
    assert len(mail.outbox) == 0
    assert notify(users=[], title="x") == 0
    assert services.reporters_of  # imported API
