"""Implementation tasks, the supervision overview and notifications.

The task every case opens is issued by the leading group (root) and led by
the branch, with the ``member`` persona's member as responsible person.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.test_url_matrix import Case, S

VIEWERS = S("office_staff", "dangzu_office", "branch_secretary", "member")
ANY_TASK_ROLE = VIEWERS | S("outsider")
MANAGERS = S("office_staff", "dangzu_office")
REPORTERS = S("office_staff", "dangzu_office", "branch_secretary", "member")
SUPERVISORS = S("dangzu_office")  # TASK_SUPERVISE on the issuing organization (root)
LOGGED_IN = S(
    "admin",
    "office_staff",
    "dangzu_office",
    "branch_secretary",
    "member",
    "outsider",
    "security_admin",
    "auditor",
    "nobody",
)


def _task(tree, name="branch"):
    from dangjian.tasks import services
    from dangjian.tasks.models import Task

    existing = Task.objects.filter(title="矩阵测试任务").first()
    if existing:
        return existing
    return services.task_create(
        actor=None,
        check=False,
        title="矩阵测试任务",
        organization=tree.orgs["root"],
        lead_organization=tree.orgs["branch"],
        lead_unit=tree.units["office"],
        responsible=tree.members["member"],
        deadline=timezone.localdate() + datetime.timedelta(days=10),
    )


def _task_pk(tree, name):
    return _task(tree, name).pk


def _attachment(tree, name):
    from dangjian.tasks import services
    from dangjian.tasks.models import ProgressAttachment

    task = _task(tree)
    found = ProgressAttachment.objects.filter(report__task=task).first()
    if found:
        return found.pk
    services.progress_report_add(
        actor=None,
        check=False,
        task=task,
        reported_on=timezone.localdate(),
        text="已部署",
        percent=10,
        attachments=[SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test")],
    )
    return ProgressAttachment.objects.get(report__task=task).pk


def _notification(tree, name):
    from dangjian.core.models import Notification

    return Notification.objects.create(user=tree.users[name], title="提醒", url="/tasks/").pk


RESOLVERS = {"task": _task_pk, "attachment": _attachment, "notification": _notification}

T = {"pk": "task:branch"}
CASES = {
    "tasks:task_board": Case(ANY_TASK_ROLE),
    "tasks:task_list": Case(ANY_TASK_ROLE),
    "tasks:task_create": Case(MANAGERS | S("branch_secretary", "outsider")),
    "tasks:overview": Case(S("office_staff", "dangzu_office")),
    "tasks:task_detail": Case(VIEWERS, T),
    "tasks:task_update": Case(S("dangzu_office"), T),  # only the issuer edits
    "tasks:task_start": Case(REPORTERS, T, method="post"),
    "tasks:progress_create": Case(REPORTERS, T),
    "tasks:closure_request": Case(REPORTERS, T),
    "tasks:closure_approve": Case(SUPERVISORS, T),
    "tasks:closure_return": Case(SUPERVISORS, T),
    "tasks:attachment_download": Case(VIEWERS, {"pk": "attachment:branch"}),
    "tasks:notification_list": Case(LOGGED_IN),
    "tasks:notification_read": Case(S("member"), {"pk": "notification:member"}, method="post"),
}
