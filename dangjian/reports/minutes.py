"""Meeting minutes (会议记录) as .docx in the layout of GB/T 9704 (党政机关公文格式).

Page A4 with margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; the
title in 方正小标宋简体 2号 centred; the body in 仿宋_GB2312 3号 with a fixed
line spacing of 28.95 pt (22 lines to the page) and a first-line indent of
two characters; level-one headings (一、) in 黑体, level-two ((一)) in
楷体_GB2312; page numbers "— 1 —" in 4号 宋体, odd pages right and even
pages left, one character in from the edge.

The documents are official Chinese papers, so their fixed wording (时间,
地点, 主持人 …) is written here as the standard's vocabulary, not through the
UI catalog. Fonts are named for both the Latin and the East Asian slots
(``w:eastAsia``): Word picks East Asian text's font from that attribute only.
"""

from __future__ import annotations

import datetime
import io

from django.db import models
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from dangjian.core.typography import fullwidth
from dangjian.core.watermark import watermark_docx
from dangjian.meetings.models import AttendanceRole, AttendanceStatus, Meeting, MeetingKind
from dangjian.meetings.selectors import protocol_sorted
from dangjian.meetings.statements import block_paragraph

from . import news

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(14)
LINE_SPACING = Pt(28.95)
STATUS_WORDS = {
    AttendanceStatus.EXPECTED: "未登记",
    AttendanceStatus.PRESENT: "出席",
    AttendanceStatus.LATE: "迟到",
    AttendanceStatus.LEAVE: "请假",
    AttendanceStatus.ABSENT: "缺席",
}
CN_NUMBERS = "一二三四五六七八九十"


def set_font(run, name: str, size) -> None:
    run.font.name = name
    run.font.size = size
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def new_document() -> Document:
    """An empty A4 document with the standard's margins, styles and page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(7)  # the number sits 7 mm below the text block
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), BODY_FONT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE_SPACING
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    return doc


def _page_number(footer, alignment) -> None:
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.alignment = alignment
    p.paragraph_format.first_line_indent = Pt(0)
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        p.paragraph_format.right_indent = PAGE_NUMBER_SIZE
    else:
        p.paragraph_format.left_indent = PAGE_NUMBER_SIZE
    set_font(p.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    run = p.add_run()
    set_font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = " PAGE "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, shown, end):
        run._element.append(element)
    set_font(p.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def add_title(doc, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = p.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(35)  # a 2号 title needs more than the body's line
    set_font(p.add_run(text), TITLE_FONT, TITLE_SIZE)
    doc.add_paragraph()  # one blank line below the title


def add_body(doc, text: str, *, indent: bool = True):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING
    if indent:
        fmt.first_line_indent = BODY_SIZE * 2
        ind = p._p.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), "200")
    set_font(p.add_run(text), BODY_FONT, BODY_SIZE)
    return p


def add_heading1(doc, number: int, text: str):
    p = add_body(doc, "")
    p.runs[0].text = f"{cn_ordinal(number)}、{text}"
    set_font(p.runs[0], HEADING1_FONT, BODY_SIZE)
    return p


def add_heading2(doc, number: int, text: str):
    p = add_body(doc, "")
    p.runs[0].text = f"（{cn_ordinal(number)}）{text}"
    set_font(p.runs[0], HEADING2_FONT, BODY_SIZE)
    return p


def cn_ordinal(n: int) -> str:
    return news.cn_number(n)


def add_table(
    doc, headers: list[str], rows: list[list[str]], widths_mm: list[float], *, height_mm=None
):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text, width in zip(table.rows[0].cells, headers, widths_mm, strict=True):
        cell.width = Mm(width)
        _cell_text(cell, text, bold=True)
    for values in rows:
        row = table.add_row()
        if height_mm:
            row.height = Mm(height_mm)
        for cell, text, width in zip(row.cells, values, widths_mm, strict=True):
            cell.width = Mm(width)
            _cell_text(cell, text)
    return table


def _cell_text(cell, text: str, *, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    run = p.add_run(text)
    run.bold = bold
    set_font(run, HEADING1_FONT if bold else BODY_FONT, TABLE_SIZE)


def _paragraphs(doc):
    """Every paragraph of the body, its tables and the page headers and footers."""
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in doc.sections:
        for part in (section.header, section.footer):
            yield from part.paragraphs


def save(doc) -> bytes:
    for paragraph in _paragraphs(doc):  # official Chinese text: full-width punctuation
        for run in paragraph.runs:
            text = run.text
            if text and (fixed := fullwidth(text)) != text:  # a field code run has no text
                run.text = fixed
    watermark_docx(doc)  # who exported it and when, in the page header (core/watermark.py)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------- content


def meeting_time(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    text = f"{news.cn_date(start)} {start:%H:%M}"
    if meeting.ends_at:
        end = timezone.localtime(meeting.ends_at)
        text += (
            f"—{end:%H:%M}" if end.date() == start.date() else f"—{news.cn_date(end)} {end:%H:%M}"
        )
    return text


def chair_text(meeting: Meeting) -> str:
    if meeting.chair is not None:
        title = person_title(meeting, meeting.chair)
        return f"{meeting.chair.name}({title})" if title else meeting.chair.name
    return meeting.chair_name


def person_title(meeting: Meeting, member, posts=None) -> str:
    if posts is None:
        posts = news._posts_by_member(meeting, [member.pk])
    return news._titles(
        news._short(meeting.organization), posts.get(member.pk, []), member.admin_title
    )


def document_title(meeting: Meeting, suffix: str) -> str:
    title = meeting.title.strip()
    return title if title.endswith(suffix) else f"{title}{suffix}"


def attendance_rows(meeting: Meeting):
    """The meeting's attendance in protocol order (post, rank, then 姓氏笔画)."""
    return protocol_sorted(
        meeting, meeting.attendances.select_related("member", "member__organization")
    )


