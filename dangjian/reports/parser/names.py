"""Person names: rules first, the segmenter where rules cannot decide.

Chinese word segmentation and name tagging come from ``rjieba`` (Python bindings of jieba-rs):
its dictionary ships inside the wheel, nothing is downloaded, and tagging a 3,000-character
report takes about a millisecond. It is imported lazily, on the first call that needs it, so
``dangjian`` commands that never parse a report do not load the dictionary.
"""

from __future__ import annotations

import functools
import re

from .lexicon import NOT_NAMES, SURNAMES_1, SURNAMES_2, TITLE_SUFFIXES

_TITLE_ENDS = tuple(t for t in TITLE_SUFFIXES if len(t) == 2)

_HAN_ONLY = re.compile(r"[\u4e00-\u9fff]{2,5}")


@functools.cache
def _jieba():
    import rjieba  # lazy: loads the dictionary (~0.2 s) on first use

    return rjieba


def tag(text: str) -> list[tuple[str, str]]:
    """Segment and POS-tag ``text`` (jieba tag set: nr = person name)."""
    if not text:
        return []
    return list(_jieba().tag(text))


def has_surname(name: str) -> bool:
    return name[:2] in SURNAMES_2 or name[:1] in SURNAMES_1


def is_common_word(word: str) -> bool:
    """True when the dictionary knows ``word`` as something other than a person name."""
    j = _jieba()
    if not j.has_word(word):
        return False
    tags = j.tag(word)
    return len(tags) == 1 and not tags[0][1].startswith("nr")


def plausible_name(name: str, *, strong_context: bool) -> bool:
    """Can ``name`` be a person's name here?

    ``strong_context``: the candidate sits between a title and a verb such as 主持/出席
    (局长张新文主持), where position alone is good evidence; common words that happen to be
    names (庄严) are then accepted. Elsewhere the dictionary must not know it as a common word.
    """
    if not _HAN_ONLY.fullmatch(name) or name in NOT_NAMES or name[:2] in NOT_NAMES:
        return False
    if len(name) > 4:
        return False
    if any(ch in name for ch in "的了是们这那个") or (
        "在" in name and (len(name) != 3 or name[1] != "在")
    ):
        return False
    if not strong_context and name[0] in "和与及为对把将从等其各全":
        return False
    if name.endswith(_TITLE_ENDS):
        return False
    if not has_surname(name):
        # Names without a common surname (卓玛才让, 买买提) must be tagged as names.
        tags = tag(name)
        return bool(tags) and all(t.startswith("nr") for _, t in tags) and len(name) >= 3
    if strong_context:
        return True
    return not is_common_word(name)


def names_in(text: str) -> list[tuple[int, int]]:
    """Spans of words tagged as person names (nr*) in ``text``."""
    out = []
    pos = 0
    for word, t in tag(text):
        start = text.find(word, pos)
        if start < 0:
            continue
        pos = start + len(word)
        if t.startswith("nr") and 2 <= len(word) <= 4 and has_surname(word):
            out.append((start, pos))
    return out
