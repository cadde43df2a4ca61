"""A meeting's chair and recorder and a decision's responsible person are search boxes
(people:member_pick), not <select>s of every member in scope: the pages do not grow
with the membership, a picked member is saved, and a posted member the field does not
allow is refused with a message and nothing is saved."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.meetings import services
from dangjian.meetings.models import Meeting
from dangjian.people.models import Member
from dangjian.tasks.models import Task
from tests.factories import PASSWORD


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _many(tree, n=300):
    Member.objects.bulk_create(
        Member(
            organization=tree.orgs["branch"], name=f"批量党员{i:03d}", gender="male", status="full"
        )
        for i in range(n)
    )


def _meeting_data(tree, **extra):
    starts = timezone.localtime(timezone.now() - datetime.timedelta(minutes=10))
    return {
        "organization": tree.orgs["branch"].pk,
        "kind": "branch_committee",
        "title": "支部委员会会议",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "venue": "第一会议室",
        **extra,
    }


@pytest.fixture
def meeting(make_meeting, tree):
    return make_meeting(chair=tree.members["secretary"], recorder=tree.members["member"])


@pytest.fixture
def item(make_meeting):
    meeting = make_meeting(org="committee", kind="branch_assembly")
    return services.agenda_item_add(
        actor=None,
        meeting=meeting,
        kind="deliberation",
        title="部署",
        decisions=["一要落实"],
        check=False,
    )


def _task_data(tree, **extra):
    return {
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-title": "落实一",
        "tasks-0-deadline": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        "tasks-0-priority": "normal",
        "tasks-0-lead_unit": tree.units["office"].pk,
        **extra,
    }


# The meeting form


def test_meeting_form_pages_do_not_list_the_members(client, tree, dangzu_office, meeting):
    """300 members in scope: none of them on the new or the edit page, only the search boxes."""
    _many(tree)
    _login(client, dangzu_office)
    for url in (
        reverse("meetings:meeting_create"),
        reverse("meetings:meeting_update", args=[meeting.pk]),
    ):
        page = client.get(url).content.decode()
        assert 'data-testid="member-pick-chair"' in page
        assert 'data-testid="member-pick-recorder"' in page
        assert page.count("批量党员") == 0
        assert "赵预备" not in page  # a member of the branch who is neither chair nor recorder
    # The search finds them, a few at a time.
    found = client.get(reverse("people:member_pick"), {"q": "批量党员", "field": "chair"})
    assert 0 < found.content.decode().count("批量党员") <= 20


def test_edit_page_searches_only_the_meetings_organization(client, tree, office_staff, meeting):
    """A branch meeting's pickers search the branch's subtree (org=…), which the endpoint
    checks; 钱同志 of another branch is in the user's scope but not offered."""
    _login(client, office_staff)
    form = client.get(reverse("meetings:meeting_update", args=[meeting.pk])).context["form"]
    html = str(form["chair"])
    assert f"org={tree.orgs['branch'].pk}" in html
    page = client.get(
        reverse("people:member_pick"),
        {"q": "同志", "field": "chair", "org": tree.orgs["branch"].pk},
    ).content.decode()
    assert "钱同志" not in page
    # Without the narrowing the user's scope holds him.
    page = client.get(reverse("people:member_pick"), {"q": "同志", "field": "chair"})
    assert "钱同志" in page.content.decode()


def test_save_a_meeting_with_a_picked_chair_and_recorder(client, tree, dangzu_office):
    _login(client, dangzu_office)
    secretary, member = tree.members["secretary"], tree.members["member"]
    r = client.post(
        reverse("meetings:meeting_create"),
        _meeting_data(tree, chair=secretary.pk, recorder=member.pk),
    )
    assert r.status_code == 302
    meeting = Meeting.objects.get(title="支部委员会会议")
    assert (meeting.chair, meeting.recorder) == (secretary, member)


def test_out_of_scope_chair_is_refused_and_nothing_saved(client, tree, office_staff):
    _login(client, office_staff)
    far = tree.members["far"]
    r = client.post(
        reverse("meetings:meeting_create"), _meeting_data(tree, chair=far.pk, recorder=far.pk)
    )
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert errors["chair"] == [_("Choose a current member within your scope as the chair.")]
    assert errors["recorder"] == [_("Choose a current member within your scope as the recorder.")]
    assert not Meeting.objects.exists()
    assert "孙远方" not in r.content.decode()


