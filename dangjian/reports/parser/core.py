"""``parse_report``: the text of one news report → the record of REPORT_SCHEMA.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import extract as ex
from .text import prepare

#: Text beyond this many characters is not read (a report is a few thousand characters;
#: the cap keeps time and memory bounded for a pasted book or a 1 MB file).
MAX_CHARS = 60_000

SCHEMA_FIELDS = (
    "kind",
    "org",
    "title",
    "date",
    "meeting_type",
    "activity_types",
    "venue",
    "chair",
    "leaders",
    "study_items",
    "measures",
    "presenting_units",
    "campaign",
)


@dataclass
class Chair:
    name: str
    titles: str | None


@dataclass
class Leader:
    name: str
    titles: str | None
    role: str | None


@dataclass
class ParsedReport:
    """Typed view of the record (``to_dict`` gives the JSON shape)."""

    kind: str | None = None
    org: str | None = None
    title: str | None = None
    date: str | None = None
    meeting_type: str | None = None
    activity_types: list[str] = field(default_factory=list)
    venue: str | None = None
    chair: Chair | None = None
    leaders: list[Leader] = field(default_factory=list)
    study_items: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    presenting_units: list[str] = field(default_factory=list)
    campaign: str | None = None
    # Optional fields beyond the schema.
    planned_activities: list[dict[str, str]] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)
    participant_groups: list[str] = field(default_factory=list)
    theme: str | None = None
    presentations: list[dict[str, str | None]] = field(default_factory=list)
    inferred_year: dict[str, Any] | None = None
    confidence: dict[str, float] = field(default_factory=dict)
    spans: dict[str, list[list[int]]] = field(default_factory=dict)
    furniture: list[list[int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["chair"] = dict(self.chair.__dict__) if self.chair else None
        d["leaders"] = [dict(x.__dict__) for x in self.leaders]
        return d


def _sp(span: tuple[int, int] | None) -> list[list[int]]:
    return [[span[0], span[1]]] if span else []


def _drop_org(titles: str | None, org: str | None) -> str | None:
    """省广电局党组书记、局长 → 党组书记、局长 when the record's org is 省广电局党组."""
    if not titles or not org:
        return titles
    base = org.removesuffix("党组").removesuffix("党委")
    if (
        len(base) >= 2
        and titles.startswith(base)
        and titles[len(base) :].startswith(("党组", "党委"))
    ):
        return titles[len(base) :]
    return titles


