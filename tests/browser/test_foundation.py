"""The foundation's main workflows in a real browser: log-in, tree, members, scope.

Assertions rest on data-testid attributes, roles, URLs and data from the
database, not on interface text, which the zh_Hans catalog will change.
ID numbers are compared without being printed: a failing comparison reports
only that the values differ.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from dangjian.core.masking import mask_id_number
from dangjian.core.models import AuditEvent
from dangjian.people.models import Member
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LOGIN_PATH = "/accounts/login/"
MASKED_ID = re.compile(r"^\*{18}$")


def path_of(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def assert_same_secret(actual: str, expected: str, what: str) -> None:
    """Compare two personal-data values without letting pytest print either of them."""
    same = actual == expected
    assert same, f"{what}: the values differ (not shown: personal data)"


def assert_not_in_page(text: str, page, what: str) -> None:
    """The text is nowhere in the page's HTML (reported without the text or the page)."""
    found = text in page.content()
    assert not found, f"{what} appears in the page"


def test_login_with_wrong_password_shows_an_error_then_the_right_one_logs_in(
    page, browser_tree, login
):
    """A wrong password keeps the user on the log-in page with an alert; the right one logs in."""
    page.goto("/orgs/")
    assert path_of(page).startswith(LOGIN_PATH), "anonymous users are sent to the log-in page"

    page.fill("#id_username", "jiguan")
    page.fill("#id_password", "not-the-password")
    page.click("form button[type=submit]")

    expect(page.get_by_role("alert")).to_be_visible()
    assert path_of(page).startswith(LOGIN_PATH)
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    expect(page.locator("#id_username")).to_have_value("jiguan")
    expect(page.locator("#id_password")).to_have_value("")

    login(page, "jiguan")
    expect(page.get_by_test_id("current-user")).to_contain_text("jiguan")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert not path_of(page).startswith(LOGIN_PATH)


