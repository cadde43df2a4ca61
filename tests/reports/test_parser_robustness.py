"""The parser never crashes or hangs, whatever the text; furniture never becomes a field."""

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.reports.parser import SCHEMA_FIELDS, InputError, decode_bytes, parse_report

# Pure functions and files: .ci/run runs these in one phase only.
pytestmark = pytest.mark.once

SEEDS = Path(__file__).parent / "seeds"
LIST_FIELDS = ("activity_types", "leaders", "study_items", "measures", "presenting_units")

# Text built from the genre's own vocabulary and punctuation, so that the rules actually fire
# on random combinations, mixed with arbitrary Unicode.
GENRE = [
    "党组书记、局长",
    "张新文",
    "王育宏",
    "主持",
    "召开",
    "党组会议",
    "传达学习",
    "习近平总书记",
    "重要讲话精神",
    "、",
    ",",
    "。",
    ";",
    "“",
    "”",
    "《",
    "》",
    "(",
    ")",
    "一要",
    "二要",
    "一是",
    "12月27日",
    "2023年",
    "在",
    "举办",
    "启动仪式",
    "暨",
    "论坛",
    "主题党日",
    "党支部",
    "交流展示",
    "等10个",
    "以及",
    "和",
    "出席",
    "致辞",
    "受",
    "委托",
    "会议由",
    "同志",
    "来源:",
    "\n",
    "版权所有",
    "0731-84801916",
    "会议要求",
    "为扎实开展",
    "学习教育",
    "讲党课",
    "理论学习中心组",
]
genre_text = st.lists(st.sampled_from(GENRE) | st.text(max_size=6), max_size=80).map("".join)
any_text = st.text(max_size=400)


def check_record(text: str, record: dict) -> None:
    for f in SCHEMA_FIELDS:
        assert f in record
    assert record["kind"] in (None, "meeting", "activity")
    for f in LIST_FIELDS:
        assert isinstance(record[f], list)
    for f in ("org", "title", "date", "meeting_type", "venue", "campaign"):
        assert record[f] is None or (isinstance(record[f], str) and record[f].strip())
    if record["date"] is not None:
        assert len(record["date"]) in (7, 10)
    for a, b in record["furniture"]:
        assert 0 <= a <= b <= len(text)
    for field, spans in record["spans"].items():
        for a, b in spans:
            assert 0 <= a <= b <= len(text), field
    # Each list value is the text at its span.
    for f in ("study_items", "measures", "presenting_units"):
        got = [text[a:b].strip() for a, b in record["spans"].get(f, [])]
        assert got == record[f]
    assert [text[a:b] for a, b in record["spans"].get("leaders", [])] == [
        x["name"] for x in record["leaders"]
    ]


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(genre_text)
def test_random_genre_text_gives_a_well_formed_record(text):
    """Any mix of the genre's words yields a well-formed record whose spans point at its values."""
    check_record(text, parse_report(text))


@settings(max_examples=100, deadline=2000)
@given(any_text)
def test_arbitrary_unicode_gives_a_well_formed_record(text):
    """Arbitrary Unicode (control characters, surrogates aside) never raises."""
    check_record(text, parse_report(text))


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t ",
        "The Party group held a meeting on 27 December. " * 50,
        "书" * 60000,
        "党组书记、局长" * 9000,
        "局长" + "王育宏、" * 15000,
        "“" * 30000 + "召开" * 1000,
        "。一要" * 20000,
        "12月27日" * 8000,
        "传达学习" + "重要讲话、" * 12000,
        "交流展示。" + "甲党支部、" * 10000 + "等3个党支部交流了经验。",
    ],
    ids=[
        "empty",
        "blank",
        "english",
        "han",
        "titles",
        "names",
        "quotes",
        "enum",
        "dates",
        "study",
        "units",
    ],
)
def test_adversarial_text_is_bounded(text):
    """Pathological inputs finish quickly (no catastrophic backtracking) and give a record."""
    start = time.perf_counter()
    record = parse_report(text)
    assert time.perf_counter() - start < 5
    check_record(text, record)


def test_english_and_empty_give_empty_fields():
    """Text without Chinese gives null and empty fields and says why."""
    for text in ("", "Minutes of the meeting. Chair: Mr Smith."):
        record = parse_report(text)
        assert all(record[f] in (None, []) for f in SCHEMA_FIELDS)
        assert record["warnings"] == ["no Chinese text found"]


