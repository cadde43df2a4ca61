"""Field-by-field scoring of parsed records against hand labels.

This follows REPORT_SCHEMA.md, "How it is judged":

- ``kind``, ``date``, ``meeting_type``, ``venue``, ``chair.name``: exact match.
- ``org``, ``title``, ``campaign``: equal after removing spaces and quotes.
- ``leaders`` (by name), ``activity_types``, ``presenting_units``: set F1.
- ``study_items``, ``measures``: set F1 where two strings match when one contains the other or
  they share their first eight characters after removing punctuation.

For the scalar fields the per-report score is 1 or 0 (two nulls agree); for list fields it is
the F1 (two empty lists agree: 1.0). A field's score over a set is the mean over reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

EXACT = ("kind", "date", "meeting_type", "venue", "chair")
LOOSE = ("org", "title", "campaign")
SETS = ("leaders", "activity_types", "presenting_units")
FUZZY = ("study_items", "measures")
FIELDS = EXACT + LOOSE + SETS + FUZZY

_SPACES_QUOTES = re.compile(r"[\s“”\"'‘’「」『』]+")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def _loose(v: Any) -> Any:
    return None if v is None else _SPACES_QUOTES.sub("", str(v))


def _f1(pred: list, gold: list, match) -> float:
    if not pred and not gold:
        return 1.0
    if not pred or not gold:
        return 0.0
    used: set[int] = set()
    tp = 0
    for x in pred:
        for j, y in enumerate(gold):
            if j not in used and match(x, y):
                used.add(j)
                tp += 1
                break
    if tp == 0:
        return 0.0
    prec, rec = tp / len(pred), tp / len(gold)
    return 2 * prec * rec / (prec + rec)


def fuzzy_match(a: str, b: str) -> bool:
    a2, b2 = _PUNCT.sub("", a), _PUNCT.sub("", b)
    if not a2 or not b2:
        return a2 == b2
    return a2 in b2 or b2 in a2 or a2[:8] == b2[:8]


def score_field(name: str, pred: dict, gold: dict) -> float:
    pv, gv = pred.get(name), gold.get(name)
    if name == "chair":
        pn = (pv or {}).get("name") if isinstance(pv, dict) else None
        gn = (gv or {}).get("name") if isinstance(gv, dict) else None
        return float(pn == gn)
    if name in EXACT:
        return float(pv == gv)
    if name in LOOSE:
        return float(_loose(pv) == _loose(gv))
    if name == "leaders":
        pl = list(dict.fromkeys(x["name"] for x in pv or []))
        gl = list(dict.fromkeys(x["name"] for x in gv or []))
        return _f1(pl, gl, lambda a, b: a == b)
    if name in SETS:
        return _f1(
            list(dict.fromkeys(pv or [])), list(dict.fromkeys(gv or [])), lambda a, b: a == b
        )
    if name in FUZZY:
        return _f1(list(pv or []), list(gv or []), fuzzy_match)
    raise KeyError(name)


def score_set(pairs: Iterable[tuple[dict, dict]]) -> dict[str, float]:
    """Mean score per field over (predicted, gold) pairs; key ``"mean"`` averages the fields."""
    totals = dict.fromkeys(FIELDS, 0.0)
    n = 0
    for pred, gold in pairs:
        n += 1
        for f in FIELDS:
            totals[f] += score_field(f, pred, gold)
    if n == 0:
        return {}
    out = {f: round(totals[f] / n, 4) for f in FIELDS}
    out["mean"] = round(sum(out[f] for f in FIELDS) / len(FIELDS), 4)
    out["reports"] = n
    return out
