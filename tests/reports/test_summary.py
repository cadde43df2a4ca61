"""The 会议纪要 (issue 12 point 7): GB/T 9704 纪要 form, numbered 〔年〕N号, the blocks' prose,
出席 / 列席 / 请假 at the end in protocol order; downloaded and audited like the other exports."""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse

from dangjian.core.models import AuditEvent
from dangjian.meetings import services
from dangjian.meetings.models import Meeting, MeetingKind
from dangjian.reports.minutes import summary_number
from tests.factories import PASSWORD
from tests.reports.conftest import aware, build_leading_group_meeting

pytestmark = pytest.mark.django_db


def _paragraphs(content: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs if p.text.strip()]


def test_summary_of_a_leading_group_meeting(tree, client):
    meeting = build_leading_group_meeting(tree)
    study = meeting.agenda_items.get(order=1)
    topics = services.item_topics(study)
    services.agenda_item_update(
        actor=None,
        item=study,
        blocks=[
            {
                "kind": "pointed_out",
                "prose": "全局上下要认真学习，坚持全面正确的历史观。",
                "topics": topics[:1],
                "measures": [],
            },
            {
                "kind": "required",
                "prose": "局系统各部门各单位要坚定不移抓好贯彻落实。",
                "topics": topics[1:],
                "measures": ["一要加快推进乡村振兴。", "二要铸牢中华民族共同体意识。"],
            },
        ],
        check=False,
    )
    # An earlier 党组会议 of the same year is number 1: this one is number 2.
    Meeting.objects.create(
        organization=meeting.organization,
        kind=MeetingKind.LEADING_GROUP_MEETING,
        title="党组会议",
        starts_at=aware(2023, 3, 1, 9, 0),
        status=Meeting.Status.HELD,
    )
    assert summary_number(meeting) == "〔2023〕2号"

    assert client.login(username="dangzu", password=PASSWORD)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert reverse("reports:meeting_summary", args=[meeting.pk]) in page
    response = client.get(reverse("reports:meeting_summary", args=[meeting.pk]))
    assert response.status_code == 200
    assert (
        "会议纪要" in response["Content-Disposition"]
        or "filename*" in response["Content-Disposition"]
    )
    text = _paragraphs(response.content)
    assert text[0].endswith("会议纪要")
    assert text[1] == "〔2023〕2号"
    assert "会议指出，全局上下要认真学习，坚持全面正确的历史观。" in text
    assert (
        "会议要求，局系统各部门各单位要坚定不移抓好贯彻落实。一要加快推进乡村振兴。"
        "二要铸牢中华民族共同体意识。" in text
    )
    # 出席 / 列席 / 请假 close the document, people in protocol order (王 before 卓).
    assert text[-3:] == [
        "出席：张新文、王育宏、卓玛才让、刘文静",
        "列席：驻局纪检监察组组长陈立新",
        "请假：李国强（出差）",
    ]
    assert AuditEvent.objects.filter(
        action="export", object_id=str(meeting.pk), note__contains="纪要"
    ).exists()


def test_branch_meeting_page_has_no_summary_link(tree, client):
    """The 纪要 is the formal output of a 党组会议: other meetings' pages do not offer it."""
    meeting = Meeting.objects.create(
        organization=tree.orgs["branch"],
        kind=MeetingKind.BRANCH_COMMITTEE,
        title="支委会",
        starts_at=aware(2024, 1, 10, 9, 0),
    )
    assert client.login(username="zhibu", password=PASSWORD)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'data-testid="summary-download"' not in page
