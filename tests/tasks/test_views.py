"""The pages: board, list with filters, detail timeline, forms, overview, notifications."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core.models import Notification
from dangjian.tasks import services
from dangjian.tasks.models import ProgressReport, Task, TaskStatus
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _tiny_png() -> bytes:
    """A real picture: attachments that claim to be images are decoded and re-encoded."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def many_tasks(make_task, tree, today, branch_secretary, dangzu_office):
    def build(n):
        made = []
        for i in range(n):
            t = make_task(
                title=f"任务{i:03d}",
                deadline=today + datetime.timedelta(days=i % 7),
                lead_unit=tree.units["office" if i % 2 else "publicity"],
                lead_organization=tree.orgs["branch" if i % 2 else "other_branch"],
                responsible=tree.members["member"] if i % 2 else None,
            )
            if i % 3 == 0:
                services.progress_report_add(
                    actor=dangzu_office, task=t, reported_on=today, text="进展", percent=50
                )
            made.append(t)
        # Some overdue tasks: deadlines moved into the past directly (created earlier).
        Task.objects.filter(pk__in=[t.pk for t in made[:2]]).update(
            deadline=today - datetime.timedelta(days=3)
        )
        return made

    return build


@pytest.mark.parametrize("url_name", ["tasks:task_board", "tasks:task_list", "tasks:overview"])
def test_query_counts_do_not_grow(
    url_name, client, dangzu_office, many_tasks, django_assert_max_num_queries
):
    login(client, dangzu_office)
    many_tasks(4)
    url = reverse(url_name)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    few = len(small.captured_queries)
    many_tasks(30)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.status_code == 200


def test_board_columns(client, dangzu_office, many_tasks, branch_secretary):
    tasks = many_tasks(6)
    services.task_request_closure(actor=branch_secretary, task=tasks[1])
    login(client, dangzu_office)
    response = client.get(reverse("tasks:task_board"))
    columns = {c["status"]: c for c in response.context["columns"]}
    assert columns["closure_requested"]["count"] == 1
    assert columns["in_progress"]["count"] == 2  # tasks 0 and 3 got a report
    assert sum(c["count"] for c in columns.values()) == 6
    html = response.content.decode()
    assert 'data-testid="overdue-badge"' in html


def test_list_filters(client, dangzu_office, many_tasks, tree, today):
    many_tasks(8)
    login(client, dangzu_office)
    url = reverse("tasks:task_list")

    def titles(**params):
        r = client.get(url, params)
        assert r.status_code == 200
        return sorted(t.title for t in r.context["object_list"])

    assert len(titles()) == 8
    assert titles(overdue="yes") == ["任务000", "任务001"]
    assert len(titles(overdue="no")) == 6
    assert titles(lead_unit=tree.units["office"].pk) == ["任务001", "任务003", "任务005", "任务007"]
    assert titles(lead_organization=tree.orgs["other_branch"].pk) == [
        "任务000",
        "任务002",
        "任务004",
        "任务006",
    ]
    assert titles(status="in_progress") == ["任务000", "任务003", "任务006"]
    assert titles(q="任务00") == titles()
    assert titles(q="任务007") == ["任务007"]
    day = (today + datetime.timedelta(days=5)).isoformat()
    assert titles(deadline_from=day, deadline_to=day) == ["任务005"]


def test_list_filter_origin_meeting(client, dangzu_office, make_task, tree):
    from dangjian.meetings.models import Meeting

    fields = {f.name for f in Meeting._meta.get_fields()}
    assert "organization" in fields
    login(client, dangzu_office)
    make_task(title="无来源")
    r = client.get(reverse("tasks:task_list"), {"origin_meeting": 999999})
    assert list(r.context["object_list"]) == []


def test_outsider_sees_empty_board_and_404_on_task(client, outsider, task):
    login(client, outsider)
    r = client.get(reverse("tasks:task_board"))
    assert sum(c["count"] for c in r.context["columns"]) == 0
    assert client.get(task.get_absolute_url()).status_code == 404


