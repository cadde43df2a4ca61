"""The meetings API: scope, nested agenda and attendance, the same services as the pages."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.access.models import User
from dangjian.meetings.models import Meeting

pytestmark = pytest.mark.urls("tests.meetings.api_urls")
URL = "/api-test/meetings/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def test_scope_of_the_list_and_detail(make_meeting, branch_secretary, outsider, tree):
    meeting = make_meeting()
    make_meeting(org="other_branch", title="宣传司会议")
    body = client_for(branch_secretary).get(URL).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["title"] for r in rows] == ["支部委员会会议"]
    detail = client_for(branch_secretary).get(f"{URL}{meeting.pk}/").json()
    assert {a["member_name"] for a in detail["attendances"]} == {"李书记", "王党员", "赵预备"}
    assert client_for(outsider).get(f"{URL}{meeting.pk}/").status_code == 404


def test_create_attendance_agenda_and_conflict(tree, branch_secretary, member_user):
    api = client_for(branch_secretary)
    starts = (timezone.now() - datetime.timedelta(minutes=20)).isoformat()
    response = api.post(
        URL,
        {
            "organization": tree.orgs["branch"].pk,
            "kind": "branch_committee",
            "title": "API会议",
            "starts_at": starts,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    meeting = response.json()
    pk, version = meeting["id"], meeting["version"]
    member = tree.members["member"].pk
    twice = {"entries": [{"member": member, "status": "present"}] * 2}
    assert api.post(f"{URL}{pk}/attendance/", twice, format="json").status_code == 400
    once = {"entries": [{"member": member, "status": "present"}], "version": version}
    response = api.post(f"{URL}{pk}/attendance/", once, format="json")
    assert response.status_code == 200
    assert {a["member_name"]: a["status"] for a in response.json()["attendances"]}["王党员"] == (
        "present"
    )
    stale = api.patch(f"{URL}{pk}/", {"venue": "x", "version": version}, format="json")
    assert stale.status_code == 409
    item = api.post(f"{URL}{pk}/agenda/", {"kind": "other", "title": "议程一"}, format="json")
    assert item.status_code == 201
    assert client_for(member_user).post(f"{URL}{pk}/held/").status_code == 403
    assert api.post(f"{URL}{pk}/held/").status_code == 200
    assert Meeting.objects.get(pk=pk).status == "held"


def test_agenda_topics_keep_their_order_and_an_unknown_one_is_refused(
    make_meeting, tree, branch_secretary
):
    """Topics come back in the order given; an id nobody can see is a 400 in words."""
    from django.utils import translation

    from dangjian.study.models import Topic

    meeting = make_meeting()
    older = Topic.objects.create(
        kind="speech", title="较早的讲话", given_on=datetime.date(2024, 1, 1)
    )
    newer = Topic.objects.create(
        kind="speech", title="较新的讲话", given_on=datetime.date(2024, 3, 1)
    )
    api = client_for(branch_secretary)
    body = {"kind": "study", "title": "传达学习", "topics": [newer.pk, older.pk]}
    response = api.post(f"{URL}{meeting.pk}/agenda/", body, format="json")
    assert response.status_code == 201, response.content
    item = meeting.agenda_items.get(title="传达学习")
    assert [t.pk for t in item.topics.order_by("agendaitemtopic__order")] == [newer.pk, older.pk]
    body = {"kind": "study", "title": "再学习", "topics": [older.pk + newer.pk + 1000]}
    with translation.override("zh-hans"):
        refused = api.post(
            f"{URL}{meeting.pk}/agenda/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert refused.status_code == 400
    assert "所选学习议题不在议题库中" in refused.content.decode()
