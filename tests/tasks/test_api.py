"""The tasks API: scope, filters, services behind every write."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from dangjian.access.models import User
from dangjian.tasks.models import Task, TaskStatus

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.tasks.urls")]
TASKS = "/api/tasks/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def test_list_scope_and_filters(task, make_task, tree, today, outsider, dangzu_office):
    make_task(title="另一项", lead_organization=tree.orgs["other_branch"])
    body = client_for(dangzu_office).get(TASKS).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) == 2
    body = client_for(dangzu_office).get(TASKS, {"lead_organization": tree.orgs["branch"].pk})
    rows = body.json()["results"] if isinstance(body.json(), dict) else body.json()
    assert [r["title"] for r in rows] == [task.title]
    assert rows[0]["is_overdue"] is False
    out = client_for(outsider).get(TASKS).json()
    assert (out["results"] if isinstance(out, dict) else out) == [
        r for r in (out["results"] if isinstance(out, dict) else out) if r["title"] == "另一项"
    ]
    assert client_for(outsider).get(f"{TASKS}{task.pk}/").status_code == 404


def test_create_and_bad_deadline(dangzu_office, tree, today):
    api = client_for(dangzu_office)
    data = {
        "title": "接口任务",
        "organization": tree.orgs["root"].pk,
        "deadline": (today - datetime.timedelta(days=1)).isoformat(),
        "lead_organization": tree.orgs["branch"].pk,
    }
    r = api.post(TASKS, data, format="json")
    assert r.status_code == 400 and "deadline" in r.json()["fields"]
    data["deadline"] = today.isoformat()
    r = api.post(TASKS, data, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["events"][0]["kind"] == "created"


def test_progress_and_closure_actions(task, branch_secretary, dangzu_office, today):
    api = client_for(branch_secretary)
    url = f"{TASKS}{task.pk}/"
    r = api.post(f"{url}progress/", {"reported_on": today, "text": "进展", "percent": 120})
    assert r.status_code == 400 and "percent" in r.json()["fields"]
    pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 ok")
    r = api.post(
        f"{url}progress/",
        {"reported_on": today.isoformat(), "text": "进展", "percent": 60, "attachments": [pdf]},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    assert r.json()["attachments"][0]["name"] == "材料.pdf"
    assert api.post(f"{url}approve-closure/", {}, format="json").status_code == 403
    assert api.post(f"{url}request-closure/", {"reason": "完成"}, format="json").status_code == 200
    sup = client_for(dangzu_office)
    r = sup.post(f"{url}return/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    api.post(f"{url}request-closure/", {}, format="json")
    r = sup.post(f"{url}approve-closure/", {"reason": "同意"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == TaskStatus.CLOSED


def test_stale_version_is_409(task, dangzu_office, office_staff):
    url = f"{TASKS}{task.pk}/"
    assert (
        client_for(dangzu_office)
        .patch(url, {"title": "甲", "version": task.version}, format="json")
        .status_code
        == 200
    )
    r = client_for(dangzu_office).patch(
        url, {"title": "乙", "version": task.version}, format="json"
    )
    assert r.status_code == 409
    assert Task.objects.get(pk=task.pk).title == "甲"


def test_schema_of_the_tasks_api_has_no_warnings(tmp_path):
    import json

    from django.core.management import call_command

    target = tmp_path / "openapi.json"
    call_command(
        "spectacular",
        "--fail-on-warn",
        "--urlconf",
        "tests.tasks.urls",
        "--format",
        "openapi-json",
        "--file",
        target,
    )
    paths = json.loads(target.read_text())["paths"]
    for path in ("/api/tasks/", "/api/tasks/{id}/progress/", "/api/tasks/{id}/approve-closure/"):
        assert path in paths
