"""The watermark of exported documents (.docx): who exported it and when.

Spreadsheets get theirs in ``core.xlsx`` (a visible first row, the printed
header and the file properties). Documents generated from records (minutes,
attendance and sign-in sheets) get the same line in the page header of every
page and in the file properties; the user is the request's user.
"""

from __future__ import annotations

from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from .middleware import current_user
from .xlsx import watermark_text


def watermark_docx(doc, user=None) -> str:
    user = user if user is not None else current_user()
    text = watermark_text(user, timezone.now())
    for section in doc.sections:
        headers = [section.header]
        if doc.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
        for header in headers:
            header.is_linked_to_previous = False
            p = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = p.add_run(text)
            run.font.size = Pt(8)
            run.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    props = doc.core_properties
    props.comments = text
    if user is not None:
        props.last_modified_by = user.get_username()
    return text
