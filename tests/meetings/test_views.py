"""Meeting pages: list and detail query counts, forms that keep input, attendance form."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings import services
from dangjian.meetings.models import Attendance, Meeting
from tests.factories import PASSWORD


@pytest.fixture
def secretary_client(client, tree):
    assert client.login(username="zhibu", password=PASSWORD)
    return client


def test_list_filters_search_and_empty_state(make_meeting, secretary_client, tree):
    make_meeting(title="十二月支委会")
    make_meeting(title="主题党日活动", kind="themed_party_day")
    url = reverse("meetings:meeting_list")
    response = secretary_client.get(url, {"q": "主题"})
    assert [m.title for m in response.context["object_list"]] == ["主题党日活动"]
    response = secretary_client.get(url, {"kind": "branch_committee"})
    assert [m.title for m in response.context["object_list"]] == ["十二月支委会"]
    response = secretary_client.get(url, {"q": "没有这个"})
    assert b'data-testid="meeting-empty"' in response.content


def test_list_and_detail_queries_do_not_grow(
    make_meeting, secretary_client, tree, topic, django_assert_max_num_queries
):
    def fill():
        meeting = make_meeting()
        item = services.agenda_item_add(
            actor=None,
            meeting=meeting,
            kind="study",
            title="学习",
            topics=[topic],
            decisions=["一要"],
            check=False,
        )
        services.agenda_item_add(
            actor=None, meeting=meeting, kind="other", title="其他", check=False
        )
        return meeting, item

    meeting, _item = fill()
    list_url = reverse("meetings:meeting_list")
    detail_url = reverse("meetings:meeting_detail", args=[meeting.pk])
    with django_assert_max_num_queries(10) as small_list:
        secretary_client.get(list_url)
    with django_assert_max_num_queries(16) as small_detail:
        secretary_client.get(detail_url)
    for _ in range(6):
        fill()
    for i in range(5):
        services.agenda_item_add(
            actor=None,
            meeting=meeting,
            kind="study",
            title=f"学习{i}",
            topics=[topic],
            check=False,
        )
    with django_assert_max_num_queries(len(small_list.captured_queries)):
        assert secretary_client.get(list_url).status_code == 200
    with django_assert_max_num_queries(len(small_detail.captured_queries)):
        response = secretary_client.get(detail_url)
    assert response.status_code == 200
    assert b'data-testid="signin-qr"' in response.content


def test_stale_edit_keeps_the_input_and_says_so(make_meeting, secretary_client, tree):
    meeting = make_meeting()
    url = reverse("meetings:meeting_update", args=[meeting.pk])
    data = {
        "kind": "branch_committee",
        "title": "我的标题",
        "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "venue": "我的会议室",
        "version": meeting.version,
    }
    services.meeting_update(actor=None, meeting=meeting, venue="别人的会议室", check=False)
    response = secretary_client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()
    assert form["venue"].value() == "我的会议室"
    assert Meeting.objects.get(pk=meeting.pk).venue == "别人的会议室"


def test_create_form_offers_only_organizations_in_scope(secretary_client, tree):
    response = secretary_client.get(reverse("meetings:meeting_create"))
    orgs = set(response.context["form"].fields["organization"].queryset)
    assert orgs == {tree.orgs["branch"], tree.orgs["group"]}
    chairs = set(response.context["form"].fields["chair"].queryset.values_list("name", flat=True))
    assert "钱同志" not in chairs and "李书记" in chairs


def test_attendance_form_refuses_a_member_twice(make_meeting, secretary_client, tree):
    meeting = make_meeting()
    member = tree.members["member"]
    rows = list(meeting.attendances.order_by("member__name"))
    data = {
        "attendance-TOTAL_FORMS": str(len(rows) + 1),
        "attendance-INITIAL_FORMS": str(len(rows)),
        "attendance-MIN_NUM_FORMS": "0",
        "attendance-MAX_NUM_FORMS": "500",
    }
    for i, a in enumerate(rows):
        data |= {f"attendance-{i}-member": a.member_id, f"attendance-{i}-status": "present"}
    n = len(rows)
    data |= {f"attendance-{n}-member": member.pk, f"attendance-{n}-status": "absent"}
    url = reverse("meetings:attendance_update", args=[meeting.pk])
    response = secretary_client.post(url, data)
    assert response.status_code == 200
    assert b'data-testid="attendance-errors"' in response.content
    assert set(meeting.attendances.values_list("status", flat=True)) == {"expected"}
    data[f"attendance-{n}-member"] = ""
    response = secretary_client.post(url, data)
    assert response.status_code == 302
    assert set(meeting.attendances.values_list("status", flat=True)) == {"present"}


def test_attendance_form_for_a_future_meeting_shows_the_error(make_meeting, secretary_client):
    meeting = make_meeting(starts_at=timezone.now() + datetime.timedelta(days=3))
    rows = list(meeting.attendances.all())
    data = {
        "attendance-TOTAL_FORMS": str(len(rows)),
        "attendance-INITIAL_FORMS": str(len(rows)),
    }
    for i, a in enumerate(rows):
        data |= {f"attendance-{i}-member": a.member_id, f"attendance-{i}-status": "present"}
    response = secretary_client.post(reverse("meetings:attendance_update", args=[meeting.pk]), data)
    assert b'data-testid="attendance-errors"' in response.content
    assert not Attendance.objects.filter(meeting=meeting, status="present").exists()


def test_first_agenda_warning_in_form_and_badge(tree, client, topic):
    assert client.login(username="dangzu", password=PASSWORD)
    meeting = services.meeting_create(
        actor=None,
        organization=tree.orgs["root"],
        kind="leading_group_meeting",
        title="党组会议",
        starts_at=timezone.now(),
        check=False,
    )
    url = reverse("meetings:agenda_create", args=[meeting.pk])
    response = client.post(
        url, {"kind": "deliberation", "title": "研究人事", "version": meeting.version}
    )
    assert response.status_code == 302  # a warning, not an error
    detail = client.get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    assert b'data-testid="first-agenda-badge"' in detail.content
    response = client.post(
        url,
        {"kind": "study", "title": "传达学习", "topics": [topic.pk], "version": meeting.version},
    )
    item = meeting.agenda_items.get(title="传达学习")
    services.agenda_reorder(
        actor=None,
        meeting=meeting,
        item_ids=[item.pk, meeting.agenda_items.get(title="研究人事").pk],
        check=False,
    )
    detail = client.get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    assert b'data-testid="first-agenda-badge"' not in detail.content
    assert topic.title.encode() in detail.content


def test_decision_tasks_form_creates_tasks(make_meeting, tree, client):
    from dangjian.tasks.models import Task

    assert client.login(username="jiguan", password=PASSWORD)
    meeting = make_meeting(org="committee", kind="branch_assembly")
    item = services.agenda_item_add(
        actor=None,
        meeting=meeting,
        kind="deliberation",
        title="部署",
        decisions=["一要落实"],
        check=False,
    )
    url = reverse("meetings:decision_tasks", args=[item.pk, 0])
    assert client.get(url).status_code == 200
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    data = {
        "tasks-TOTAL_FORMS": "2",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-title": "落实一",
        "tasks-0-deadline": deadline,
        "tasks-0-lead_unit": tree.units["office"].pk,
        "tasks-0-priority": "normal",
        "tasks-1-title": "落实二",
        "tasks-1-deadline": deadline,
        "tasks-1-lead_organization": tree.orgs["branch"].pk,
        "tasks-1-priority": "high",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert sorted(Task.objects.filter(origin_agenda_item=item).values_list("title", flat=True)) == [
        "落实一",
        "落实二",
    ]
    assert client.get(reverse("meetings:decision_tasks", args=[item.pk, 3])).status_code == 404


def test_move_an_agenda_item_up(make_meeting, secretary_client):
    meeting = make_meeting()
    services.agenda_item_add(actor=None, meeting=meeting, kind="other", title="甲", check=False)
    second = services.agenda_item_add(
        actor=None, meeting=meeting, kind="study", title="乙", check=False
    )
    url = reverse("meetings:agenda_move", args=[second.pk])
    assert secretary_client.post(url, {"direction": "up"}).status_code == 302
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["乙", "甲"]
    secretary_client.post(url, {"direction": "up"})  # already first: nothing changes
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["乙", "甲"]
