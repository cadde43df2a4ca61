"""Issue 12 point 8: seed 000 regenerates itself. From the demo's records of 广电总局's
launch ceremony and forum, the activity's news draft carries the seed's headline, the
people with their titles and roles in the seed's order, the participant groups, the
campaign inside the theme education, the capabilities with the main one, the bodies
outside the tree and the ten presentations in order with the departments that recommended
them. Every fact is checked against the seed's own text first, then looked for in the
draft; the failure lists the facts the draft misses."""

from __future__ import annotations

import datetime
import re
import unicodedata
from pathlib import Path

import pytest

from dangjian.campaigns.models import Activity
from dangjian.core import demo
from dangjian.reports.news import activity_news_draft

SEED = Path(__file__).resolve().parent.parent / "reports" / "seeds" / "000_67fb47b01aeea588.txt"

# (what, the seed's words) in the seed's order; each must be in the seed and the draft.
FACTS = [
    ("date", "5月6日"),
    ("venue", "五四二台"),
    ("entrusting leader", "受总局党组成员、副局长乐玉成委托"),
    ("speaking leader", "总局党组成员、副局长、机关党委书记杨小伟出席并致辞"),
    (
        "participant groups",
        "总局机关各部门党支部副书记,直属各单位分管党建工作的有关负责同志、党办主任或党支部书记代表参加活动",
    ),
    ("parent campaign", "学习贯彻习近平新时代中国特色社会主义思想主题教育"),
    ("campaign", "“政治机关,政治工作”能力提升行动"),
    ("ad-hoc body by decision of the 党组", "总局主题教育领导小组办公室按照总局党组要求"),
    ("main capability", "以提升政治能力为主"),
    (
        "the other capabilities",
        "调查研究能力、科学决策能力、改革攻坚能力、应急处突能力、群众工作能力和抓落实能力",
    ),
    ("superior body", "按照中央和国家机关工委有关要求"),
    ("recommending departments", "办公厅等10个部门单位推荐的党支部"),
    ("presentations closing", "10个党支部从不同角度作了交流展示"),
]
# The ten presentations in the seed's order: (the seed's name of the presenter, the
# department or unit that recommended it).
PRESENTERS = [
    ("办公厅第三党支部", "办公厅"),
    ("宣传司", "宣传司"),
    ("电视剧司", "电视剧司"),
    ("网络视听司", "网络视听司"),
    ("规划财务司", "规划财务司"),
    ("北京地球站节目平台机房党支部", "北京地球站"),
    ("监管中心信息安全处", "监管中心"),
    ("广科院电视技术研究所", "广科院"),
    ("机关服务局技术保障部", "机关服务局"),
    ("中广公司工程事业部党支部", "中广公司"),
]


def fold(text: str) -> str:
    """Width folded (NFKC: ，→,) and without whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def missing_facts(draft: str, seed: str) -> list[str]:
    """The seed's facts the draft does not carry (each also checked to be the seed's)."""
    d, s = fold(draft), fold(seed)
    missing = []
    headline = fold(seed.strip().split("\n", 1)[0])
    if fold(draft.strip().split("\n", 1)[0]) != headline:
        missing.append(f"headline: {headline}")
    for what, words in FACTS:
        assert fold(words) in s, f"not the seed's words: {what}"
        if fold(words) not in d:
            missing.append(f"{what}: {words}")
    body = d[len(fold(draft.strip().split("\n", 1)[0])) :]
    at = 0
    for name, unit in PRESENTERS:
        assert name in s and unit in s, name
        found = body.find(fold(name), at)
        if found < 0:
            missing.append(f"presentation in order: {name}")
            continue
        clause = body[at : found + len(name)]
        if unit not in clause:
            missing.append(f"recommended by {unit}: {name}")
        at = found + len(name)
    return missing


@pytest.fixture
def seed_event(db):
    demo.load_demo(size=120, seed=5, password="Demo-password-2024")
    return Activity.objects.select_related("organization", "campaign__parent").get(
        held_on=datetime.date(2023, 5, 6)
    )


def test_the_demos_draft_carries_every_fact_of_seed_000(seed_event):
    seed = SEED.read_text(encoding="utf-8")
    draft = activity_news_draft(seed_event)
    missing = missing_facts(draft, seed)
    assert not missing, "The draft misses these facts of seed 000:\n" + "\n".join(missing)


def test_the_comparison_reports_what_is_missing():
    """A draft without the recommending departments and the main capability is caught."""
    seed = SEED.read_text(encoding="utf-8")
    poor = seed.split("\n", 1)[0] + "\n受总局党组成员、副局长乐玉成委托。"
    missing = missing_facts(poor, seed)
    assert "main capability: 以提升政治能力为主" in missing
    assert "presentation in order: 办公厅第三党支部" in missing