def test_one_megabyte_is_cut_and_still_parsed():
    """A 1 MB text is read up to the cap, with a warning, in bounded time."""
    seed = (SEEDS / "002_5d496fc68e932dd4.txt").read_text(encoding="utf-8")
    text = (seed * 400)[:1_000_000]
    start = time.perf_counter()
    record = parse_report(text)
    assert time.perf_counter() - start < 10
    assert record["chair"]["name"] == "张新文"
    assert any("only the start was read" in w for w in record["warnings"])


def test_furniture_never_becomes_a_field():
    """Datelines, 来源, copyright, licence/ICP numbers and phone numbers stay out of every value."""
    text = (SEEDS / "000_67fb47b01aeea588.txt").read_text(encoding="utf-8")
    record = parse_report(text)
    values = repr({f: record[f] for f in SCHEMA_FIELDS})
    for junk in (
        "来源",
        "版权所有",
        "ICP",
        "许可证",
        "84801916",
        "0731",
        "邮箱",
        "举报中心",
        "15:12",
    ):
        assert junk not in values
    furniture = "".join(text[a:b] for a, b in record["furniture"])
    for junk in ("来源:http://www.nrta.gov.cn", "版权所有", "湘ICP证010023", "0731-84801916"):
        assert junk in furniture
    for spans in record["spans"].values():
        for a, b in spans:
            assert not any(fa < b and a < fb for fa, fb in record["furniture"])


def test_furniture_lines_of_a_government_page():
    """Breadcrumbs, 发布日期, 来源 and the CMS footer are furniture; the headline is the title."""
    text = (
        "您当前的位置:首页民政要闻\n省民政厅党组召开理论学习中心组(扩大)学习研讨会\n"
        "发布日期: 2023- 05- 26 17: 11\n\n5月26日,省民政厅党组召开理论学习中心组(扩大)学习研讨会,"
        "厅党组书记、厅长庄严主持会议并讲话。\n\n       来源:厅机关党委\n\n"
        "Produced By 大汉网络 大汉版通发布系统\n"
    )
    record = parse_report(text)
    assert record["title"] == "省民政厅党组召开理论学习中心组(扩大)学习研讨会"
    assert record["date"] == "2023-05-26"  # year from the 发布日期 dateline
    assert record["chair"] == {"name": "庄严", "titles": "厅党组书记、厅长"}
    assert record["org"] == "省民政厅党组"


def test_year_comes_from_the_dateline_and_crosses_new_year():
    """A December event in a report dated January belongs to the previous year."""
    text = "2024-01-03 来源:本站\n12月29日,市局党组召开党组会议,传达学习中央经济工作会议精神。"
    assert parse_report(text)["date"] == "2023-12-29"


class TestDecode:
    def test_utf8_bom_gbk_and_utf16(self):
        """UTF-8, UTF-8 with BOM, GBK and UTF-16 (with BOM) all decode to the same text."""
        text = "省广电局召开党组会议\n12月27日,局党组书记张新文主持。"
        for data in (
            text.encode("utf-8"),
            b"\xef\xbb\xbf" + text.encode("utf-8"),
            text.encode("gbk"),
            text.encode("gb18030"),
            text.encode("utf-16"),
        ):
            assert decode_bytes(data) == text

    @pytest.mark.parametrize(
        "data",
        [bytes(range(256)) * 8, b"\x00\x01\x02binary", b"%PDF-1.7\n...", b"PK\x03\x04not a zip"],
        ids=["junk", "nul", "pdf", "badzip"],
    )
    def test_binary_is_refused_with_a_clear_message(self, data):
        """Binary data, PDFs and broken archives raise InputError with a readable message."""
        with pytest.raises(InputError) as exc:
            decode_bytes(data)
        assert str(exc.value)

    def test_docx_text_is_extracted(self, tmp_path):
        """A .docx file's paragraphs become the report text."""
        import docx

        d = docx.Document()
        d.add_paragraph("省广电局召开党组会议")
        d.add_paragraph("12月27日,省广电局党组书记、局长张新文主持召开党组会议。")
        path = tmp_path / "r.docx"
        d.save(path)
        text = decode_bytes(path.read_bytes())
        assert "张新文主持召开党组会议" in text
        assert parse_report(text)["chair"]["name"] == "张新文"
