"""The member picker's search (people:member_pick): by name or title, within the
user's member scope, at most a few results, never an ID number or phone as the query."""

from __future__ import annotations

import datetime

from django.urls import reverse

from dangjian.people.models import Member
from dangjian.people.views import MemberPickView
from tests.factories import PASSWORD, synthetic_id_number


def _pick(client, **params):
    r = client.get(reverse("people:member_pick"), params)
    assert r.status_code == 200
    return r.content.decode()


def test_finds_by_name_within_scope(client, tree, office_staff):
    assert client.login(username=office_staff.username, password=PASSWORD)
    page = _pick(client, q="李书", field="responsible")
    assert (
        f'<option value="{tree.members["secretary"].pk}" data-testid="member-pick-option">' in page
    )
    assert "李书记（" in page
    # 孙远方 is in another leading group: never offered, whatever the query.
    assert "孙远方" not in _pick(client, q="孙远方", field="responsible")


def test_empty_query_lists_nobody(client, tree, office_staff):
    assert client.login(username=office_staff.username, password=PASSWORD)
    page = _pick(client, q="", field="responsible")
    assert 'data-testid="member-pick-option"' not in page


def test_refuses_id_number_and_phone_as_query(client, tree, office_staff):
    assert client.login(username=office_staff.username, password=PASSWORD)
    for query in (synthetic_id_number(datetime.date(1975, 3, 1)), "138 0013 8000"):
        page = _pick(client, q=query, field="responsible")
        assert 'data-testid="member-pick-option"' not in page
        assert "/api/members/lookup/" in page
        assert "李书记" not in page


def test_results_are_capped(client, tree, office_staff):
    Member.objects.bulk_create(
        Member(
            organization=tree.orgs["branch"], name=f"同名党员{i:02d}", gender="male", status="full"
        )
        for i in range(MemberPickView.limit + 5)
    )
    assert client.login(username=office_staff.username, password=PASSWORD)
    page = _pick(client, q="同名党员", field="responsible")
    assert page.count('data-testid="member-pick-option"') == MemberPickView.limit


def test_keeps_current_choice_in_scope_only(client, tree, office_staff):
    assert client.login(username=office_staff.username, password=PASSWORD)
    secretary, far = tree.members["secretary"], tree.members["far"]
    page = _pick(client, q="宣传", field="responsible", responsible=secretary.pk)
    assert f'<option value="{secretary.pk}" selected>' in page
    page = _pick(client, q="宣传", field="responsible", responsible=far.pk)
    assert f'value="{far.pk}"' not in page and "孙远方" not in page


def test_needs_member_view(client, tree):
    nobody = tree.users["nobody"]
    assert client.login(username=nobody.username, password=PASSWORD)
    assert client.get(reverse("people:member_pick"), {"q": "李"}).status_code == 403