def _block_paragraphs(item) -> list[str]:
    """The item's blocks as paragraphs (会议指出，……), when the record states them."""
    return [p for p in (block_paragraph(b, b.measures.all()) for b in news._blocks_of(item)) if p]


def meeting_minutes_docx(meeting: Meeting) -> bytes:
    """The minutes of ``meeting``: header, agenda items with minutes and decisions, tasks."""
    doc = new_document()
    add_title(doc, document_title(meeting, "会议记录"))
    attendances = attendance_rows(meeting)
    by_status: dict[str, list] = {}
    for a in attendances:
        by_status.setdefault(a.status, []).append(a)

    add_heading1(doc, 1, "会议基本情况")
    add_body(doc, f"时间：{meeting_time(meeting)}")
    add_body(doc, f"地点：{meeting.venue or '—'}")
    add_body(doc, f"主持人：{chair_text(meeting) or '—'}")
    add_body(doc, f"记录人：{meeting.recorder.name if meeting.recorder else '—'}")
    present = [a for a in attendances if a.status in news.PRESENT]
    add_body(doc, f"应到{len(attendances)}人，实到{len(present)}人。")
    for role, word in ((AttendanceRole.ATTENDING, "出席"), (AttendanceRole.OBSERVING, "列席")):
        names = "、".join(
            a.member.name + ("(迟到)" if a.status == AttendanceStatus.LATE else "")
            for a in present
            if a.role == role
        )
        if names:
            add_body(doc, f"{word}：{names}")
    for status, word in ((AttendanceStatus.LEAVE, "请假"), (AttendanceStatus.ABSENT, "缺席")):
        rows = by_status.get(status, [])
        if rows:
            names = "、".join(a.member.name + (f"({a.reason})" if a.reason else "") for a in rows)
            add_body(doc, f"{word}:{names}")
    invited = [
        f"{i.get('title', '')}{i.get('name', '')}"
        for i in meeting.invited_leaders or []
        if isinstance(i, dict) and i.get("name")
    ]
    if invited:
        add_body(doc, f"列席：{'、'.join(invited)}")

    add_heading1(doc, 2, "会议议题")
    items = news._agenda(meeting)
    if not items:
        add_body(doc, "(未记录议题)")
    for n, item in enumerate(items, 1):
        add_heading2(doc, n, item.title)
        topics = news._topics_of(item)
        if topics:
            add_body(doc, "学习内容：" + "；".join(news.topic_phrase(t) for t in topics) + "。")
        for line in (item.minutes or "").splitlines():
            if line.strip():
                add_body(doc, line.strip())
        blocks = _block_paragraphs(item)
        for paragraph in blocks:
            add_body(doc, paragraph)
        decisions = [] if blocks else news.decision_texts(item)
        if decisions:
            add_body(doc, "会议决定（要求）：")
            for i, text in enumerate(decisions, 1):
                add_body(doc, f"{i}.{text}。")

    tasks = list(
        meeting.tasks.select_related("lead_unit", "lead_organization", "responsible")
        .prefetch_related("cooperating_units")
        .order_by("origin_agenda_item__order", "deadline", "id")
    )
    add_heading1(doc, 3, "议定事项及分工")
    if not tasks:
        add_body(doc, "(无)")
    for i, task in enumerate(tasks, 1):
        lead = task.lead_unit or task.lead_organization
        parts = [f"{i}.{task.title}。"]
        if lead:
            parts.append(f"牵头单位：{lead}。")
        cooperating = "、".join(u.name for u in task.cooperating_units.all())
        if cooperating:
            parts.append(f"配合单位：{cooperating}。")
        if task.responsible:
            parts.append(f"责任人：{task.responsible.name}。")
        parts.append(f"完成时限：{news.cn_date(task.deadline)}。")
        add_body(doc, "".join(parts))
    return save(doc)


# ----------------------------------------------------------------------------- 会议纪要
#
# A 党组会议纪要 in the 纪要 form of GB/T 9704 (10.2): the mark "X会议纪要" in red
# 小标宋 at the head, its number 〔年〕N号 centred below it, a red rule, then the
# body: the opening paragraph (when, who chaired, what was studied), one part
# per agenda item with the blocks' prose (会议指出 / 强调 / 要求 / 认为) and the
# measures, and at the end 出席 / 列席 / 请假 (with reason) in protocol order.
#
# N is assigned, not entered: the meeting's place among the organization's
# held meetings of the same kind in the calendar year, in order of time (then
# record id). It is computed when the document is made, so it is the same on
# every download; recording an earlier meeting later shifts the numbers of the
# later ones — the register of issued numbers stays with the office.