def test_edit_refuses_a_chair_outside_the_meetings_organization(
    client, tree, office_staff, meeting
):
    """钱同志 is in the office's member scope (the picker could offer him without the
    narrowing) but not a member of the branch: refused, nothing saved."""
    _login(client, office_staff)
    url = reverse("meetings:meeting_update", args=[meeting.pk])
    data = _meeting_data(tree, chair=tree.members["other"].pk, version=meeting.version)
    data.pop("organization")
    data["title"] = "改了标题"
    r = client.post(url, data)
    assert r.status_code == 200
    assert r.context["form"].errors["chair"] == [
        _("Choose a current member of the meeting's organization as the chair.")
    ]
    meeting.refresh_from_db()
    assert meeting.title == "支部委员会会议" and meeting.chair == tree.members["secretary"]


def test_edit_without_touching_the_pickers_keeps_chair_and_recorder(
    client, tree, dangzu_office, meeting
):
    _login(client, dangzu_office)
    url = reverse("meetings:meeting_update", args=[meeting.pk])
    response = client.get(url)
    page = response.content.decode()
    for field, person in (("chair", "secretary"), ("recorder", "member")):
        current = tree.members[person]
        assert f'<option value="{current.pk}" selected>{current.name}（' in page, field
    form = response.context["form"]
    # What a browser without JavaScript posts back: every field as rendered.
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["starts_at"] = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    data["title"] = "改了标题"
    r = client.post(url, data)
    assert r.status_code == 302, r.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.title == "改了标题"
    assert (meeting.chair, meeting.recorder) == (tree.members["secretary"], tree.members["member"])


# A decision turned into tasks


def test_decision_tasks_page_does_not_list_the_members(client, tree, office_staff, item):
    _many(tree)
    _login(client, office_staff)
    url = reverse("meetings:decision_tasks", args=[item.pk, 0])
    page = client.get(url).content.decode()
    assert 'data-testid="member-pick-tasks-0-responsible"' in page
    # The empty row the "another task" button clones has its search box too.
    assert 'data-testid="member-pick-tasks-__prefix__-responsible"' in page
    assert page.count("批量党员") == 0
    assert "李书记" not in page
    # The search, narrowed to the meeting's organization, finds them a few at a time.
    org = item.meeting.organization_id
    assert f"org={org}" in page
    found = client.get(
        reverse("people:member_pick"),
        {"q": "批量党员", "field": "tasks-0-responsible", "org": org},
    )
    assert 0 < found.content.decode().count("批量党员") <= 20


def test_decision_task_with_a_picked_responsible_person(client, tree, office_staff, item):
    _login(client, office_staff)
    secretary = tree.members["secretary"]
    url = reverse("meetings:decision_tasks", args=[item.pk, 0])
    r = client.post(url, _task_data(tree, **{"tasks-0-responsible": secretary.pk}))
    assert r.status_code == 302, r.context["formset"].non_form_errors()
    assert Task.objects.get(origin_agenda_item=item).responsible == secretary


def test_decision_task_refuses_a_responsible_person_outside_the_meeting(
    client, tree, office_staff, make_meeting
):
    """A branch meeting's decision: 钱同志 (another branch, in the office's scope) is refused."""
    _login(client, office_staff)
    item = services.agenda_item_add(
        actor=None,
        meeting=make_meeting(),
        kind="deliberation",
        title="部署",
        decisions=["一要落实"],
        check=False,
    )
    url = reverse("meetings:decision_tasks", args=[item.pk, 0])
    r = client.post(url, _task_data(tree, **{"tasks-0-responsible": tree.members["other"].pk}))
    assert r.status_code == 200
    errors = r.context["formset"].forms[0].errors["responsible"]
    assert errors == [
        _("Choose a current member of the meeting's organization as the responsible person.")
    ]
    assert not Task.objects.exists()
    assert "钱同志" not in r.content.decode()
