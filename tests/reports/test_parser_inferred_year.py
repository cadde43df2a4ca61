"""``inferred_year``: a year the text implies when it gives none for the event (issue 12, 9).

The schema's ``date`` keeps ``--MM-DD`` (the year must be read from the text); the extra field
suggests a year with its evidence, for the importer to offer.
"""

from __future__ import annotations

from pathlib import Path

from dangjian.reports.parser import parse_report

SEED_002 = Path(__file__).parent / "seeds" / "002_5d496fc68e932dd4.txt"


def test_seed_002_anniversary_gives_2023_and_the_date_keeps_no_year():
    text = SEED_002.read_text(encoding="utf-8")
    r = parse_report(text)
    assert r["date"] == "--12-27"
    assert r["inferred_year"] == {
        "year": 2023,
        "evidence": "毛泽东同志诞辰130周年",
        "source": "anniversary",
    }
    (a, b) = r["spans"]["inferred_year"][0]
    assert text[a:b] == "毛泽东同志诞辰130周年"


def test_party_anniversary():
    r = parse_report("6月28日,市档案局党支部开展庆祝中国共产党成立102周年主题党日活动。")
    assert r["date"] == "--06-28"
    assert r["inferred_year"]["year"] == 2023
    assert r["inferred_year"]["source"] == "anniversary"


def test_no_suggestion_when_the_date_has_a_year_or_the_evidence_disagrees():
    dated = parse_report("2024年6月28日,某局党支部开展庆祝中国共产党成立103周年主题党日活动。")
    assert dated["date"] == "2024-06-28" and dated["inferred_year"] is None
    mixed = parse_report(
        "10月1日,某局召开会议,庆祝新中国成立70周年,学习纪念毛泽东同志诞辰130周年座谈会精神。"
    )
    assert mixed["inferred_year"] is None


def test_a_single_year_mention_is_weak_evidence_and_history_is_ignored():
    r = parse_report("3月12日,某校党委召开理论学习中心组会议。会上部署了2018年学习计划。")
    assert r["inferred_year"] == {"year": 2018, "evidence": "2018年", "source": "mention"}
    old = parse_report("5月21日,某支部开展专题党课,讲述了1945年“窑洞对”的故事。")
    assert old["inferred_year"] is None
