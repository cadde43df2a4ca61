"""The blocks of a study item (会议指出 / 强调 / 要求 / 认为) as an office types them.

One text box holds all the blocks of an item, in this form (docs/architecture.md,
"Statement blocks"):

    会议指出【习近平总书记在纪念毛泽东同志诞辰130周年座谈会上的重要讲话】
    全局上下要认真学习……深入开展作风建设专项行动，为……提供坚强保障。
    * 深入开展作风建设专项行动
    会议要求【广西考察；中央农村工作会议】
    局系统各部门各单位要深入学习领会……坚定不移抓好贯彻落实。
    一要加快推进乡村振兴……
    二要……

* a line that is exactly one of the four leads, optionally followed by
  【…；…】 (the topics the block answers: each a number of the item's topics
  in order, or words of its title, width and spaces not counted), starts a
  block;
* a line starting with a Chinese numeral and 要 (一要, 十二要) is a numbered
  measure, verbatim;
* a line starting with ``*`` (or ``-``, ``·``) is a measure without a number:
  the words as they stand in the prose;
* any other line is the block's prose (lines are joined).

The same text is produced back from the record (:func:`format_blocks`), so
an item can be edited and saved without change.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.meetings.models import STATEMENT_LEADS

KIND_BY_LEAD = {lead: kind for kind, lead in STATEMENT_LEADS.items()}
_HEADER = re.compile(r"^(会议指出|会议强调|会议要求|会议认为)\s*(?:【([^】]*)】)?\s*[，,：:]?\s*$")
NUMBERED = re.compile(r"^([一二三四五六七八九十]+)要")
_BULLET = re.compile(r"^[*\-·•]\s*")
CN = "一二三四五六七八九"


def cn_value(numeral: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23; None for what is not such a numeral."""
    if "十" not in numeral:
        return CN.index(numeral) + 1 if len(numeral) == 1 and numeral in CN else None
    tens, _sep, ones = numeral.partition("十")
    if len(tens) > 1 or len(ones) > 1 or (tens and tens not in CN) or (ones and ones not in CN):
        return None
    return (CN.index(tens) + 1 if tens else 1) * 10 + (CN.index(ones) + 1 if ones else 0)


def measure_number(text: str) -> int | None:
    """The number of a measure that starts 一要…… (None for an unnumbered one)."""
    m = NUMBERED.match(text.strip())
    return cn_value(m.group(1)) if m else None


def fold(text: str) -> str:
    """Text for matching: full and half width alike (NFKC), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _resolve_topics(refs: str, topics: list, line: int) -> list:
    found = []
    for part in re.split(r"[;；]", refs or ""):
        part = part.strip()
        if not part:
            continue
        if re.fullmatch(r"[\d、,，\s]+", part):
            for number in (int(x) for x in re.findall(r"\d+", part)):
                if not 1 <= number <= len(topics):
                    raise ValidationError(
                        _("Line %(line)d: the item has no topic number %(number)d.")
                        % {"line": line, "number": number}
                    )
                found.append(topics[number - 1])
            continue
        matches = [t for t in topics if fold(part) in fold(t.title)]
        if len(matches) != 1:
            raise ValidationError(
                _("Line %(line)d: “%(words)s” names no single topic of this item.")
                % {"line": line, "words": part[:40]}
            )
        found.append(matches[0])
    return list(dict.fromkeys(found))


def parse_blocks(text: str, topics: list) -> list[dict]:
    """The blocks typed in ``text``: [{"kind", "prose", "topics", "measures": [{"text",
    "number"}]}], the topics taken from ``topics`` (the item's, in order). Raises
    ValidationError (with the line) for a measure before any block or a topic the item does
    not have."""
    blocks: list[dict] = []
    prose: list[str] = []

    def close():
        if blocks:
            blocks[-1]["prose"] = "".join(prose).strip()
        prose.clear()

    for n, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        header = _HEADER.match(unicodedata.normalize("NFKC", line))
        if header:
            close()
            blocks.append(
                {
                    "kind": KIND_BY_LEAD[header.group(1)],
                    "prose": "",
                    "topics": _resolve_topics(header.group(2), topics, n),
                    "measures": [],
                }
            )
            continue
        if not blocks:
            raise ValidationError(
                _("Line %(line)d: start with 会议指出, 会议强调, 会议要求 or 会议认为.")
                % {"line": n}
            )
        if NUMBERED.match(line):
            blocks[-1]["measures"].append({"text": line, "number": measure_number(line)})
        elif _BULLET.match(line):
            words = _BULLET.sub("", line).strip()
            if words:
                blocks[-1]["measures"].append({"text": words, "number": None})
        else:
            prose.append(line)
    close()
    return blocks


def format_blocks(blocks, topics: list) -> str:
    """The text of :func:`parse_blocks` for saved blocks (``topics``: the item's, in order;
    a block's topics are written by title in that order)."""
    position = {t.pk: i for i, t in enumerate(topics)}
    lines = []
    for block in blocks:
        named = sorted(
            (t for t in block.topics.all() if t.pk in position), key=lambda t: position[t.pk]
        )
        head = block.lead
        if named:
            head += "【" + "；".join(t.title for t in named) + "】"
        lines.append(head)
        if block.prose:
            lines.append(block.prose)
        for m in block.measures.all():
            lines.append(m.text if m.number else f"* {m.text}")
    return "\n".join(lines)


def block_paragraph(block, measures) -> str:
    """A block as a report's paragraph: 会议指出，prose, then each measure the prose does not
    already contain (a numbered measure follows the prose in the genre)."""
    prose = block.prose.strip()
    tail = "".join(m.text.strip() for m in measures if m.text.strip() not in prose)
    text = prose + tail
    return f"{block.lead}，{text}" if text else ""
