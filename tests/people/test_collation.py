"""姓氏笔画 and protocol order (issue 12, point 2)."""

import pytest

from dangjian.people.collation import (
    admin_rank,
    protocol_key,
    stroke_key,
    stroke_sort_key,
    stroke_sorted,
    strokes,
)
from dangjian.people.models import PostTitle


def test_strokes_in_writing_order():
    assert strokes("王") == "1121"
    assert strokes("卓") == "21251112"
    assert strokes("a") is None


def test_surnames_of_seven_strokes_follow_their_first_strokes():
    """Equal counts go by 横竖撇点折: 李 杨 (横) before 何 (撇) before 沈 (点) before 张 陈 (折)."""
    names = ["陈立新", "张新文", "沈明", "何平", "杨帆", "李国强"]
    assert stroke_sorted(names) == ["李国强", "杨帆", "何平", "沈明", "张新文", "陈立新"]


def test_fewer_strokes_first_then_the_next_character_then_shorter_first():
    assert stroke_sorted(["卓玛才让", "王育宏", "丁一"]) == ["丁一", "王育宏", "卓玛才让"]
    assert stroke_sorted(["王育宏", "王一", "王"]) == ["王", "王一", "王育宏"]
    # Not code point order: 丁 (U+4E01) < 王 (U+738B) < 卓 (U+5353) would put 卓 before 王.
    assert sorted(["卓玛才让", "王育宏"]) == ["卓玛才让", "王育宏"]


def test_the_stored_key_sorts_as_the_tuple():
    names = ["陈立新", "张新文", "王育宏", "卓玛才让", "李国强", "王", "Zhang San", "扎西·次仁"]
    assert sorted(names, key=stroke_sort_key) == stroke_sorted(names)
    assert stroke_sort_key("王育宏").isdigit()


@pytest.mark.parametrize(
    ("title", "rank_of"),
    [
        ("局长", "副局长"),
        ("副局长", "司长"),
        ("司长", "副司长"),
        ("处长", "副处长"),
        ("副处长", "科员"),
    ],
)
def test_administrative_rank(title, rank_of):
    assert admin_rank(title) < admin_rank(rank_of)


def test_protocol_order_is_post_then_rank_then_strokes():
    people = [
        {"name": "卓玛才让", "posts": [PostTitle.LEADING_GROUP_MEMBER], "admin_title": "副局长"},
        {"name": "王育宏", "posts": [PostTitle.LEADING_GROUP_MEMBER], "admin_title": "副局长"},
        {"name": "张新文", "posts": [PostTitle.LEADING_GROUP_SECRETARY], "admin_title": "局长"},
        {"name": "丁一", "posts": [], "admin_title": "处长"},
        {
            "name": "李四",
            "posts": [PostTitle.LEADING_GROUP_MEMBER],
            "admin_title": "纪检监察组组长",
        },
    ]
    ordered = sorted(people, key=lambda p: protocol_key(**p))
    assert [p["name"] for p in ordered] == ["张新文", "王育宏", "卓玛才让", "李四", "丁一"]