def parse(text: str) -> ParsedReport:
    """Parse ``text`` into a :class:`ParsedReport`. Never raises on any ``str``."""
    if not isinstance(text, str):
        raise TypeError("parse_report expects str; decode bytes first (see decode_bytes)")
    r = ParsedReport()
    if len(text) > MAX_CHARS:
        r.warnings.append(f"text longer than {MAX_CHARS} characters: only the start was read")
        text = text[:MAX_CHARS]
    p = prepare(text)
    r.furniture = [[a, b] for a, b in p.furniture]
    if not any("\u4e00" <= ch <= "\u9fff" for ch in p.body):
        r.warnings.append("no Chinese text found")
        return r

    title = ex.find_title(p)
    ev = ex.find_event(p, title)
    kinds = ex.classify(p, title, ev)
    study = ex.find_study_items(p, exclude=title.spans)
    chair, leaders = ex.find_people(p, exclude=study)
    org = ex.find_org(p, title, ev, kinds, chair)
    date = ex.find_date(p, title, ev)
    _venue, venue_span = ex.find_venue(p, ev, exclude=study, title=title)
    measures = ex.find_measures(p)
    units = ex.find_presenting_units(p, kinds)
    campaign = ex.find_campaign(p, title, ev, org.value)

    r.kind = kinds.kind
    r.meeting_type = kinds.meeting_type if kinds.kind == "meeting" else None
    if (
        r.meeting_type == "其他"
        and chair
        and "支部书记" in (chair.titles or "")
        and kinds.evidence
        and "党员大会" in p.body[kinds.evidence[0][0] : kinds.evidence[0][1]]
    ):
        r.meeting_type = "支部党员大会"  # a 党员大会 chaired by the branch secretary
    upgraded_to = None
    if r.meeting_type == "其他" and ev.verb:
        named = p.body[ev.verb[1] : ev.verb[1] + 16].lstrip("了 ")
        led = " ".join(x.titles or "" for x in ([chair] if chair else []) + leaders)
        body = "党组" if "党组书记" in led else "党委" if "党委书记" in led else None
        if body and re.match(r"(?:理论学习|理论)?中心组", named):
            # "区教体局召开理论学习中心组学习会", led by the 党组书记: the 党组's 中心组
            r.meeting_type = body + "理论学习中心组学习"
            upgraded_to = body
    r.activity_types = list(kinds.activity_types) if kinds.kind == "activity" else []
    r.title = title.value
    r.org = org.value
    if (
        upgraded_to
        and r.org
        and not re.search(r"党组|党委|党工委|支部|总支|[市县区省州旗]委$", r.org)
    ):
        r.org += upgraded_to
    if r.org is None:
        meeting_of = (kinds.meeting_type or "")[:2] if kinds.kind == "meeting" else None
        r.org = ex.org_from_people(
            ([chair] if chair else []) + leaders, meeting_of in ("党组", "党委") and meeting_of
        )
        if r.org:
            org = ex.OrgResult(r.org, None, 0.4)
    r.date = date.value
    guess = ex.infer_year(p) if r.date and r.date.startswith("--") else None
    if guess:
        year, evidence, _span, source = guess
        r.inferred_year = {"year": year, "evidence": evidence, "source": source}
    r.venue = p.original[venue_span[0] : venue_span[1]].strip() if venue_span else None
    if chair:
        r.chair = Chair(chair.name, _drop_org(chair.titles, r.org))
    r.leaders = [Leader(x.name, _drop_org(x.titles, r.org), x.role) for x in leaders]
    r.study_items = [ex.value_of(p, s) for s in study]
    r.measures = [ex.value_of(p, s) for s in measures]
    r.presenting_units = [ex.value_of(p, s) for s in units]
    r.campaign = ex.value_of(p, campaign) if campaign else None

    caps = ex.find_capabilities(p)
    r.capabilities = [c for c, _ in caps]
    series = ex.find_planned_activities(p)
    r.planned_activities = [{"text": t, "type": k} for t, k, _ in series]
    groups = ex.find_participant_groups(p, ([chair] if chair else []) + leaders)
    r.participant_groups = [ex.value_of(p, s) for s in groups]
    theme = ex.find_theme(p) if kinds.kind == "activity" else None
    r.theme = ex.value_of(p, theme) if theme else None
    topics = ex.find_presentation_topics(p, units)
    r.presentations = [
        {"unit": ex.value_of(p, u), "topic": ex.value_of(p, t) if t else None}
        for u, t in zip(units, topics, strict=True)
    ]

    r.spans = {
        "title": [[a, b] for a, b in title.spans],
        "kind": [[a, b] for a, b in kinds.evidence[:1]],
        "meeting_type": [[a, b] for a, b in kinds.evidence[:1]] if r.meeting_type else [],
        "activity_types": [[a, b] for a, b in kinds.evidence] if r.activity_types else [],
        "org": _sp(org.span),
        "date": _sp(date.span),
        "venue": _sp(venue_span),
        "chair": _sp(chair.span if chair else None),
        "leaders": [[x.span[0], x.span[1]] for x in leaders],
        "study_items": [[a, b] for a, b in study],
        "measures": [[a, b] for a, b in measures],
        "presenting_units": [[a, b] for a, b in units],
        "campaign": _sp(campaign),
        "capabilities": [[s[0], s[1]] for _, s in caps],
        "planned_activities": [[s[0], s[1]] for _, _, s in series],
        "participant_groups": [[a, b] for a, b in groups],
        "theme": _sp(theme),
        "inferred_year": _sp(guess[2]) if guess else [],
    }
    r.confidence = {
        "kind": 0.9 if kinds.kind and kinds.evidence else 0.0,
        "org": org.confidence,
        "title": 0.9 if title.value else 0.0,
        "date": date.confidence,
        "meeting_type": 0.8
        if r.meeting_type and r.meeting_type != "其他"
        else (0.5 if r.meeting_type else 0.0),
        "activity_types": 0.8
        if r.activity_types and r.activity_types != ["其他"]
        else (0.5 if r.activity_types else 0.0),
        "venue": 0.7 if r.venue else 0.0,
        "chair": 0.9 if chair else 0.0,
        "leaders": 0.8 if leaders else 0.0,
        "study_items": 0.7 if study else 0.0,
        "measures": 0.8 if measures else 0.0,
        "presenting_units": 0.6 if units else 0.0,
        "campaign": 0.6 if campaign else 0.0,
    }
    return r


def parse_report(text: str) -> dict[str, Any]:
    """The main API: report text → record (REPORT_SCHEMA.md fields first, then extras).

    ``spans`` maps a field to ``[start, end]`` character offsets into ``text`` (one per
    extracted value, in the same order), for highlighting; ``furniture`` lists the spans
    recognized as page furniture. Pure function: no database, no network, no files.
    """
    return parse(text).to_dict()
