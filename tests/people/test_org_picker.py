"""The member list's organization picker on large scopes: a search box, not thousands of options."""

from django.urls import reverse

from dangjian.organizations.models import OrganizationKind
from dangjian.people import filters
from tests.factories import PASSWORD, make_org


def test_small_scopes_list_every_organization(client, tree, office_staff):
    assert client.login(username=office_staff.username, password=PASSWORD)
    page = client.get(reverse("people:member_list")).content.decode()
    assert 'data-testid="org-search"' not in page
    assert "宣传司党支部</option>" in page


def test_large_scopes_search_by_name_within_scope(client, tree, office_staff, monkeypatch):
    monkeypatch.setattr(filters, "ORG_PICKER_FULL_LIST", 2)
    make_org("第九十九党支部", OrganizationKind.BRANCH, tree.orgs["committee"])
    assert client.login(username=office_staff.username, password=PASSWORD)
    page = client.get(reverse("people:member_list")).content.decode()
    assert 'data-testid="org-search"' in page
    assert "宣传司党支部</option>" not in page  # not listed until searched
    # The chosen organization stays shown after filtering.
    chosen = tree.orgs["other_branch"]
    page = client.get(reverse("people:member_list"), {"organization": chosen.pk}).content.decode()
    assert f'<option value="{chosen.pk}" selected>宣传司党支部</option>' in page
    options = client.get(reverse("people:organization_options"), {"org_q": "九十九"})
    assert "第九十九党支部" in options.content.decode()
    assert "宣传司" not in options.content.decode()
    # Organizations outside the scope are never offered.
    outside = client.get(reverse("people:organization_options"), {"org_q": "另一局"})
    assert "另一局党组" not in outside.content.decode()
