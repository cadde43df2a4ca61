"""Chinese text search for the topic library, the same on SQLite and PostgreSQL.

Two stored columns are derived from title + text when a topic is saved:

- ``search_text``: NFKC-folded, lower-cased, whitespace removed. A substring
  query ("总书记重要讲话") is ``search_text LIKE '%q%'`` (icontains), which both
  databases run without a tokenizer. On PostgreSQL a pg_trgm GIN index on this
  column makes the scan an index lookup when the extension is available; the
  query is the same.
- ``search_words``: the words of a jieba segmentation (rjieba, search mode),
  space-separated and wrapped in spaces, so a keyword query matches whole words:
  each query word must occur as `` word `` (AND across words).
"""

from __future__ import annotations

import re
import unicodedata

import rjieba

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w", re.UNICODE)


def fold(text: str) -> str:
    """Full-width to half-width, lower case, no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def words(text: str) -> list[str]:
    """Distinct meaningful words of ``text`` in first-seen order."""
    seen: dict[str, None] = {}
    for word in rjieba.cut_for_search(unicodedata.normalize("NFKC", text or "").lower()):
        word = word.strip()
        if word and _WORD.search(word):
            seen.setdefault(word, None)
    return list(seen)


def index_text(title: str, text: str) -> tuple[str, str]:
    """The (search_text, search_words) columns for a topic."""
    combined = f"{title}\n{text}"
    return fold(combined), " " + " ".join(words(combined)) + " "
