"""Shared fixtures: a small organization tree and the named personas of STYLE.md.

The tree (kinds in brackets)::

    测试局党组 [leading_group]                    <- dangzu_office (leading_group_office)
    └── 测试局机关党委 [organ_committee]          <- office_staff (organ_office)
        ├── 办公厅第三党支部 [branch]              <- branch_secretary, member
        │   └── 第一党小组 [group]
        └── 宣传司党支部 [branch]                  <- outsider (secretary of this one)
    另一局党组 [leading_group]                    (nobody above but platform roles)
    └── 另一局机关党支部 [branch]                  (孙远方, the "far" member)
"""

from __future__ import annotations

import os

import pytest
from django.db import transaction

from tests import factories


def pytest_collection_modifyitems(config, items):
    """``DANGJIAN_SKIP_ONCE=1`` skips the tests marked ``once``: slow tests whose outcome
    does not depend on the database, which .ci/run runs only in its PostgreSQL phase."""
    if os.environ.get("DANGJIAN_SKIP_ONCE") != "1":
        return
    skip = pytest.mark.skip(reason="DANGJIAN_SKIP_ONCE=1: runs in the other CI phase")
    for item in items:
        if item.get_closest_marker("once"):
            item.add_marker(skip)


@pytest.fixture
def tree(db):
    return factories.build_tree()


@pytest.fixture(scope="module")
def module_tree(django_db_setup, django_db_blocker):
    """One tree for a whole module (like ``TestCase.setUpTestData``), for the big matrices.

    It is built inside an outer transaction that is rolled back after the module; each
    test still runs in its own savepoint (the ``db`` fixture) and rolls back, so tests
    see the same tree and nothing one test writes reaches the next. Use it as
    ``tree`` with ``def tree(module_tree, db): return module_tree``; tests must not
    change the tree's Python objects.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield factories.build_tree()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def admin_user(tree):
    return tree.users["admin"]


@pytest.fixture
def office_staff(tree):
    return tree.users["office_staff"]


@pytest.fixture
def dangzu_office(tree):
    return tree.users["dangzu_office"]


@pytest.fixture
def branch_secretary(tree):
    return tree.users["branch_secretary"]


@pytest.fixture
def member_user(tree):
    return tree.users["member"]


@pytest.fixture
def outsider(tree):
    return tree.users["outsider"]


@pytest.fixture
def security_admin(tree):
    return tree.users["security_admin"]


@pytest.fixture
def auditor(tree):
    return tree.users["auditor"]
