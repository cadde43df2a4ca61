"""API tokens in a real browser: a member issues a token on the account page (the key is
shown once and works as `Authorization: Token …` from another client), then revokes all."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_member_issues_a_token_uses_it_and_revokes_all(
    page, browser_tree, login, chromium, app_server
):
    member = browser_tree.users["member"]
    login(page, member.username)
    page.get_by_test_id("api-tokens-link").click()
    page.fill("#id_name", "daily report")
    page.get_by_test_id("token-issue").click()
    key = page.get_by_test_id("token-key").inner_text().strip()
    assert len(key) >= 40
    expect(page.get_by_test_id("token-list")).to_contain_text("daily report")
    expect(page.get_by_test_id("token-list")).to_contain_text(key[:8])

    other = chromium.new_context(base_url=app_server)  # no cookies: the token alone
    try:
        me = other.request.get("/api/me/", headers={"Authorization": f"Token {key}"})
        assert me.status == 200 and me.json()["username"] == member.username

        page.goto("/access/tokens/")
        expect(page.get_by_test_id("token-list")).not_to_contain_text(key)
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_test_id("token-revoke-all").click()
        expect(page.get_by_test_id("token-list")).not_to_contain_text("daily report")
        again = other.request.get("/api/me/", headers={"Authorization": f"Token {key}"})
        assert again.status == 401
    finally:
        other.close()