def test_browse_the_tree_expand_a_node_and_open_an_organization(
    page, browser_tree, login, screenshot_dir
):
    """Expanding the committee loads its branches by htmx; the branch page shows subtree counts."""
    committee, branch = browser_tree.orgs["committee"], browser_tree.orgs["branch"]
    login(page, "jiguan")
    page.goto("/orgs/")

    tree = page.get_by_test_id("org-tree")
    committee_node = tree.locator(f"li[data-org='{committee.pk}']")
    expect(committee_node).to_be_visible()
    # Out of the office's scope: neither the party group above nor the other bureau.
    for outside in ("root", "other_root"):
        expect(tree.locator(f"li[data-org='{browser_tree.orgs[outside].pk}']")).to_have_count(0)
    branch_node = tree.locator(f"li[data-org='{branch.pk}']")
    expect(branch_node).to_have_count(0)  # children are not in the page until asked for

    toggle = committee_node.locator(":scope > button.dj-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    with page.expect_response(f"**/orgs/{committee.pk}/children/"):
        toggle.click()
    expect(branch_node).to_be_visible()
    expect(tree.locator(f"li[data-org='{browser_tree.orgs['other_branch'].pk}']")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")

    # Folding hides the branches again without another request.
    toggle.click()
    expect(branch_node).to_be_hidden()
    toggle.click()
    expect(branch_node).to_be_visible()

    branch_node.locator(":scope > a").click()
    page.wait_for_url(f"**/orgs/{branch.pk}/")
    expect(page.locator("h1")).to_have_text(branch.name)
    # 李书记, 王党员 and 赵预备 belong to the branch; its party group has nobody directly.
    expect(page.get_by_test_id("subtree-members")).to_have_text("3")
    page.screenshot(path=screenshot_dir / "organization_detail.png", full_page=True)


def test_search_the_tree_by_name(page, browser_tree, login):
    """Typing in the search box lists matching organizations in scope, without a page load."""
    other_branch = browser_tree.orgs["other_branch"]
    login(page, "jiguan")
    page.goto("/orgs/")
    results = page.locator("#search-results")
    expect(results.locator("a")).to_have_count(0)

    search = page.get_by_role("searchbox")
    search.press_sequentially("宣传司", delay=20)
    match = results.locator(f"a[href='/orgs/{other_branch.pk}/']")
    expect(match).to_be_visible()
    expect(match).to_have_text(other_branch.name)
    expect(results.locator("a")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/orgs/\?q="))  # the search can be bookmarked

    # The other bureau exists but is outside the office's scope: no match.
    search.fill("另一局")
    expect(results.locator("a")).to_have_count(0)
    expect(results.locator("li")).to_have_count(1)  # the "no match" line


def test_add_member_with_a_bad_id_number_then_fix_it_and_reveal_it(
    page, browser_tree, login, screenshot_dir
):
    """A bad check digit is shown at the field and nothing is saved; a valid number is saved,
    shown masked, and shown in full only on request, which is audited."""
    branch = browser_tree.orgs["branch"]
    jiguan = browser_tree.users["office_staff"]
    valid = factories.synthetic_id_number(datetime.date(1992, 2, 29))
    bad_check = "1" if valid[-1] == "0" else "0"
    invalid = valid[:-1] + bad_check
    name = "周浏览"

    login(page, "jiguan")
    page.goto("/members/new/")
    form = page.get_by_test_id("member-form")
    form.locator("#id_name").fill(name)
    form.locator("#id_gender").select_option("female")
    form.locator("#id_status").select_option("full")
    form.locator("#id_organization").select_option(str(branch.pk))
    form.locator("#id_id_number").fill(invalid)
    form.locator("button[type=submit]").click()

    errors = page.locator("ul.errorlist[data-field=id_number]")
    expect(errors).to_be_visible()
    expect(errors.locator("li")).to_have_count(1)
    expect(page.locator("ul.errorlist")).to_have_count(1)  # only that field is wrong
    assert path_of(page) == "/members/new/"
    assert not Member.objects.filter(name=name).exists()
    # The form keeps what was typed, so that the user corrects rather than retypes.
    expect(form.locator("#id_name")).to_have_value(name)
    expect(form.locator("#id_organization")).to_have_value(str(branch.pk))
    page.screenshot(path=screenshot_dir / "member_form_errors.png", full_page=True)

    form.locator("#id_id_number").fill(valid)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/members/\d+/$"))
    member = Member.objects.get(name=name)
    assert path_of(page) == f"/members/{member.pk}/"
    assert member.organization_id == branch.pk
    expect(page.locator("h1")).to_have_text(name)

    shown = page.get_by_test_id("id-number")
    masked = shown.inner_text().strip()
    assert MASKED_ID.match(masked), "the ID number is shown masked"
    assert_same_secret(masked, mask_id_number(valid), "masked ID number")
    assert_not_in_page(valid, page, "the full ID number, before any reveal,")
    # Registering compared the valid number with the stored ones (the malformed one was
    # not compared): one look-up row, naming no member.
    reveals = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL)
    assert [(e.object_id, e.note.startswith("look-up by value")) for e in reveals] == [("", True)]

    with page.expect_response(f"**/members/{member.pk}/reveal/id_number/") as answer:
        page.get_by_test_id("reveal-id_number").click()
    assert answer.value.status == 200
    revealed = page.get_by_test_id("revealed-id_number")
    expect(revealed).to_be_visible()
    assert_same_secret(revealed.inner_text().strip(), valid, "revealed ID number")

    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL, object_id=str(member.pk))
    assert event.actor_id == jiguan.pk
    assert event.object_id == str(member.pk)
    assert "id_number" in event.changes
    recorded = valid in str(event.changes)
    assert not recorded, "the audit row records the reveal, not the number"


def test_branch_secretary_sees_only_the_own_branch(page, browser_tree, login):
    """zhibu's list holds only 办公厅第三党支部's members; another branch's member is a 404."""
    own = {browser_tree.members[k].name for k in ("secretary", "member", "probationary")}
    other = browser_tree.members["other"]
    far = browser_tree.members["far"]
    login(page, "zhibu")

    page.goto("/members/")
    table = page.get_by_test_id("member-table")
    names = table.locator("tbody tr td:first-child a").all_inner_texts()
    assert sorted(names) == sorted(own)
    assert_not_in_page(other.name, page, "a member of 宣传司党支部")
    assert_not_in_page(far.name, page, "a member of 另一局党组")
    # Nor is the other branch offered in the organization filter.
    assert_not_in_page(browser_tree.orgs["other_branch"].name, page, "宣传司党支部")

    response = page.goto(f"/members/{other.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_test_id("not-found")).to_be_visible()
    assert_not_in_page(other.name, page, "the out-of-scope member's name")

    # Searching the list by that member's name finds nothing either.
    page.goto("/members/")
    page.locator("#id_q").fill(other.name)
    page.get_by_test_id("member-filter").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/members/\?"))
    expect(table.locator("tbody tr td:first-child a")).to_have_count(0)


def test_member_search_box_does_not_send_a_phone_or_id_number(page, browser_tree, login):
    """The list's search is a GET: a phone or ID number typed into it must not reach the
    address (and the access log). The browser refuses to submit it; a name still works."""
    login(page, "zhibu")
    page.goto("/members/")
    search = page.locator("#id_q")
    search.fill("138 0000 1234")
    page.get_by_test_id("member-filter").locator("button[type=submit]").click()
    assert search.evaluate("el => el.validity.patternMismatch")
    assert path_of(page) == "/members/"  # nothing was submitted
    member = browser_tree.members["member"]
    search.fill(member.name)
    page.get_by_test_id("member-filter").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/members/\?"))
    names = page.get_by_test_id("member-table").locator("tbody tr td:first-child a")
    expect(names).to_have_count(1)
