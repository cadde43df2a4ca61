"""Issue 11, points 1 and 6: what masking and look-ups leak about ID numbers.

* The masked ID number keeps no character (docs/security.md, "How much a mask may show").
* "Is this ID number registered?" names the member only within the caller's member.view
  scope; outside it the answer says only that the number cannot be used — in the roster
  check, ``POST /api/members/`` and the member form alike.
* Every run that compares numbers with the stored members is audited as one look-up
  (who, how many, how many matched — never the numbers, never members outside scope).
* A per-user daily budget of numbers compared (``DANGJIAN_LOOKUP_DAILY_BUDGET``): when it
  is spent nothing is compared or saved, whichever way the numbers come in.

Assertions about clear numbers are booleans, so a failure never prints one.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from dangjian.access.models import User
from dangjian.core import ratelimit
from dangjian.core.models import AuditEvent
from dangjian.people.models import Member, RosterImport
from dangjian.security import lookups
from dangjian.security.models import LookupBudget
from tests.factories import PASSWORD, synthetic_id_number
from tests.people.test_export import ID_COL, rows_by_name, sheet_of
from tests.people.test_roster import good_rows, upload, xlsx

MEMBERS = "/api/members/"
LOOKUP = "/api/members/lookup/"
UNUSABLE = (
    "This ID number cannot be used. Check it; if it is right, ask the organization department."
)
BUDGET_TEXT = "Today's personal-data look-up budget is used up"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.login(username=user.username, password=PASSWORD)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def lookups_by(user):
    """The look-up audit rows of one user (``reveal`` rows written by a comparison run)."""
    return AuditEvent.objects.filter(
        actor=user, action=AuditEvent.Action.REVEAL, note__startswith="look-up by value ("
    ).order_by("id")


def no_secret_in(event, *numbers) -> bool:
    text = f"{event.note} {event.changes} {event.object_repr}"
    return not any(number in text for number in numbers)


def new_member(tree, **over) -> dict:
    data = {
        "name": "新登记",
        "gender": "female",
        "status": "full",
        "organization": tree.orgs["branch"].pk,
        "id_number": synthetic_id_number(datetime.date(1994, 4, 4), serial=444),
    }
    return data | over


# --- point 1: the mask ------------------------------------------------------------------------


def test_roles_without_reveal_see_no_digit_of_an_id_number(tree, dangzu_office):
    """Everything that shows a masked ID number beside the birth date and gender (API
    list and detail, member list and page, export) shows no character of it."""
    member = tree.members["member"]
    masked = re.compile(r"^\*{18}$")
    client = api(dangzu_office)
    listed = {row["name"]: row for row in client.get(MEMBERS).json()["results"]}
    assert masked.match(listed["王党员"]["id_number_masked"])
    detail = client.get(f"{MEMBERS}{member.pk}/").json()
    assert masked.match(detail["id_number_masked"]) and detail["birth_date"] == "1990-07-07"
    web = login(dangzu_office)
    for url in (reverse("people:member_list"), member.get_absolute_url()):
        page = web.get(url).content.decode()
        shown = re.findall(r'class="dj-masked"[^>]*>([^<]*)<', page)
        assert "*" * 18 in shown
        assert not any(len(s) == 18 and re.search(r"\d", s) for s in shown)
    rows = rows_by_name(sheet_of(web.get(reverse("people:member_export"))))
    assert masked.match(rows["王党员"][ID_COL])


# --- point 1: the roster check -----------------------------------------------------------------


def test_roster_names_a_registered_number_only_within_scope(tree, branch_secretary):
    """A branch secretary's roster: a number of the branch's member names that member; a
    number of another branch's member says only that it cannot be used. The run is one
    look-up audit row with counts only."""
    inside = tree.members["member"].decrypted("id_number")
    outside = tree.members["other"].decrypted("id_number")
    rows = good_rows(n=3)
    rows[1]["公民身份号码"], rows[1]["出生日期"] = inside, ""
    rows[2]["公民身份号码"], rows[2]["出生日期"] = outside, ""
    upload(login(branch_secretary), xlsx(rows))
    item = RosterImport.objects.get()
    assert item.status == RosterImport.Status.INVALID
    assert [(e["row"], e["message"]) for e in item.errors] == [
        (3, "This ID number is already registered for 王党员 (办公厅第三党支部)."),
        (4, UNUSABLE),
    ]
    assert "registered" not in UNUSABLE and "钱同志" not in str(item.errors)
    event = lookups_by(branch_secretary).get()
    assert (
        event.note == "look-up by value (roster check): 3 compared, 1 matched in scope, 1 outside"
    )
    assert event.object_id == "" and event.changes == {"id_number": "***"}
    assert no_secret_in(event, inside, outside, str(tree.members["other"].pk))


def test_every_roster_check_is_audited_as_a_look_up(tree, branch_secretary):
    """A roster that matches nobody still compared its numbers: one audit row, counted."""
    upload(login(branch_secretary), xlsx(good_rows(n=4)))
    assert RosterImport.objects.get().status == RosterImport.Status.VALIDATED
    event = lookups_by(branch_secretary).get()
    assert (
        event.note == "look-up by value (roster check): 4 compared, 0 matched in scope, 0 outside"
    )
    assert lookups.used_today(branch_secretary) == 4


def test_the_import_rechecks_and_audits_without_charging_again(tree, branch_secretary):
    """The import compares the numbers again (audited) but they were paid for once."""
    client = login(branch_secretary)
    upload(client, xlsx(good_rows(n=3)))
    item = RosterImport.objects.get()
    client.post(reverse("people:roster_commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == RosterImport.Status.COMMITTED
    assert [e.note for e in lookups_by(branch_secretary)] == [
        "look-up by value (roster check): 3 compared, 0 matched in scope, 0 outside",
        "look-up by value (roster import): 3 compared, 0 matched in scope, 0 outside",
    ]
    assert lookups.used_today(branch_secretary) == 3


# --- point 1: the API and the form ---------------------------------------------------------------


def test_api_create_says_only_that_a_number_outside_scope_cannot_be_used(tree, branch_secretary):
    outside = tree.members["other"].decrypted("id_number")
    response = api(branch_secretary).post(MEMBERS, new_member(tree, id_number=outside), "json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"id_number": [UNUSABLE]}
    assert b"registered" not in response.content and "钱同志".encode() not in response.content
    assert not Member.objects.filter(name="新登记").exists()
    # Audited although the write was refused.
    event = lookups_by(branch_secretary).get()
    assert event.note == "look-up by value (API): 1 compared, 0 matched in scope, 1 outside"
    assert event.object_id == "" and no_secret_in(event, outside)


def test_api_create_names_a_member_within_scope_and_audits_on_that_member(tree, branch_secretary):
    member = tree.members["member"]
    data = new_member(tree, id_number=member.decrypted("id_number"))
    response = api(branch_secretary).post(MEMBERS, data, "json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "id_number": ["This ID number is already registered for 王党员 (办公厅第三党支部)."]
    }
    event = lookups_by(branch_secretary).get()
    assert event.object_id == str(member.pk)  # in that member's "who looked at my data"


def test_api_update_to_a_number_outside_scope(tree, branch_secretary):
    member = tree.members["probationary"]
    response = api(branch_secretary).patch(
        f"{MEMBERS}{member.pk}/",
        {"version": member.version, "id_number": tree.members["other"].decrypted("id_number")},
        "json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"id_number": [UNUSABLE]}
    assert lookups_by(branch_secretary).count() == 1


def test_member_form_says_only_that_a_number_outside_scope_cannot_be_used(tree, branch_secretary):
    client = login(branch_secretary)
    outside = tree.members["other"].decrypted("id_number")
    response = client.post(reverse("people:member_create"), new_member(tree, id_number=outside))
    assert response.status_code == 200
    assert response.context["form"].errors == {"id_number": [UNUSABLE]}
    assert not Member.objects.filter(name="新登记").exists()
    event = lookups_by(branch_secretary).get()
    assert event.note == "look-up by value (member form): 1 compared, 0 matched in scope, 1 outside"


def test_a_check_needs_the_right_to_manage_the_target(tree, dangzu_office):
    """Without member.manage nothing is compared, charged or audited."""
    data = new_member(tree, id_number=tree.members["other"].decrypted("id_number"))
    assert api(dangzu_office).post(MEMBERS, data, "json").status_code == 403
    assert not lookups_by(dangzu_office).exists()
    assert lookups.used_today(dangzu_office) == 0


@pytest.fixture
def scoped_rate(settings, monkeypatch):
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_057_600 + 10)
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "personal_data": "2/hour"}
    settings.REST_FRAMEWORK = rest


def test_api_create_has_the_personal_data_rate(tree, branch_secretary, scoped_rate):
    client = api(branch_secretary)
    first = client.post(MEMBERS, new_member(tree), "json")
    assert first.status_code == 201
    other = new_member(tree, name="第二个", id_number=synthetic_id_number(serial=445))
    assert client.post(MEMBERS, other, "json").status_code == 201
    third = new_member(tree, name="第三个", id_number=synthetic_id_number(serial=446))
    assert client.post(MEMBERS, third, "json").status_code == 429
    assert not Member.objects.filter(name="第三个").exists()
    # Changing other fields is not a look-up; changing the ID number is.
    member = Member.objects.get(pk=first.json()["id"])
    url = f"{MEMBERS}{member.pk}/"
    assert client.patch(url, {"version": 1, "ethnicity": "回族"}, "json").status_code == 200
    changed = {"version": 2, "id_number": synthetic_id_number(serial=447)}
    assert client.patch(url, changed, "json").status_code == 429


# --- point 6: the daily budget --------------------------------------------------------------------


def test_a_roster_beyond_the_budget_is_refused_whole(tree, branch_secretary, settings):
    """Six numbers with five left: nothing is compared (no "cannot be used" even for the
    registered one), no preview; the refusal is audited with counts only."""
    settings.LOOKUP_DAILY_BUDGET = 5
    rows = good_rows(n=6)
    rows[5]["公民身份号码"] = tree.members["other"].decrypted("id_number")
    rows[5]["出生日期"] = ""
    client = login(branch_secretary)
    upload(client, xlsx(rows))
    item = RosterImport.objects.get()
    assert item.status == RosterImport.Status.INVALID
    assert item.preview == [] and item.error_count == 1
    assert item.errors[0]["row"] is None and item.errors[0]["message"].startswith(BUDGET_TEXT)
    assert "this needs 6 numbers, 5 of the 5 a day are left" in item.errors[0]["message"]
    assert not lookups_by(branch_secretary).exists()
    refusal = AuditEvent.objects.get(actor=branch_secretary, action="throttled")
    assert refusal.object_type == "lookup_budget"
    assert (
        refusal.note == "daily personal-data look-up budget: 6 numbers refused, 0 of 5 used today"
    )
    assert lookups.used_today(branch_secretary) == 0
    # Five fit, and then the budget is spent.
    upload(client, xlsx(good_rows(n=5, start=200)))
    assert RosterImport.objects.latest("id").status == RosterImport.Status.VALIDATED
    assert lookups.used_today(branch_secretary) == 5


def test_the_budget_counts_every_way_in_and_then_nothing_is_checked_or_saved(
    tree, branch_secretary, settings
):
    settings.LOOKUP_DAILY_BUDGET = 3
    client = api(branch_secretary)
    number = tree.members["member"].decrypted("id_number")
    found = client.post(LOOKUP, {"id_number": number, "phone": "13800001234"}, "json")
    assert found.status_code == 200 and len(found.json()) == 1  # two numbers
    assert client.post(MEMBERS, new_member(tree), "json").status_code == 201  # one
    assert lookups.used_today(branch_secretary) == 3
    # Spent: the form saves nothing and says why.
    web = login(branch_secretary)
    data = new_member(tree, name="未保存", id_number=synthetic_id_number(serial=448))
    response = web.post(reverse("people:member_create"), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0].startswith(BUDGET_TEXT)
    assert not Member.objects.filter(name="未保存").exists()
    # The API answers 429 until the local midnight, with the message.
    refused = client.post(LOOKUP, {"id_number": number}, "json")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith(BUDGET_TEXT)
    assert 0 < int(refused["Retry-After"]) <= 86400
    assert client.post(MEMBERS, data, "json").status_code == 429
    assert not Member.objects.filter(name="未保存").exists()
    assert lookups.used_today(branch_secretary) == 3
    # Other users and edits without an ID number are not affected.
    other_user = api(tree.users["office_staff"])
    assert other_user.post(LOOKUP, {"phone": "13800001234"}, "json").status_code == 200
    member = Member.objects.get(name="新登记")
    patch = {"version": member.version, "ethnicity": "回族"}
    assert client.patch(f"{MEMBERS}{member.pk}/", patch, "json").status_code == 200


def test_the_budget_renews_each_day(tree, branch_secretary, settings):
    settings.LOOKUP_DAILY_BUDGET = 2
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    LookupBudget.objects.create(user=branch_secretary, day=yesterday, used=2)
    lookups.charge(actor=branch_secretary, count=2)
    with pytest.raises(lookups.LookupBudgetSpent):
        lookups.charge(actor=branch_secretary, count=1)
    assert LookupBudget.objects.get(user=branch_secretary, day=yesterday).used == 2


def test_the_budget_message_in_chinese(tree, branch_secretary, settings):
    settings.LOOKUP_DAILY_BUDGET = 1
    lookups.charge(actor=branch_secretary, count=1)
    with translation.override("zh-hans"), pytest.raises(lookups.LookupBudgetSpent) as refused:
        lookups.charge(actor=branch_secretary, count=1)
    assert refused.value.messages[0].startswith("今日个人信息查询额度已用完")
