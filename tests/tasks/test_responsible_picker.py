"""The task form's responsible person is a search box (people:member_pick), not a
<select> of every member in scope: the page does not grow with the membership, and
a posted member outside the scope is refused."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.people.models import Member
from dangjian.tasks.models import Task
from tests.factories import PASSWORD


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _data(tree, today, **extra):
    return {
        "title": "新的任务",
        "organization": tree.orgs["root"].pk,
        "deadline": (today + datetime.timedelta(days=10)).isoformat(),
        "priority": "normal",
        "weight": 1,
        "lead_organization": tree.orgs["branch"].pk,
        **extra,
    }


def test_form_page_does_not_list_the_members(client, tree, dangzu_office):
    Member.objects.bulk_create(
        Member(
            organization=tree.orgs["branch"], name=f"批量党员{i:03d}", gender="male", status="full"
        )
        for i in range(300)
    )
    _login(client, dangzu_office)
    page = client.get(reverse("tasks:task_create")).content.decode()
    assert 'data-testid="member-pick-responsible"' in page
    assert page.count("批量党员") == 0
    assert "李书记" not in page
    # The search finds them, a few at a time.
    found = client.get(reverse("people:member_pick"), {"q": "批量党员", "field": "responsible"})
    assert 0 < found.content.decode().count("批量党员") <= 20


def test_edit_page_shows_only_the_current_responsible(client, tree, dangzu_office, task):
    _login(client, dangzu_office)
    page = client.get(reverse("tasks:task_update", args=[task.pk])).content.decode()
    current = tree.members["member"]
    assert f'<option value="{current.pk}" selected>{current.name}（' in page
    assert "李书记" not in page  # another member of the same branch: not listed


def test_save_with_a_picked_member(client, tree, dangzu_office, today):
    _login(client, dangzu_office)
    secretary = tree.members["secretary"]
    r = client.post(reverse("tasks:task_create"), _data(tree, today, responsible=secretary.pk))
    assert r.status_code == 302
    assert Task.objects.get().responsible == secretary


def test_edit_without_touching_the_picker_keeps_the_responsible(client, tree, dangzu_office, task):
    _login(client, dangzu_office)
    form = client.get(reverse("tasks:task_update", args=[task.pk])).context["form"]
    # What a browser without JavaScript posts back: every field as rendered.
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["cooperating_units"] = []
    data["deadline"] = task.deadline.isoformat()
    data["title"] = "改了标题"
    r = client.post(reverse("tasks:task_update", args=[task.pk]), data)
    assert r.status_code == 302, r.context["form"].errors
    task.refresh_from_db()
    assert task.title == "改了标题" and task.responsible == tree.members["member"]


def test_out_of_scope_member_is_refused(client, tree, office_staff, today):
    _login(client, office_staff)
    data = _data(tree, today, organization=tree.orgs["committee"].pk)
    data["responsible"] = tree.members["far"].pk
    r = client.post(reverse("tasks:task_create"), data)
    assert r.status_code == 200
    errors = r.context["form"].errors["responsible"]
    assert errors == [_("Choose a current member within your scope as the responsible person.")]
    assert not Task.objects.exists()
    page = r.content.decode()
    assert "孙远方" not in page
