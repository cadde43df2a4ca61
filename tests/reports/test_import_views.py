"""The import screen: step 1 reads text or a file (no writes), step 2 shows the highlighted
source and the draft, saving writes everything or nothing."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings.models import AgendaItem, Attendance, Meeting
from dangjian.study.models import Topic
from dangjian.tasks.models import Task
from tests.factories import PASSWORD, make_member

SEED = Path("/work/shared/seeds/002_5d496fc68e932dd4.txt")
if not SEED.exists():
    SEED = Path(__file__).parent / "seeds" / "002_5d496fc68e932dd4.txt"
START = reverse("report_import:start")
SAVE = reverse("report_import:save")


@pytest.fixture
def seed_text():
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def dangzu(client, tree):
    client.login(username=tree.users["dangzu_office"].username, password=PASSWORD)
    return client


def counts():
    return tuple(m.objects.count() for m in (Meeting, AgendaItem, Attendance, Topic, Task))


def step2_data(response) -> dict:
    """The step 2 form as the browser would post it: initial values of every field."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif isinstance(value, datetime.datetime):
            data[name] = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def test_start_page(dangzu):
    response = dangzu.get(START)
    assert response.status_code == 200
    assert b'data-testid="import-start-form"' in response.content


def test_chair_is_a_picker_not_a_list_of_every_member_in_scope(dangzu, seed_text, tree):
    """Step 2 offers the chair matched by name and a search, never the whole scope (a
    million members at a large organ); the page does not grow with the members."""
    branch = tree.orgs["branch"]
    names = [f"候选党员{i:03d}" for i in range(60)]
    for name in names:
        make_member(branch, name=name)
    html = dangzu.post(START, {"text": seed_text}).content.decode()
    assert 'data-testid="member-picker-chair"' in html
    assert not [name for name in names if name in html]


def test_paste_shows_step2_without_writing(dangzu, seed_text, tree):
    before = counts()
    response = dangzu.post(START, {"text": seed_text})
    assert response.status_code == 200
    assert counts() == before
    html = response.content.decode()
    assert '<mark data-field="chair">张新文</mark>' in html
    assert '<mark data-field="measure-0">一要加快推进乡村振兴</mark>' in html
    form = response.context["form"]
    assert form.initial["kind"] == "leading_group_meeting"
    assert len(response.context["study_rows"]) == 6
    assert len(response.context["measure_rows"]) == 7


def test_markup_in_the_text_is_escaped(dangzu):
    text = "12月1日,测试局党组书记张三主持召开党组会议<script>alert(1)</script>。"
    response = dangzu.post(START, {"text": text})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_empty_text_refused(dangzu):
    before = counts()
    response = dangzu.post(START, {"text": "   "})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "form" in response.context and "segments" not in response.context
    assert counts() == before


def test_binary_upload_refused(dangzu):
    junk = SimpleUploadedFile("report.txt", bytes(range(256)) * 50, content_type="text/plain")
    before = counts()
    response = dangzu.post(START, {"file": junk})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert counts() == before


def test_wrong_file_type_refused(dangzu):
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 junk", content_type="application/pdf")
    response = dangzu.post(START, {"file": upload})
    assert response.context["form"].errors["file"]


def test_docx_and_gbk_uploads_are_read(dangzu, seed_text):
    document = docx.Document()
    for line in seed_text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    upload = SimpleUploadedFile("report.docx", buffer.getvalue())
    response = dangzu.post(START, {"file": upload})
    assert response.status_code == 200 and len(response.context["measure_rows"]) == 7
    upload = SimpleUploadedFile("report.txt", seed_text.encode("gbk"))
    response = dangzu.post(START, {"file": upload})
    assert response.status_code == 200 and len(response.context["study_rows"]) == 6


def test_save_creates_meeting_topics_decisions_tasks(dangzu, seed_text, tree):
    step2 = dangzu.post(START, {"text": seed_text})
    data = step2_data(step2)
    data["organization"] = str(tree.orgs["root"].pk)
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    for i in (0, 5):
        data[f"measure-{i}-task"] = "on"
        data[f"measure-{i}-lead_unit"] = str(tree.units["publicity"].pk)
        data[f"measure-{i}-deadline"] = deadline
    response = dangzu.post(SAVE, data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    item = meeting.agenda_items.get()
    assert item.topics.count() == 6 and len(item.decisions) == 7
    assert Task.objects.filter(origin_meeting=meeting).count() == 2


def test_past_deadline_rerenders_and_saves_nothing(dangzu, seed_text, tree):
    data = step2_data(dangzu.post(START, {"text": seed_text}))
    data["organization"] = str(tree.orgs["root"].pk)
    data["measure-3-task"] = "on"
    data["measure-3-lead_unit"] = str(tree.units["office"].pk)
    data["measure-3-deadline"] = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    data["measure-3-text"] = "四要改过的要求"
    before = counts()
    response = dangzu.post(SAVE, data)
    assert response.status_code == 200
    assert counts() == before
    assert response.context["form"].non_field_errors()
    assert "四要改过的要求" in response.content.decode()  # the user's input is kept


def test_missing_deadline_is_a_field_error(dangzu, seed_text, tree):
    data = step2_data(dangzu.post(START, {"text": seed_text}))
    data["organization"] = str(tree.orgs["root"].pk)
    data["measure-1-task"] = "on"
    before = counts()
    response = dangzu.post(SAVE, data)
    assert response.status_code == 200 and counts() == before
    errors = response.context["form"].errors
    assert "measure-1-deadline" in errors and "measure-1-lead_unit" in errors


def test_outsider_cannot_pick_an_organization_out_of_scope(client, tree, seed_text):
    client.login(username=tree.users["outsider"].username, password=PASSWORD)
    step2 = client.post(START, {"text": seed_text})
    form = step2.context["form"]
    assert list(form.fields["organization"].queryset) == [tree.orgs["other_branch"]]
    data = step2_data(step2)
    data["organization"] = str(tree.orgs["root"].pk)
    for row in range(6):
        data[f"study-{row}-action"] = "skip"
    before = counts()
    response = client.post(SAVE, data)
    assert response.status_code == 200 and counts() == before
    assert "organization" in response.context["form"].errors


def test_save_without_text_goes_back_to_step1(dangzu):
    response = dangzu.post(SAVE, {})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_english_text_gives_an_empty_draft_that_cannot_be_saved_as_is(dangzu):
    text = "The committee met on Monday and discussed the budget."
    step2 = dangzu.post(START, {"text": text})
    assert step2.status_code == 200
    assert step2.context["study_rows"] == [] and step2.context["measure_rows"] == []
    before = counts()
    response = dangzu.post(SAVE, step2_data(step2))
    assert response.status_code == 200 and counts() == before
    errors = response.context["form"].errors
    assert {"organization", "kind", "title", "starts_at"} <= set(errors)


def test_a_huge_paste_is_refused(dangzu):
    before = counts()
    response = dangzu.post(START, {"text": "会议要求。" * 250_000})
    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assert counts() == before
