"""The lifecycle by hand: progress, closure, approval and return, bad input, roll-up, conflicts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.models import AuditEvent, Notification
from dangjian.tasks import services
from dangjian.tasks.models import ProgressAttachment, ProgressReport, Task, TaskEvent, TaskStatus

pytestmark = pytest.mark.django_db
Kind = TaskEvent.Kind


def kinds(task):
    return list(task.events.values_list("kind", flat=True))


def report(task, actor, percent=30, **kw):
    kw.setdefault("reported_on", datetime.date.today())
    kw.setdefault("text", "已召开专题会议部署")
    return services.progress_report_add(actor=actor, task=task, percent=percent, **kw)


def test_full_lifecycle(task, branch_secretary, dangzu_office, member_user):
    Notification.objects.all().delete()
    report(task, branch_secretary, 40)
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS  # not started → in progress on first report
    assert task.progress == 40
    services.task_request_closure(actor=branch_secretary, task=task, reason="已全部完成")
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSURE_REQUESTED
    # The supervising office of the issuing organization is told.
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["dangzu"]
    services.task_return(actor=dangzu_office, task=task, reason="缺少佐证材料")
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    told = set(
        Notification.objects.filter(title__contains=task.title[:10])
        .exclude(user=dangzu_office)
        .values_list("user__username", flat=True)
    )
    assert told == {"zhibu", "dangyuan"}  # secretary of the lead branch and the responsible
    report(task, member_user, 100)  # the responsible member may report
    services.task_request_closure(actor=member_user, task=task)
    services.task_approve_closure(actor=dangzu_office, task=task, reason="同意")
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    assert task.closed_at is not None and task.progress == 100
    assert kinds(task) == [
        Kind.CREATED,
        Kind.STARTED,
        Kind.CLOSURE_REQUESTED,
        Kind.RETURNED,
        Kind.CLOSURE_REQUESTED,
        Kind.CLOSED,
    ]
    returned = task.events.get(kind=Kind.RETURNED)
    assert returned.actor == dangzu_office and returned.reason == "缺少佐证材料"
    statuses = AuditEvent.objects.filter(object_type="tasks.task", object_id=str(task.pk))
    assert statuses.filter(changes__has_key="status").count() >= 5
    assert not task.is_overdue()


def test_start_then_report(task, branch_secretary):
    services.task_start(actor=branch_secretary, task=task)
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    with pytest.raises(ValidationError):
        services.task_start(actor=branch_secretary, task=task)


def test_percent_out_of_range_refused(task, branch_secretary):
    with pytest.raises(ValidationError) as exc:
        report(task, branch_secretary, 120)
    assert "percent" in exc.value.message_dict
    assert "120" in exc.value.message_dict["percent"][0]
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED and task.progress == 0
    assert not ProgressReport.objects.exists()


def test_report_in_future_or_empty_refused(task, branch_secretary):
    with pytest.raises(ValidationError) as exc:
        report(task, branch_secretary, reported_on=datetime.date.today() + datetime.timedelta(1))
    assert "reported_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        report(task, branch_secretary, text="  ")
    assert "text" in exc.value.message_dict
    assert not ProgressReport.objects.exists()


def test_upload_not_what_it_claims_refused(task, branch_secretary):
    fake = SimpleUploadedFile("总结.pdf", b"MZ\x90\x00 this is an executable")
    with pytest.raises(ValidationError) as exc:
        report(task, branch_secretary, attachments=[fake])
    assert "总结.pdf" in exc.value.message_dict["attachments"][0]
    assert not ProgressReport.objects.exists() and not ProgressAttachment.objects.exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED


def test_genuine_attachment_kept(task, branch_secretary):
    pdf = SimpleUploadedFile("总结.pdf", b"%PDF-1.4 real enough")
    r = report(task, branch_secretary, attachments=[pdf])
    attachment = r.attachments.get()
    assert attachment.name == "总结.pdf" and attachment.size == len(b"%PDF-1.4 real enough")
    assert attachment.file.name.endswith(".pdf")
    assert "总结" not in attachment.file.name  # stored under a random name


def test_return_without_reason_refused(task, branch_secretary, dangzu_office):
    services.task_request_closure(actor=branch_secretary, task=task)
    with pytest.raises(ValidationError) as exc:
        services.task_return(actor=dangzu_office, task=task, reason="   ")
    assert "reason" in exc.value.message_dict
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSURE_REQUESTED


def test_approve_needs_supervise_on_issuing_org(
    task, branch_secretary, office_staff, member_user, outsider
):
    services.task_request_closure(actor=branch_secretary, task=task)
    # office_staff supervises the committee's subtree, not the leading group that issued it.
    for actor in (branch_secretary, office_staff, member_user, outsider):
        with pytest.raises(PermissionDenied):
            services.task_approve_closure(actor=actor, task=task)
        with pytest.raises(PermissionDenied):
            services.task_return(actor=actor, task=task, reason="不行")
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSURE_REQUESTED


def test_approve_only_when_requested(task, dangzu_office):
    with pytest.raises(ValidationError):
        services.task_approve_closure(actor=dangzu_office, task=task)


def test_reporting_needs_scope_or_being_responsible(task, outsider, tree):
    with pytest.raises(PermissionDenied):
        report(task, outsider)
    with pytest.raises(PermissionDenied):
        services.task_request_closure(actor=outsider, task=task)
    assert not ProgressReport.objects.exists()


def test_no_report_on_closed_or_requested(task, branch_secretary, dangzu_office):
    services.task_request_closure(actor=branch_secretary, task=task)
    with pytest.raises(ValidationError):
        report(task, branch_secretary)
    services.task_approve_closure(actor=dangzu_office, task=task)
    with pytest.raises(ValidationError):
        report(task, branch_secretary)
    with pytest.raises(ValidationError):
        services.task_update(actor=dangzu_office, task=task, title="改")


def test_overdue_is_derived(task, today):
    assert not task.is_overdue(today)
    later = task.deadline + datetime.timedelta(days=1)
    assert task.is_overdue(later)
    assert list(Task.objects.overdue(later)) == [task]
    assert list(Task.objects.overdue(today)) == []


def test_roll_up_weighted(make_task, branch_secretary, dangzu_office, tree):
    parent = make_task(title="总任务")
    a = make_task(title="子任务甲", parent=parent, weight=3)
    b = make_task(title="子任务乙", parent=parent, weight=1)
    report(a, branch_secretary, 40)
    parent.refresh_from_db()
    assert parent.progress == 30  # (40*3 + 0*1) / 4
    report(b, branch_secretary, 100)
    parent.refresh_from_db()
    assert parent.progress == 55  # (120 + 100) / 4
    services.task_update(actor=dangzu_office, task=b, version=b.version, weight=5)
    parent.refresh_from_db()
    assert parent.progress == round((40 * 3 + 100 * 5) / 8)
    # A grandchild rolls up through its parent to the root.
    g = make_task(title="孙任务", parent=a, weight=1)
    a.refresh_from_db()
    assert a.progress == 0
    parent.refresh_from_db()
    assert parent.progress == round((0 * 3 + 100 * 5) / 8)
    report(g, branch_secretary, 80)
    a.refresh_from_db()
    parent.refresh_from_db()
    assert a.progress == 80
    assert parent.progress == round((80 * 3 + 100 * 5) / 8)
    # A parent's own report does not override the roll-up.
    report(a, branch_secretary, 10)
    a.refresh_from_db()
    assert a.progress == 80
    # Closure of the parent waits for its children.
    with pytest.raises(ValidationError):
        services.task_request_closure(actor=branch_secretary, task=parent)


def test_concurrent_edit_conflict(task, dangzu_office, office_staff):
    version = task.version
    services.task_update(actor=dangzu_office, task=task, version=version, title="第一人的标题")
    with pytest.raises(ValidationError) as exc:
        # The second save (another tab, or another office clerk) still carries the old version.
        services.task_update(actor=dangzu_office, task=task, version=version, title="第二人的标题")
    assert exc.value.code == "conflict"
    task.refresh_from_db()
    assert task.title == "第一人的标题" and task.version == version + 1


def test_update_deadline_before_creation_refused(task, dangzu_office):
    before = task.created_at.date() - datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as exc:
        services.task_update(actor=dangzu_office, task=task, version=task.version, deadline=before)
    assert "deadline" in exc.value.message_dict
    task.refresh_from_db()
    assert task.deadline != before


def test_update_needs_manage(task, branch_secretary):
    with pytest.raises(PermissionDenied):
        services.task_update(actor=branch_secretary, task=task, title="x")


def test_visibility(task, tree):
    from dangjian.access.roles import Action

    def visible(name):
        return Task.objects.restrict(tree.users[name], Action.TASK_VIEW).filter(pk=task.pk).exists()

    assert visible("dangzu_office") and visible("office_staff")
    assert visible("branch_secretary") and visible("member")
    assert not visible("outsider") and not visible("admin") and not visible("nobody")


def test_lead_organization_works_on_a_task_but_does_not_edit_it(task, branch_secretary):
    """The branch leading a task reports on it; its title and deadline stay the issuer's."""
    assert services.can_report(branch_secretary, task)
    assert not services.can_manage(branch_secretary, task)
