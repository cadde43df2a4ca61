"""Parser extras used by the activity import: the theme, each presenter's topic, and
presenters named after a scene-setting clause (活动中,X围绕…)."""

from __future__ import annotations

from pathlib import Path

from dangjian.reports.parser import parse_report

HERE = Path(__file__).parent
SEED_000 = HERE / "seeds" / "000_67fb47b01aeea588.txt"


def test_seed_000_topics_per_presenter():
    r = parse_report(SEED_000.read_text(encoding="utf-8"))
    assert r["theme"] is None
    topics = {p["unit"]: p["topic"] for p in r["presentations"]}
    assert [p["unit"] for p in r["presentations"]] == r["presenting_units"]
    assert topics["办公厅第三党支部"].startswith("聚焦创建“四强”党支部")
    assert topics["宣传司"].startswith("聚焦政治性、理论性")
    assert topics["中广公司工程事业部党支部"].startswith("以党员视角")


def test_units_in_a_list_have_no_topic():
    r = parse_report((HERE / "devset" / "037_changzhou_jggw_peixun.txt").read_text("utf-8"))
    assert r["presentations"] and all(p["topic"] is None for p in r["presentations"])


def test_a_topic_stops_where_the_next_presenter_starts():
    text = (HERE / "devset" / "holdout" / "039_changsha_dierzhibu_kaifangri.txt").read_text("utf-8")
    r = parse_report(text)
    assert r["presentations"][0]["topic"] == "第一党支部的主题党日活动"
    assert r["presentations"][1]["topic"] is None


def test_theme_framed_topics_and_a_scene_clause():
    text = (
        "测试局机关党委举办“学习新思想 提升新本领”专题培训班\n\n"
        "2024年3月5日,测试局机关党委举办“学习新思想 提升新本领”专题培训班。"
        "活动以“学习新思想 提升新本领”为主题。\n\n"
        "活动中,人事处围绕“青年干部成长”作交流发言。\n"
    )
    r = parse_report(text)
    assert r["theme"] == "学习新思想 提升新本领"
    assert r["presentations"] == [{"unit": "人事处", "topic": "青年干部成长"}]
    # A meeting has no theme even when the words occur.
    meeting = parse_report(
        "测试局党组召开党组会议\n\n3月5日,测试局党组召开党组会议,以“学习”为主题。"
    )
    assert meeting["kind"] == "meeting" and meeting["theme"] is None
