"""Minutes, attendance sheet and sign-in sheet: opened with python-docx and checked."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from dangjian.core.models import AuditEvent
from dangjian.reports import minutes, sheets
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _open(content: bytes) -> Document:
    return Document(io.BytesIO(content))


def _east_asian(run) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _mm(length) -> float:
    return round(length.mm, 1)


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append("|".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_minutes_page_layout_is_gbt_9704(lg_meeting):
    """A4 with margins 37/35/28/26 mm."""
    section = _open(minutes.meeting_minutes_docx(lg_meeting)).sections[0]
    # Word stores twentieths of a point: compare to a tenth of a millimetre.
    assert (_mm(section.page_width), _mm(section.page_height)) == (210, 297)
    assert _mm(section.top_margin) == 37
    assert _mm(section.bottom_margin) == 35
    assert _mm(section.left_margin) == 28
    assert _mm(section.right_margin) == 26


def test_minutes_title_is_xiaobiaosong_2hao_centred(lg_meeting):
    doc = _open(minutes.meeting_minutes_docx(lg_meeting))
    title = doc.paragraphs[0]
    assert title.text == "测试局党组会议（2023年第30次）会议记录"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    run = title.runs[0]
    assert run.font.name == "方正小标宋简体"
    assert _east_asian(run) == "方正小标宋简体"
    assert run.font.size == Pt(22)


def test_minutes_body_is_fangsong_3hao_fixed_spacing_indented(lg_meeting):
    doc = _open(minutes.meeting_minutes_docx(lg_meeting))
    body = next(p for p in doc.paragraphs if p.text.startswith("地点"))
    assert body.text == "地点：第一会议室"
    run = body.runs[0]
    assert run.font.name == "仿宋_GB2312"
    assert _east_asian(run) == "仿宋_GB2312"
    assert run.font.size == Pt(16)
    fmt = body.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert Pt(28) <= fmt.line_spacing <= Pt(29)
    assert fmt.first_line_indent == Pt(32)  # two 3号 characters
    ind = body._p.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"


def test_minutes_headings_use_heiti_and_kaiti(lg_meeting):
    doc = _open(minutes.meeting_minutes_docx(lg_meeting))
    level1 = [p for p in doc.paragraphs if p.text.startswith(("一、", "二、", "三、"))]
    assert [p.text for p in level1] == ["一、会议基本情况", "二、会议议题", "三、议定事项及分工"]
    assert all(_east_asian(p.runs[0]) == "黑体" for p in level1)
    level2 = [p for p in doc.paragraphs if p.text.startswith("（")]
    assert [p.text for p in level2] == [
        "（一）传达学习习近平总书记重要讲话和中央农村工作会议精神",
        "（二）学习中共中央政治局专题民主生活会精神",
        "（三）《2024年党建工作要点》",
    ]
    assert all(_east_asian(p.runs[0]) == "楷体_GB2312" for p in level2)


def test_minutes_footer_has_page_field_in_4hao_songti(lg_meeting):
    doc = _open(minutes.meeting_minutes_docx(lg_meeting))
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        assert p.alignment == alignment
        assert p.text == "— 1 —"
        codes = [e.text for e in p._p.iter(qn("w:instrText"))]
        assert codes == [" PAGE "]
        assert all(r.font.size == Pt(14) and _east_asian(r) == "宋体" for r in p.runs)


def test_minutes_content(lg_meeting):
    """Header, attendance with reasons, invited leaders, items with decisions, tasks."""
    text = _text(_open(minutes.meeting_minutes_docx(lg_meeting)))
    assert "时间：2023年12月27日 09:00—11:30" in text
    assert "主持人：张新文（测试局党组书记、局长）" in text
    assert "记录人：刘文静" in text
    assert "应到5人，实到4人。" in text
    # Protocol order: the secretary, the members (王 4 strokes, 卓 8), then the others.
    assert "出席：张新文、王育宏、卓玛才让（迟到）、刘文静" in text
    assert "请假：李国强（出差）" in text
    assert "列席：驻局纪检监察组组长陈立新" in text
    assert (
        "学习内容：习近平总书记在纪念毛泽东同志诞辰130周年座谈会上的重要讲话精神；中央农村工作会议精神。"
        in text
    )
    assert "与会同志结合分管工作作了交流发言。" in text
    assert "1.加快推进乡村振兴，大力弘扬脱贫攻坚精神。" in text
    assert "2.紧紧围绕铸牢中华民族共同体意识这条工作主线。" in text
    assert "1.加快推进乡村振兴。牵头单位：办公厅。完成时限：2024年3月31日。" in text
    assert "2.开展民族团结进步创建。牵头单位：宣传司。完成时限：2024年6月30日。" in text
    # The order of sections is the standard's: header, agenda, tasks.
    assert text.index("会议基本情况") < text.index("会议议题") < text.index("议定事项及分工")


def test_attendance_sheet_lists_everyone_with_status_and_reason(lg_meeting):
    doc = _open(sheets.meeting_attendance_sheet_docx(lg_meeting))
    assert doc.paragraphs[0].text == "测试局党组会议（2023年第30次）出席情况表"
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[0] == ["序号", "姓名", "职务", "出席情况", "备注"]
    assert rows[1:] == [
        ["1", "张新文", "测试局党组书记、局长", "出席", ""],
        ["2", "王育宏", "测试局党组成员、副局长", "出席", ""],
        ["3", "李国强", "测试局党组成员、副局长", "请假", "出差"],
        ["4", "卓玛才让", "测试局党组成员、副局长", "迟到", ""],
        ["5", "刘文静", "办公室主任", "出席", ""],
        ["6", "陈立新", "驻局纪检监察组组长", "列席", ""],
    ]
    assert "应到5人，实到4人（其中迟到1人），请假1人，缺席0人。" in _text(doc)
    assert _mm(doc.sections[0].top_margin) == 37


def test_signin_sheet_has_blank_signature_column(lg_meeting):
    doc = _open(sheets.meeting_signin_sheet_docx(lg_meeting))
    assert doc.paragraphs[0].text == "测试局党组会议（2023年第30次）签到表"
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序号", "姓名", "职务", "签名", "备注"]
    body = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [r[1] for r in body] == ["张新文", "王育宏", "李国强", "卓玛才让", "刘文静", "陈立新"]
    assert all(r[3] == "" for r in body)
    assert _mm(table.rows[1].height) == 12  # room to sign
    assert "地点：第一会议室" in _text(doc)


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("reports:meeting_minutes", "会议记录"),
        ("reports:meeting_attendance_sheet", "出席情况表"),
        ("reports:meeting_signin_sheet", "签到表"),
    ],
)
def test_download_is_docx_and_audited(client, tree, lg_meeting, name, suffix):
    """The leading group office downloads the file; one export row names the meeting."""
    assert client.login(username="dangzu", password=PASSWORD)
    response = client.get(reverse(name, args=[lg_meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == minutes.DOCX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    doc = _open(response.content)
    assert doc.paragraphs[0].text.endswith(suffix)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.object_type == "meetings.meeting"
    assert event.object_id == str(lg_meeting.pk)
    assert event.actor == tree.users["dangzu_office"]


def test_out_of_scope_meeting_is_404_and_not_audited(client, tree, lg_meeting):
    """The branch secretary sees nothing of the leading group's meeting above them."""
    assert client.login(username="zhibu", password=PASSWORD)
    response = client.get(reverse("reports:meeting_minutes", args=[lg_meeting.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_minutes_of_an_empty_meeting(tree, branch_meeting):
    """A meeting without agenda or tasks still gives a complete document."""
    text = _text(_open(minutes.meeting_minutes_docx(branch_meeting)))
    assert "（未记录议题）" in text
    assert "主持人：钱同志" in text
    assert "三、议定事项及分工\n（无）" in text
