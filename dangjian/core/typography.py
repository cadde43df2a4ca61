"""Chinese typography for every generated document: full-width punctuation in Chinese text.

Records hold what people typed or pasted (a pasted report may say “政治机关,政治工作”; a
template may write ``(一)``); the documents made from them (minutes, sheets, ledgers, news
drafts) are official Chinese texts, and those take ，：；？！（）“” inside Chinese. The
rules only touch punctuation that stands next to Chinese text, so numbers, times
(``14:30``), user names and English stay as they are. ``halfwidth_problems`` is the same
judgement as a check, used by the tests that scan every generated file.
"""

from __future__ import annotations

import re

# CJK ideographs plus the full-width punctuation and quotes that close or open Chinese text.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CN = f"[{_HAN}\u3000-\u303f\uff01-\uff5e\u201c\u201d\u2018\u2019\u2014\u2026]"
_HAN_RE = re.compile(f"[{_HAN}]")

_PUNCT = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
# A half-width mark with Chinese right before it (spaces allowed), or with Chinese right after
# it when it is not between two digits or two Latin letters (14:30, a:b stay).
_MARK_AFTER_CN = re.compile(f"(?<={_CN})[ \t]*([,:;?!])")
_MARK_BEFORE_CN = re.compile(f"(?<![0-9A-Za-z])([,:;?!])[ \t]*(?={_CN})")
_PARENS = re.compile(r"\(([^()]*)\)")
_QUOTES = re.compile(r'"([^"]*)"')
_DOUBLE_STOP = re.compile("。{2,}")
_DOUBLE_SPIRIT = re.compile("精神" + "(?:的)?" + "精神")


def _mark(match: re.Match) -> str:
    return _PUNCT[match.group(1)]


def _paren(match: re.Match) -> str:
    inner = match.group(1)
    start, end = match.span()
    text = match.string
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if _HAN_RE.search(inner) or _HAN_RE.match(before or " ") or _HAN_RE.match(after or " "):
        return f"（{inner}）"
    return match.group(0)


def _quote(match: re.Match) -> str:
    inner = match.group(1)
    return f"“{inner}”" if _HAN_RE.search(inner) else match.group(0)


def fullwidth(text: str) -> str:
    """The text with full-width punctuation inside Chinese, and doubled 。/精神 made one."""
    if not text or not _HAN_RE.search(text):
        return text
    text = _QUOTES.sub(_quote, text)
    text = _PARENS.sub(_paren, text)
    text = _MARK_AFTER_CN.sub(_mark, text)
    text = _MARK_BEFORE_CN.sub(_mark, text)
    text = _DOUBLE_STOP.sub("。", text)
    return _DOUBLE_SPIRIT.sub("精神", text)


_PROBLEMS = re.compile(
    f"(?:[{_HAN}][ \t]*[,:;?!])"  # 中文, 中文:
    f"|(?:(?<![0-9A-Za-z])[,:;?!][ \t]*[{_HAN}])"  # ,中文
    f"|(?:[{_HAN}]\\((?=[^)]*[{_HAN}]))"  # 中文(中文
    f"|(?:\\([{_HAN}][^)]*\\))"  # (中文)
    f'|(?:"[^"]*[{_HAN}][^"]*")'  # "中文"
    "|(?:。{2,})|(?:" + _DOUBLE_SPIRIT.pattern + ")"
)


def halfwidth_problems(text: str) -> list[str]:
    """Each place where the text breaks the rules, with a few characters around it."""
    return [text[max(0, m.start() - 8) : m.end() + 8] for m in _PROBLEMS.finditer(text or "")]