def test_detail_timeline_merges_events_and_reports(client, branch_secretary, task, today):
    services.progress_report_add(
        actor=branch_secretary,
        task=task,
        reported_on=today,
        text="第一次进展",
        percent=20,
        attachments=[SimpleUploadedFile("照片.png", _tiny_png())],
    )
    services.task_request_closure(actor=branch_secretary, task=task, reason="完成")
    login(client, branch_secretary)
    r = client.get(task.get_absolute_url())
    kinds = [e["kind"] for e in r.context["timeline"]]
    # Newest first: closure requested, started (by the report), the report, created.
    assert kinds == ["event", "event", "report", "event"]
    html = r.content.decode()
    assert "第一次进展" in html and "照片.png" in html
    attachment = ProgressReport.objects.get().attachments.get()
    download = client.get(reverse("tasks:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_create_form_refuses_past_deadline(client, dangzu_office, tree, today):
    login(client, dangzu_office)
    data = {
        "title": "新的任务",
        "organization": tree.orgs["root"].pk,
        "deadline": (today - datetime.timedelta(days=1)).isoformat(),
        "priority": "normal",
        "weight": 1,
        "lead_organization": tree.orgs["branch"].pk,
    }
    r = client.post(reverse("tasks:task_create"), data)
    assert r.status_code == 200
    assert "deadline" in r.context["form"].errors
    assert not Task.objects.exists()
    data["deadline"] = today.isoformat()
    r = client.post(reverse("tasks:task_create"), data)
    assert r.status_code == 302
    assert Task.objects.get().title == "新的任务"


def test_create_form_pickers_are_scoped(client, office_staff, tree):
    login(client, office_staff)
    form = client.get(reverse("tasks:task_create")).context["form"]
    orgs = set(form.fields["organization"].queryset)
    assert tree.orgs["committee"] in orgs and tree.orgs["root"] not in orgs
    assert tree.orgs["other_root"] not in set(form.fields["lead_organization"].queryset)
    members = set(form.fields["responsible"].queryset)
    assert tree.members["member"] in members and tree.members["far"] not in members


def test_edit_conflict_keeps_input(client, dangzu_office, office_staff, task):
    stale = task.version
    services.task_update(actor=dangzu_office, task=task, version=stale, title="别人先改了")
    login(client, dangzu_office)
    r = client.post(
        reverse("tasks:task_update", args=[task.pk]),
        {
            "title": "我的修改",
            "deadline": task.deadline.isoformat(),
            "priority": "high",
            "weight": 1,
            "version": stale,
        },
    )
    assert r.status_code == 200
    assert "Reload" in r.content.decode() or "重新" in r.content.decode()
    assert r.context["form"]["title"].value() == "我的修改"
    task.refresh_from_db()
    assert task.title == "别人先改了"


def test_progress_form_bad_percent_and_fake_upload(client, branch_secretary, task, today):
    login(client, branch_secretary)
    url = reverse("tasks:progress_create", args=[task.pk])
    r = client.post(url, {"reported_on": today.isoformat(), "percent": 120, "text": "x"})
    assert r.status_code == 200 and "percent" in r.context["form"].errors
    fake = SimpleUploadedFile("报告.docx", b"not a zip at all")
    r = client.post(
        url, {"reported_on": today.isoformat(), "percent": 50, "text": "x", "attachments": fake}
    )
    assert r.status_code == 200 and "attachments" in r.context["form"].errors
    assert not ProgressReport.objects.exists()


def test_return_form_needs_reason(client, dangzu_office, branch_secretary, task):
    services.task_request_closure(actor=branch_secretary, task=task)
    login(client, dangzu_office)
    r = client.post(reverse("tasks:closure_return", args=[task.pk]), {"reason": ""})
    assert r.status_code == 200 and "reason" in r.context["form"].errors
    r = client.post(reverse("tasks:closure_return", args=[task.pk]), {"reason": "材料不全"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_overview_counts_and_ranking(client, dangzu_office, many_tasks):
    many_tasks(6)
    login(client, dangzu_office)
    r = client.get(reverse("tasks:overview"))
    assert r.context["totals"]["total"] == 6
    assert r.context["totals"]["overdue"] == 2
    ranking = r.context["ranking"]
    assert [(u["lead"], u["overdue"]) for u in ranking] == [("办公厅", 1), ("宣传司", 1)]
    assert 'id="task-chart-data"' in r.content.decode()


def test_notifications_list_and_read(client, member_user, task):
    login(client, member_user)
    r = client.get(reverse("tasks:notification_list"))
    assert r.context["unread"] == 1
    n = Notification.objects.get(user=member_user)
    r = client.post(reverse("tasks:notification_read", args=[n.pk]))
    assert r.status_code == 302 and r["Location"] == task.get_absolute_url()
    n.refresh_from_db()
    assert n.read_at is not None
    other = Notification.objects.exclude(user=member_user).first()
    assert client.post(reverse("tasks:notification_read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_board_start_button_by_htmx(client, branch_secretary, task):
    login(client, branch_secretary)
    board = client.get(reverse("tasks:task_board"))
    assert 'data-testid="card-start"' in board.content.decode()
    r = client.post(
        reverse("tasks:task_start", args=[task.pk]),
        {"next": reverse("tasks:task_board")},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 204 and r["HX-Redirect"] == reverse("tasks:task_board")
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_board_has_no_start_button_for_viewers_only(client, tree, make_task, today):
    from tests.factories import make_user

    make_task()
    viewer = make_user("viewer", role="member", organization=tree.orgs["branch"])
    login(client, viewer)
    board = client.get(reverse("tasks:task_board"))
    assert sum(c["count"] for c in board.context["columns"]) == 1
    assert 'data-testid="card-start"' not in board.content.decode()


def test_unread_count_context_processor(rf, member_user, task):
    from dangjian.tasks.context_processors import notifications

    request = rf.get("/")
    request.user = member_user
    count = notifications(request)["unread_notifications"]
    assert count() == 1
    from django.template import Context, Template

    assert Template("{{ n }}").render(Context({"n": count})) == "1"


def test_overview_links_the_ledger(client, dangzu_office, task):
    login(client, dangzu_office)
    html = client.get(reverse("tasks:overview")).content.decode()
    assert reverse("reports:task_ledger") in html


def test_detail_query_count_does_not_grow_with_reports(
    client, branch_secretary, task, today, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            services.progress_report_add(
                actor=branch_secretary,
                task=task,
                reported_on=today,
                text=f"进展{i}",
                percent=i,
                attachments=[SimpleUploadedFile(f"图{i}.png", _tiny_png())],
            )

    login(client, branch_secretary)
    add(1)
    with django_assert_max_num_queries(40) as first:
        assert client.get(task.get_absolute_url()).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(task.get_absolute_url())
    assert len(response.context["timeline"]) == 9 + 2  # reports, created, started


def test_board_and_list_show_a_task_led_by_a_unit_only(client, tree, dangzu_office):
    """A task addressed to a unit (no lead organization) renders on the board and the list."""
    import datetime

    from django.utils import timezone

    services.task_create(
        actor=None,
        check=False,
        title="仅有牵头单位的任务",
        organization=tree.orgs["root"],
        lead_unit=tree.units["office"],
        deadline=timezone.localdate() + datetime.timedelta(days=3),
    )
    login(client, dangzu_office)
    for name in ("tasks:task_board", "tasks:task_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "仅有牵头单位的任务" in response.content.decode()
