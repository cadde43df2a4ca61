"""The news draft page: show, regenerate, save (audited, optimistic lock), scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.core.models import AuditEvent
from dangjian.meetings.models import Meeting
from dangjian.reports import news, services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _url(meeting, query=""):
    return reverse("reports:meeting_news_draft", args=[meeting.pk]) + query


def _login(client, username):
    assert client.login(username=username, password=PASSWORD)


def test_page_shows_record_and_generated_draft(client, lg_meeting):
    _login(client, "dangzu")
    response = client.get(_url(lg_meeting))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["text"] == news.meeting_news_draft(lg_meeting)
    assert form.initial["version"] == lg_meeting.version
    html = response.content.decode()
    assert 'data-testid="source-record"' in html
    assert 'data-testid="save-draft"' in html
    assert "中央农村工作会议精神" in html  # the study items on the left
    assert reverse("reports:meeting_minutes", args=[lg_meeting.pk]) in html


def test_save_stores_the_edited_text_and_audits(client, tree, lg_meeting):
    _login(client, "dangzu")
    text = news.meeting_news_draft(lg_meeting).replace("会议要求", "会议强调指出")
    response = client.post(_url(lg_meeting), {"text": text, "version": lg_meeting.version})
    assert response.status_code == 302
    lg_meeting.refresh_from_db()
    assert lg_meeting.news_draft == text.strip()
    assert lg_meeting.version == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_type="meetings.meeting")
    assert event.actor == tree.users["dangzu_office"]
    assert "news_draft" in event.changes
    # The saved text is what the page shows next time, until regenerated.
    assert client.get(_url(lg_meeting)).context["form"].initial["text"] == text.strip()
    regenerated = client.get(_url(lg_meeting, "?regenerate=1"))
    assert regenerated.context["form"].initial["text"] == news.meeting_news_draft(lg_meeting)
    assert regenerated.context["regenerated"] is True
    lg_meeting.refresh_from_db()
    assert lg_meeting.news_draft == text.strip()  # regenerating saves nothing


def test_stale_save_is_refused_and_keeps_the_input(client, lg_meeting):
    _login(client, "dangzu")
    Meeting.objects.filter(pk=lg_meeting.pk).update(version=5)  # someone else saved meanwhile
    response = client.post(_url(lg_meeting), {"text": "我的修改稿", "version": 1})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "我的修改稿" in response.content.decode()
    lg_meeting.refresh_from_db()
    assert lg_meeting.news_draft == ""
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists()


def test_markup_is_refused(client, lg_meeting):
    _login(client, "dangzu")
    response = client.post(_url(lg_meeting), {"text": "<script>x</script>", "version": 1})
    assert response.status_code == 200
    lg_meeting.refresh_from_db()
    assert lg_meeting.news_draft == ""


def test_member_may_read_and_copy_but_not_save(client, tree, branch_meeting):
    """A party member of the branch sees the draft of the branch's meeting without Save."""
    meeting = Meeting.objects.get(pk=branch_meeting.pk)
    meeting.organization = tree.orgs["branch"]
    meeting.save()
    _login(client, "dangyuan")
    response = client.get(_url(meeting))
    assert response.status_code == 200
    assert 'data-testid="save-draft"' not in response.content.decode()
    assert 'data-testid="copy-draft"' in response.content.decode()
    assert client.post(_url(meeting), {"text": "改", "version": 1}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.news_draft == ""


def test_out_of_scope_is_404(client, lg_meeting):
    _login(client, "outsider")
    assert client.get(_url(lg_meeting)).status_code == 404
    assert client.post(_url(lg_meeting), {"text": "x", "version": 1}).status_code == 404


def test_service_guards(tree, lg_meeting):
    with pytest.raises(PermissionDenied):
        services.meeting_news_draft_save(
            actor=tree.users["member"], meeting=lg_meeting, text="x", version=None
        )
    with pytest.raises(ValidationError):
        services.meeting_news_draft_save(
            actor=tree.users["dangzu_office"],
            meeting=lg_meeting,
            text="字" * (services.MAX_DRAFT_CHARS + 1),
            version=None,
        )
    lg_meeting.refresh_from_db()
    assert lg_meeting.news_draft == "" and lg_meeting.version == 1


def test_page_query_count_does_not_grow_with_attendees(client, tree, lg_meeting):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.meetings.models import Attendance
    from tests.factories import leaders_branch, make_member

    _login(client, "dangzu")
    with CaptureQueriesContext(connection) as before:
        client.get(_url(lg_meeting))
    for i in range(10):
        member = make_member(leaders_branch(tree.orgs["root"]), f"成员{i}")
        Attendance.objects.create(meeting=lg_meeting, member=member, status="present")
    with CaptureQueriesContext(connection) as after:
        client.get(_url(lg_meeting))
    assert len(after.captured_queries) == len(before.captured_queries)


def test_check_panel_reads_the_draft_back(client, lg_meeting):
    """The generated draft matches the record everywhere; a draft without the date does not."""
    _login(client, "dangzu")
    check = client.get(_url(lg_meeting)).context["check"]
    assert [row["field"] for row in check] == [
        "date",
        "organization",
        "chair",
        "kind",
        "study items",
        "requirements",
    ]
    assert all(row["ok"] for row in check), check
    text = news.meeting_news_draft(lg_meeting).replace("2023年12月27日，", "")
    response = client.post(_url(lg_meeting), {"text": text, "version": 1})
    assert response.status_code == 302
    check = {row["field"]: row for row in client.get(_url(lg_meeting)).context["check"]}
    assert not check["date"]["ok"]
    assert check["date"]["record"] == "2023-12-27"
    assert check["chair"]["ok"]
