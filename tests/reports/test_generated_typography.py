"""Every generated document writes Chinese with full-width punctuation (issue 12, point 7).

The scan opens what the offices download from the demo data — minutes, attendance and
sign-in sheets (.docx), the meeting, topic, task, campaign, training and member ledgers
(.xlsx) and the meeting and activity news drafts — and fails on any half-width ,:;?!()
or straight quotes inside Chinese text, a doubled 。 or 精神精神.
"""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from dangjian.campaigns.models import Activity, Campaign
from dangjian.core import demo, demo_campaigns, demo_meetings
from dangjian.core.typography import fullwidth, halfwidth_problems
from dangjian.meetings.models import Meeting

PASSWORD = "Demo-password-2024"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("会议指出,全局上下要认真学习", "会议指出，全局上下要认真学习"),
        ("时间:2023年12月27日 09:00—11:30", "时间：2023年12月27日 09:00—11:30"),
        ("“政治机关,政治工作”能力提升行动", "“政治机关，政治工作”能力提升行动"),
        ('举办"四强"党支部建设论坛', "举办“四强”党支部建设论坛"),
        ("测试局党组会议(2023年第30次)", "测试局党组会议（2023年第30次）"),
        ("张新文(党组书记、局长)出席。。", "张新文（党组书记、局长）出席。"),
        ("重要讲话精神精神", "重要讲话精神"),
        ("是否通过?通过!", "是否通过？通过！"),
        # Numbers, times, user names and English stay as they are.
        ("Exported by admin (admin) at 2024-01-01 09:30:00", None),
        ("09:30, 10:45; a (b) c", None),
        ("张三 (zhangsan) 2024-01-01 09:30", None),
        ("", None),
    ],
)
def test_fullwidth(given, expected):
    assert fullwidth(given) == (given if expected is None else expected)
    assert halfwidth_problems(fullwidth(given)) == []


def test_problems_are_found():
    assert halfwidth_problems("会议指出,要")
    assert halfwidth_problems("会议(扩大)会议")
    assert halfwidth_problems('举办"四强"论坛')
    assert halfwidth_problems("出席。。")
    assert not halfwidth_problems("会议指出，要（扩大）“四强”。09:30")


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def _xlsx_text(content: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    )


def _get(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
def test_every_generated_document_uses_full_width_punctuation():
    demo.load_demo(size=120, seed=7, password=PASSWORD)
    documents: dict[str, str] = {}

    shengju = Client()
    assert shengju.login(username="shengju", password=PASSWORD)
    seed = Meeting.objects.get(title=demo_meetings.SEED_TITLE)
    for name in (
        "meeting_minutes",
        "meeting_summary",
        "meeting_attendance_sheet",
        "meeting_signin_sheet",
    ):
        url = reverse(f"reports:{name}", args=[seed.pk])
        documents[f"{name} (seed 002)"] = _docx_text(_get(shengju, url))
    page = shengju.get(reverse("reports:meeting_news_draft", args=[seed.pk]))
    documents["news draft (seed 002)"] = page.context["form"].initial["text"]
    for name in ("meeting_ledger", "topic_ledger", "task_ledger"):
        documents[f"{name} (shengju)"] = _xlsx_text(_get(shengju, reverse(f"reports:{name}")))

    jiguan = Client()
    assert jiguan.login(username="jiguan", password=PASSWORD)
    held = Meeting.objects.filter(status=Meeting.Status.HELD, organization__kind="branch")
    for meeting in held.order_by("id")[:3]:
        url = reverse("reports:meeting_minutes", args=[meeting.pk])
        documents[f"minutes of meeting {meeting.pk}"] = _docx_text(_get(jiguan, url))
        page = jiguan.get(reverse("reports:meeting_news_draft", args=[meeting.pk]))
        documents[f"news draft of meeting {meeting.pk}"] = page.context["form"].initial["text"]
    for title in (demo_campaigns.SEED_EVENT_TITLE,):  # one event of two kinds
        activity = Activity.objects.get(title=title)
        page = jiguan.get(reverse("reports:activity_news", args=[activity.pk]))
        documents[f"news draft of {title}"] = page.context["form"].initial["text"]
    campaign = Campaign.objects.get(name=demo_campaigns.CAMPAIGN_NAME)
    url = reverse("campaigns:ledger_export", args=[campaign.pk])
    documents["campaign ledger"] = _xlsx_text(_get(jiguan, url))
    documents["training hours"] = _xlsx_text(_get(jiguan, reverse("training:overview_export")))
    documents["member export"] = _xlsx_text(_get(jiguan, reverse("people:member_export")))
    for name in ("meeting_ledger", "topic_ledger", "task_ledger"):
        documents[f"{name} (jiguan)"] = _xlsx_text(_get(jiguan, reverse(f"reports:{name}")))

    assert all(text.strip() for text in documents.values())
    found = {name: halfwidth_problems(text)[:5] for name, text in documents.items()}
    assert not {name: places for name, places in found.items() if places}
