"""The two seed reports parse to exactly the records given in REPORT_SCHEMA.md."""

import json
from pathlib import Path

import pytest

from dangjian.reports.parser import SCHEMA_FIELDS, parse_report

SEEDS = Path(__file__).parent / "seeds"


@pytest.mark.parametrize("name", ["002_5d496fc68e932dd4", "000_67fb47b01aeea588"])
def test_seed_gives_the_documented_record(name):
    """Every REPORT_SCHEMA.md field of the seed's record equals the documented example."""
    expected = json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))
    record = parse_report((SEEDS / f"{name}.txt").read_text(encoding="utf-8"))
    assert {k: record[k] for k in SCHEMA_FIELDS} == expected


def test_seed_spans_point_at_the_values():
    """Each span in ``spans`` covers exactly the text of the value it belongs to."""
    text = (SEEDS / "002_5d496fc68e932dd4.txt").read_text(encoding="utf-8")
    record = parse_report(text)
    spans = record["spans"]
    assert [text[a:b] for a, b in spans["study_items"]] == record["study_items"]
    assert [text[a:b] for a, b in spans["measures"]] == record["measures"]
    assert [text[a:b] for a, b in spans["leaders"]] == [x["name"] for x in record["leaders"]]
    ((a, b),) = spans["chair"]
    assert text[a:b] == record["chair"]["name"]
    assert "".join(text[a:b] for a, b in spans["title"]) == record["title"]


def test_seed_extras():
    """The launch seed also yields the planned series, the seven capabilities and the groups."""
    text = (SEEDS / "000_67fb47b01aeea588.txt").read_text(encoding="utf-8")
    record = parse_report(text)
    assert record["capabilities"] == [
        "政治能力",
        "调查研究能力",
        "科学决策能力",
        "改革攻坚能力",
        "应急处突能力",
        "群众工作能力",
        "抓落实能力",
    ]
    assert [x["type"] for x in record["planned_activities"]] == [
        "专题培训",
        "主题党日",
        "论坛",
        "交流展示",
        "报告会",
    ]
    assert "总局机关各部门党支部副书记" in record["participant_groups"]
