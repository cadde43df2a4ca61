"""Library search and who-studied-what, scoped like meetings; query counts stay flat."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.access import policy
from dangjian.meetings.models import Meeting
from dangjian.study import selectors
from tests.factories import make_org
from tests.study.conftest import make_topic, study


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def library(tree):
    return {
        "art": make_topic(
            "习近平总书记在文艺工作座谈会上的重要讲话",
            given_on=days_ago(300),
            text="坚持以人民为中心的创作导向",
            tags=["广电"],
        ),
        "network": make_topic(
            "关于网络视听高质量发展的指示",
            kind="instruction",
            given_on=days_ago(10),
            text="要重要讲话精神贯彻到网络视听工作中",
            tags=["网络视听", "广电"],
        ),
        "plenary": make_topic(
            "全会精神", kind="conference", given_on=days_ago(100), text="全面从严治党"
        ),
    }


def titles(qs):
    return [t.title for t in qs]


def test_substring_search_ignores_spaces_and_full_width(library, office_staff):
    found = selectors.topic_list(user=office_staff, q="文艺 工作座谈会")
    assert titles(found) == [library["art"].title]
    assert titles(selectors.topic_list(user=office_staff, q="ＮＯＴ在")) == []


def test_keyword_search_matches_words_in_any_order(library, office_staff):
    # Not a substring anywhere, but both words occur in the topic.
    found = selectors.topic_list(user=office_staff, q="创作 人民")
    assert titles(found) == [library["art"].title]


def test_title_matches_come_first_then_newest(library, office_staff):
    found = titles(selectors.topic_list(user=office_staff, q="重要讲话"))
    # "network" is newer but has the words only in its text.
    assert found == [library["art"].title, library["network"].title]


def test_filters_kind_tag_and_dates(library, office_staff):
    assert titles(selectors.topic_list(user=office_staff, kind="conference")) == ["全会精神"]
    assert set(titles(selectors.topic_list(user=office_staff, tag="广电"))) == {
        library["art"].title,
        library["network"].title,
    }
    assert titles(selectors.topic_list(user=office_staff, tag="网络视听")) == [
        library["network"].title
    ]
    assert titles(selectors.topic_list(user=office_staff, tag="网络")) == []  # whole tags only
    assert titles(
        selectors.topic_list(user=office_staff, given_from=days_ago(200), given_to=days_ago(50))
    ) == ["全会精神"]
    assert selectors.topic_tags(user=office_staff) == ["广电", "网络视听"]


def test_library_is_for_meeting_viewers_only(library, tree):
    assert selectors.topic_list(user=tree.users["outsider"]).count() == 3
    assert selectors.topic_list(user=tree.users["member"]).count() == 3
    for persona in ("admin", "auditor", "nobody"):
        assert selectors.topic_list(user=tree.users[persona]).count() == 0


@pytest.fixture
def coverage(tree):
    """t1 (40 days old) studied by root +2, committee +5, branch +10; t2 (20 days) by root +3."""
    t1 = make_topic("第一议题一", given_on=days_ago(40))
    t2 = make_topic("第一议题二", given_on=days_ago(20))
    o = tree.orgs
    study(o["root"], t1, on=days_ago(38))
    study(o["committee"], t1, on=days_ago(35))
    study(o["branch"], t1, on=days_ago(30))
    study(o["branch"], t1, on=days_ago(20))  # studied again: the first time counts
    study(o["other_branch"], t1, on=days_ago(1), status=Meeting.Status.PLANNED)  # not held
    study(o["root"], t2, on=days_ago(17))
    return t1, t2


def test_study_records_first_time_per_organization_within_scope(tree, coverage):
    t1, _ = coverage
    records = selectors.topic_study_records(user=tree.users["office_staff"], topic=t1)
    assert [(r.organization.name, r.days_after_given) for r in records] == [
        ("测试局机关党委", 5),
        ("办公厅第三党支部", 10),
    ]  # the leading group above is outside the office's meeting scope
    assert records[1].studied_on == days_ago(30)
    everything = selectors.topic_study_records(user=tree.users["dangzu_office"], topic=t1)
    assert [r.organization.name for r in everything] == [
        "测试局党组",
        "测试局机关党委",
        "办公厅第三党支部",
    ]
    own = selectors.topic_study_records(user=tree.users["member"], topic=t1)
    assert [r.organization.name for r in own] == ["办公厅第三党支部"]
    rooted = selectors.topic_study_records(
        user=tree.users["dangzu_office"], topic=t1, root=tree.orgs["branch"]
    )
    assert [r.organization.name for r in rooted] == ["办公厅第三党支部"]


def test_pending_organizations_are_marked_to_be_conveyed(tree, coverage):
    t1, t2 = coverage
    pending = selectors.topic_pending_organizations(user=tree.users["office_staff"], topic=t1)
    assert [p.organization.name for p in pending] == ["宣传司党支部"]  # planned meeting ≠ studied
    assert pending[0].to_be_conveyed
    assert pending[0].conveyed_from == "测试局党组" and pending[0].conveyed_on == days_ago(38)
    pending2 = selectors.topic_pending_organizations(user=tree.users["office_staff"], topic=t2)
    assert {p.organization.name for p in pending2} == {
        "测试局机关党委",
        "办公厅第三党支部",
        "宣传司党支部",
    }
    assert all(p.to_be_conveyed for p in pending2)
    # Nothing studied above: pending, but not yet to be conveyed.
    t3 = make_topic("尚无人学习", given_on=days_ago(3))
    pending3 = selectors.topic_pending_organizations(user=tree.users["dangzu_office"], topic=t3)
    assert len(pending3) == 4 and not any(p.to_be_conveyed for p in pending3)


def test_to_be_conveyed_for_a_branch(tree, coverage):
    _, t2 = coverage
    items = selectors.to_be_conveyed(
        user=tree.users["branch_secretary"], organization=tree.orgs["branch"]
    )
    assert [i.topic for i in items] == [t2]  # t1 the branch has studied already
    assert items[0].conveyed_from == "测试局党组" and items[0].days_waiting == 17
    with pytest.raises(PermissionDenied):
        selectors.to_be_conveyed(user=tree.users["outsider"], organization=tree.orgs["branch"])
    assert (
        selectors.to_be_conveyed(user=tree.users["dangzu_office"], organization=tree.orgs["root"])
        == []
    )


def test_coverage_overview_shares_slowest_and_unstudied(tree, coverage):
    t1, t2 = coverage
    overview = selectors.coverage_overview(
        user=tree.users["dangzu_office"], root=tree.orgs["root"], windows=(7, 15, 30)
    )
    assert overview.organization_count == 4 and overview.topic_count == 2
    assert [(w.days, w.studied, w.total) for w in overview.windows] == [
        (7, 3, 8),
        (15, 4, 8),
        (30, 3, 4),  # t2 is only 20 days old: not yet judged on 30 days
    ]
    assert overview.windows[1].percent == 50.0
    assert [(d.organization.name, d.never, d.average_delay) for d in overview.slowest] == [
        ("宣传司党支部", 2, None),
        ("办公厅第三党支部", 1, 10.0),
        ("测试局机关党委", 1, 5.0),
        ("测试局党组", 0, 2.5),
    ]
    assert [(c.topic, c.studied, c.total) for c in overview.unstudied] == [(t2, 1, 4), (t1, 3, 4)]


def test_coverage_is_scoped_and_refuses_foreign_roots(tree, coverage):
    with pytest.raises(PermissionDenied):
        selectors.coverage_overview(user=tree.users["outsider"], root=tree.orgs["branch"])
    overview = selectors.coverage_overview(
        user=tree.users["branch_secretary"], root=tree.orgs["branch"], windows=(15,)
    )
    assert overview.organization_count == 1
    assert [(w.studied, w.total) for w in overview.windows] == [(1, 2)]


def test_windows_from_query_and_settings(settings):
    assert selectors.parse_windows("30, 7,x,7,0,999") == (7, 30)
    assert selectors.parse_windows("") == (7, 15, 30)
    settings.STUDY_WINDOWS_DAYS = (3, 10)
    assert selectors.parse_windows(None) == (3, 10)


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_rows(tree, coverage):
    user = tree.users["dangzu_office"]
    t1, _ = coverage

    def run():
        policy.forget(user)  # both runs read the grants alike
        selectors.coverage_overview(user=user, root=tree.orgs["root"])
        selectors.topic_study_records(user=user, topic=t1)
        selectors.topic_pending_organizations(user=user, topic=t1)
        selectors.to_be_conveyed(user=user, organization=tree.orgs["branch"])

    before = _count(run)
    for i in range(6):
        branch = make_org(f"新支部{i}", "branch", tree.orgs["committee"])
        topic = make_topic(f"新议题{i}", given_on=days_ago(30 + i))
        study(branch, topic, t1, on=days_ago(5))
        study(tree.orgs["root"], topic, on=days_ago(25))
    after = _count(run)
    assert after == before <= 14


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_trigram_indexes_exist_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'study_topic'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"study_topic_search_text_trgm", "study_topic_search_words_trgm"} <= names


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_can_answer_substring_search_from_the_trigram_index(library, office_staff):
    qs = selectors.topic_list(user=office_staff, q="文艺工作座谈会")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "study_topic_search_text_trgm" in plan
