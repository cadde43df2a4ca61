"""The seeds regenerate themselves (issue 12 point 8): the news draft built from the demo's
record of seed 002 states every fact of the seed — the headline's lead topic and event, the
people with their titles in the seed's order, the study items in order, and every block's
words and requirements verbatim under their block. On failure the missing facts are listed."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from dangjian.core import demo, demo_meetings
from dangjian.core.typography import fullwidth
from dangjian.meetings.models import Meeting
from dangjian.reports import news

SEEDS = Path(__file__).parent / "seeds"
LEADS = ("会议指出", "会议强调", "会议要求", "会议认为")


def fold(text: str) -> str:
    """Width and spacing do not count (the draft writes full-width punctuation)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def seed_facts(name: str) -> tuple[list[tuple[str, str, str]], str]:
    """(what, where, text) facts of a seed report, and its text."""
    text = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
    data = json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    facts = []
    # The headline: who, the meeting, and the lead topic's event.
    headline = data["title"]
    event = re.search(r"在(?:中共中央)?(.+?会)上", headline).group(1)
    facts += [("headline", "headline", data["org"][:4]), ("headline event", "headline", event)]
    facts.append(("headline", "headline", "重要讲话精神"))
    # The people with their titles, in the seed's order.
    facts.append(("chair", "lead", data["chair"]["titles"] + data["chair"]["name"]))
    for item in data["study_items"]:
        facts.append(("study item in order", "lead", item))
    facts.append(("attendee titles", "lead", data["leaders"][0]["titles"]))
    for leader in data["leaders"]:
        facts.append(("person in order", "lead", leader["name"]))
    # Each block: its lead with its first words, then every requirement verbatim, in order.
    for paragraph in paragraphs:
        if not paragraph.startswith(LEADS):
            continue
        facts.append(("block", "block", paragraph[:12]))
        for sentence in re.split(r"(?<=。)", paragraph[5:]):
            if sentence.strip():
                facts.append(("requirement verbatim", "in block", sentence.strip()))
    return facts, text


def missing_facts(facts, draft: str) -> list[str]:
    """The facts the draft lacks; people, study items and blocks must come in the seed's
    order, each requirement inside the block it belongs to."""
    paragraphs = [p for p in draft.split("\n") if p.strip()]
    headline, lead, body = fold(paragraphs[0]), fold(paragraphs[1]), paragraphs[2:]
    missing = []
    lead_pos = 0
    block_index = -1
    block_text = ""
    block_pos = 0
    for what, where, text in facts:
        needle = fold(fullwidth(text))
        if where == "headline":
            if needle not in headline:
                missing.append(f"{what}: {text}")
        elif where == "lead":
            ordered = what.endswith("in order")
            found = lead.find(needle, lead_pos if ordered else 0)
            if found < 0:
                missing.append(f"{what}: {text}")
            elif ordered:
                lead_pos = found + len(needle)
        elif where == "block":
            block_index += 1
            block_text = fold(body[block_index]) if block_index < len(body) else ""
            block_pos = 0
            if not block_text.startswith(needle):
                missing.append(f"{what} {block_index + 1}: {text}")
        else:
            found = block_text.find(needle, block_pos)
            if found < 0:
                missing.append(f"{what} (block {block_index + 1}): {text}")
            else:
                block_pos = found + len(needle)
    return missing


@pytest.mark.django_db
def test_seed_002_regenerates_from_the_demo_record():
    """Every fact of seed 002 is in the draft generated from the demo's record of it."""
    demo.load_demo(size=120, seed=5, password="Demo-password-2024")
    meeting = Meeting.objects.get(title=demo_meetings.SEED_TITLE)
    draft = news.meeting_news_draft(meeting)
    facts, _text = seed_facts("002_5d496fc68e932dd4")
    assert len(facts) > 30
    missing = missing_facts(facts, draft)
    assert not missing, "Missing from the draft:\n" + "\n".join(missing) + "\n\n" + draft


def test_the_check_reports_what_a_draft_lacks():
    """The comparison itself: a draft without a requirement, or with two study items
    swapped, is reported."""
    facts, text = seed_facts("002_5d496fc68e932dd4")
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    faithful = "\n\n".join(
        [
            paragraphs[0].replace("\n", ""),
            "省广电局党组书记、局长张新文主持召开党组会议，" + paragraphs[1],
            *paragraphs[2:],
        ]
    )
    assert missing_facts(facts, faithful) == []
    dropped = faithful.replace("三要持之以恒正风肃纪", "三要")
    assert any("三要持之以恒正风肃纪" in m for m in missing_facts(facts, dropped))
    swapped = faithful.replace("中央农村工作会议精神、中共中央政治局", "中共中央政治局")
    assert any("中央农村工作会议精神" in m for m in missing_facts(facts, swapped))
