"""The topic API: same services, same scope, structured errors."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.study.models import Topic
from tests.study.conftest import make_topic

pytestmark = pytest.mark.urls("tests.study.api_urls")
BASE = "/api-test/topics/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_search_and_retrieve(tree):
    make_topic("习近平总书记在文艺工作座谈会上的重要讲话", text="以人民为中心", tags=["广电"])
    make_topic("全会精神", kind="conference")
    client = api(tree.users["member"])
    body = client.get(BASE, {"q": "人民 中心"}).json()
    assert [t["title"] for t in body["results"]] == ["习近平总书记在文艺工作座谈会上的重要讲话"]
    assert body["results"][0]["tags"] == ["广电"]
    assert "search_text" not in body["results"][0]
    pk = body["results"][0]["id"]
    detail = client.get(f"{BASE}{pk}/").json()
    assert detail["text"] == "以人民为中心" and detail["attachments"] == []
    assert client.get(BASE, {"kind": "conference"}).json()["count"] == 1
    assert client.get(BASE, {"given_from": "not-a-date"}).status_code == 400


def test_readers_without_meeting_rights_are_refused(tree):
    make_topic()
    assert api(tree.users["admin"]).get(BASE).status_code == 403
    assert APIClient().get(BASE).status_code == 401


def test_create_update_and_conflict(tree):
    client = api(tree.users["office_staff"])
    response = client.post(
        BASE,
        {"kind": "speech", "title": "新讲话", "given_on": "2026-11-01", "tags": ["广电"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = client.patch(f"{BASE}{pk}/", {"source": "人民日报", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = client.patch(f"{BASE}{pk}/", {"source": "新华社", "version": 1}, format="json")
    assert stale.status_code == 409
    assert Topic.objects.get(pk=pk).source == "人民日报"


def test_bad_input_is_refused_with_fields(tree):
    client = api(tree.users["office_staff"])
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        BASE, {"kind": "speech", "title": "未来", "given_on": future}, format="json"
    )
    assert response.status_code == 400
    assert "given_on" in response.json()["fields"]
    assert not Topic.objects.exists()


def test_writers_need_library_rights(tree):
    topic = make_topic()
    client = api(tree.users["branch_secretary"])
    assert client.post(BASE, {}, format="json").status_code == 403
    response = client.patch(f"{BASE}{topic.pk}/", {"title": "x", "version": 1}, format="json")
    assert response.status_code == 403


def test_schema_describes_the_topic_api_without_warnings(tmp_path, settings):
    """Run with this test's urlconf: the viewset documents every operation."""
    import json

    from django.core.management import call_command

    settings.ROOT_URLCONF = "tests.study.api_urls"
    target = tmp_path / "openapi.json"
    call_command("spectacular", "--fail-on-warn", "--format", "openapi-json", "--file", target)
    paths = json.loads(target.read_text())["paths"]
    assert {"get", "post"} <= set(paths["/api-test/topics/"])
    assert {"get", "patch"} <= set(paths["/api-test/topics/{id}/"])
