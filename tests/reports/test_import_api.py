"""API of the import: parse (no writes) and import (the same service as the screen)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.meetings.models import AgendaItem, Meeting
from dangjian.study.models import Topic
from dangjian.tasks.models import Task

SEED = Path("/work/shared/seeds/002_5d496fc68e932dd4.txt")
if not SEED.exists():
    SEED = Path(__file__).parent / "seeds" / "002_5d496fc68e932dd4.txt"
PARSE = "/api/reports/parse/"
IMPORT = "/api/reports/import/"


@pytest.fixture
def seed_text():
    return SEED.read_text(encoding="utf-8")


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def counts():
    return tuple(m.objects.count() for m in (Meeting, AgendaItem, Topic, Task))


def test_parse_returns_record_and_suggestions(tree, seed_text):
    before = counts()
    response = api(tree.users["dangzu_office"]).post(PARSE, {"text": seed_text}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["record"]["chair"]["name"] == "张新文"
    assert len(body["record"]["measures"]) == 7
    assert body["suggestions"]["kind"] == "leading_group_meeting"
    assert body["suggestions"]["organization"] is None
    assert len(body["suggestions"]["topics"]) == 6
    assert counts() == before


def test_parse_empty_text_is_a_structured_400(tree):
    response = api(tree.users["dangzu_office"]).post(PARSE, {"text": "  "}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid" and "text" in body["fields"]


def test_parse_needs_meeting_manage(tree, seed_text):
    response = api(tree.users["member"]).post(PARSE, {"text": seed_text}, format="json")
    assert response.status_code == 403
    assert APIClient().post(PARSE, {"text": seed_text}, format="json").status_code == 401


def test_import_creates_the_meeting(tree, seed_text):
    deadline = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    payload = {
        "text": seed_text,
        "organization": tree.orgs["root"].pk,
        "measures": [
            {"task": i in (2, 3), "lead_unit": tree.units["office"].pk, "deadline": deadline}
            for i in range(7)
        ],
    }
    response = api(tree.users["dangzu_office"]).post(IMPORT, payload, format="json")
    assert response.status_code == 201, response.json()
    meeting = Meeting.objects.get(pk=response.json()["id"])
    item = meeting.agenda_items.get()
    assert item.topics.count() == 6 and len(item.decisions) == 7
    assert len(response.json()["tasks"]) == 2
    assert Task.objects.filter(origin_meeting=meeting).count() == 2


def test_import_past_deadline_400_nothing_saved(tree, seed_text):
    payload = {
        "text": seed_text,
        "organization": tree.orgs["root"].pk,
        "measures": [
            {
                "task": i == 0,
                "lead_unit": tree.units["office"].pk,
                "deadline": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            }
            for i in range(7)
        ],
    }
    before = counts()
    response = api(tree.users["dangzu_office"]).post(IMPORT, payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert counts() == before


def test_import_out_of_scope_organization_400(tree, seed_text):
    payload = {"text": seed_text, "organization": tree.orgs["root"].pk, "study": []}
    before = counts()
    response = api(tree.users["outsider"]).post(IMPORT, payload, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()["fields"]
    assert counts() == before


def test_import_from_a_record(tree, seed_text):
    record = api(tree.users["dangzu_office"]).post(PARSE, {"text": seed_text}, format="json")
    payload = {
        "record": record.json()["record"],
        "organization": tree.orgs["root"].pk,
        "study": [{"action": "skip"}] * 6,
        "measures": [{"target": "deliberation"}] * 7,
    }
    response = api(tree.users["dangzu_office"]).post(IMPORT, payload, format="json")
    assert response.status_code == 201, response.json()
    item = Meeting.objects.get(pk=response.json()["id"]).agenda_items.get()
    assert item.kind == "deliberation" and len(item.decisions) == 7
