"""Shared fixtures: a small organization tree and the named personas of STYLE.md.

The tree (kinds in brackets)::

    测试局党组 [leading_group]                    <- dangzu_office (leading_group_office)
    └── 测试局机关党委 [organ_committee]          <- office_staff (organ_office)
        ├── 办公厅第三党支部 [branch]              <- branch_secretary, member
        │   └── 第一党小组 [group]
        └── 宣传司党支部 [branch]                  <- outsider (secretary of this one)
    另一局党组 [leading_group]                    (nobody above but platform roles)
"""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def tree(db):
    return factories.build_tree()


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