MARK_COLOR = (0xFF, 0x00, 0x00)


def summary_number(meeting: Meeting) -> str:
    """〔2023〕N号: N-th held meeting of its kind of the organization in the year."""
    start = timezone.localtime(meeting.starts_at)
    year_start = timezone.make_aware(datetime.datetime(start.year, 1, 1))
    earlier = (
        Meeting.objects.filter(
            organization_id=meeting.organization_id,
            kind=meeting.kind,
            status=Meeting.Status.HELD,
            starts_at__gte=year_start,
        )
        .exclude(pk=meeting.pk)
        .filter(
            models.Q(starts_at__lt=meeting.starts_at)
            | models.Q(starts_at=meeting.starts_at, pk__lt=meeting.pk)
        )
        .count()
    )
    return f"〔{start.year}〕{earlier + 1}号"


def summary_mark(meeting: Meeting) -> str:
    noun = news.genre(meeting).noun
    name = meeting.organization.name
    if meeting.kind == MeetingKind.LEADING_GROUP_MEETING and name.endswith("党组"):
        return f"{name}会议纪要"
    return f"{name}{noun}纪要" if not noun.startswith(name) else f"{noun}纪要"


def _red_rule(doc) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(0)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "12"),
        ("w:space", "1"),
        ("w:color", "FF0000"),
    ):
        bottom.set(qn(key), value)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)


def summary_people(meeting: Meeting) -> list[tuple[str, str]]:
    """(出席 / 列席 / 请假, names) lines in protocol order; 请假 with the reason."""
    rows = attendance_rows(meeting)
    lines = []
    attending = [
        a.member.name
        for a in rows
        if a.status in news.PRESENT and a.role == AttendanceRole.ATTENDING
    ]
    observing = [
        a.member.name
        for a in rows
        if a.status in news.PRESENT and a.role == AttendanceRole.OBSERVING
    ]
    observing += [
        f"{i.get('title', '')}{i.get('name', '')}"
        for i in meeting.invited_leaders or []
        if isinstance(i, dict) and i.get("name")
    ]
    leave = [
        a.member.name + (f"（{a.reason}）" if a.reason else "")
        for a in rows
        if a.status == AttendanceStatus.LEAVE
    ]
    for word, names in (("出席", attending), ("列席", observing), ("请假", leave)):
        if names:
            lines.append((word, "、".join(names)))
    return lines


def meeting_summary_docx(meeting: Meeting) -> bytes:
    """The 会议纪要 of ``meeting`` (see above)."""
    doc = new_document()
    mark = doc.add_paragraph()
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    mark.paragraph_format.first_line_indent = Pt(0)
    mark.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    mark.paragraph_format.line_spacing = Pt(60)
    run = mark.add_run(summary_mark(meeting))
    set_font(run, TITLE_FONT, Pt(36))
    run.font.color.rgb = RGBColor(*MARK_COLOR)
    number = add_body(doc, summary_number(meeting), indent=False)
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _red_rule(doc)
    doc.add_paragraph()

    day = news.cn_date(timezone.localtime(meeting.starts_at))
    chair = meeting.chair.name + "同志" if meeting.chair else meeting.chair_name
    items = news._agenda(meeting)
    studied = [news.topic_phrase(t) for item in items for t in news._topics_of(item)]
    opening = (
        f"{day}，{chair}主持召开{news.genre(meeting).noun}"
        if chair
        else (f"{day}，{meeting.organization.name}召开{news.genre(meeting).noun}")
    )
    if studied:
        opening += f"，传达学习{news._join(studied)}"
    others = [i.title.strip().rstrip("。") for i in items if i.kind != "study" and i.title]
    if others:
        opening += f"，研究{news._join(others)}"
    add_body(doc, opening + "。现将会议主要精神纪要如下：")
    for n, item in enumerate(items, 1):
        add_heading1(doc, n, item.title.strip().rstrip("。"))
        paragraphs = _block_paragraphs(item)
        if not paragraphs:
            texts = news.decision_texts(item)
            if texts:
                paragraphs = [
                    "会议要求，"
                    + "".join(f"{news.cn_number(i)}要{t}。" for i, t in enumerate(texts, 1))
                    if len(texts) > 1
                    else f"会议要求，{texts[0]}。"
                ]
            elif item.minutes.strip():
                paragraphs = [line.strip() for line in item.minutes.splitlines() if line.strip()]
        for paragraph in paragraphs:
            add_body(doc, paragraph)
    doc.add_paragraph()
    for word, names in summary_people(meeting):
        p = add_body(doc, "", indent=False)
        p.runs[0].text = f"{word}：{names}"
        set_font(p.runs[0], HEADING1_FONT, BODY_SIZE)
    return save(doc)
