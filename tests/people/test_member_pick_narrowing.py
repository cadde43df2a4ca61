"""The member picker's search narrowed to an organization (``org``), checked on the
server: it only ever narrows the user's member scope; and a formset's field name
(``tasks-0-responsible``) keeps the current choice."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import PASSWORD


def _pick(client, **params):
    r = client.get(reverse("people:member_pick"), params)
    assert r.status_code == 200
    return r.content.decode()


def test_org_narrows_to_the_subtree(client, tree, office_staff):
    assert client.login(username=office_staff.username, password=PASSWORD)
    branch, other_branch = tree.orgs["branch"], tree.orgs["other_branch"]
    # 李书记 in 办公厅第三党支部, 钱同志 in 宣传司党支部: both in the office's scope.
    assert "李书记" in _pick(client, q="李", field="chair", org=branch.pk)
    assert "李书记" not in _pick(client, q="李", field="chair", org=other_branch.pk)
    assert "钱同志" in _pick(client, q="钱", field="chair", org=other_branch.pk)
    assert "钱同志" not in _pick(client, q="钱", field="chair", org=branch.pk)
    # The committee's subtree holds both.
    page = _pick(client, q="同志", field="chair", org=tree.orgs["committee"].pk)
    assert "钱同志" in page


def test_org_outside_scope_or_not_an_id_finds_nobody(client, tree, office_staff):
    """The office's scope is the committee's subtree: the leading group above it (whose
    subtree would hold everyone the office sees) and another root find nobody."""
    assert client.login(username=office_staff.username, password=PASSWORD)
    for org in (tree.orgs["root"].pk, tree.orgs["other_root"].pk, "abc", "1 OR 1=1", "999999"):
        page = _pick(client, q="李", field="chair", org=org)
        assert 'data-testid="member-pick-option"' not in page, org
        assert "李书记" not in page and "孙远方" not in page
    # The current choice is not kept either.
    page = _pick(
        client, q="李", field="chair", org=tree.orgs["other_root"].pk, chair=tree.members["far"].pk
    )
    assert "孙远方" not in page


def test_keeps_the_current_choice_of_a_formset_field(client, tree, office_staff):
    assert client.login(username=office_staff.username, password=PASSWORD)
    secretary = tree.members["secretary"]
    name = "tasks-0-responsible"
    committee = tree.orgs["committee"].pk
    page = _pick(client, q="宣传", field=name, org=committee, **{name: secretary.pk})
    assert f'<option value="{secretary.pk}" selected>' in page
    # Outside the narrowing, the current choice is dropped.
    page = _pick(
        client, q="宣传", field=name, org=tree.orgs["other_branch"].pk, **{name: secretary.pk}
    )
    assert f'value="{secretary.pk}"' not in page
