"""Every account's own API tokens: list, issue, revoke all; one token only by its holder."""

from __future__ import annotations

from tests.test_url_matrix import ALL, Case, S


def _token(tree, persona: str) -> int:
    from dangjian.access import api_tokens

    user = tree.users[persona]
    return api_tokens.token_issue(actor=user, user=user, second_factor=False)[0].pk


RESOLVERS = {"token": _token}

CASES = {
    "access:token_list": Case(ALL),
    "access:token_create": Case(ALL, method="post"),
    "access:token_revoke_all": Case(ALL, method="post"),
    # The member's token: everybody else is told it does not exist.
    "access:token_revoke": Case(S("member"), {"pk": "token:member"}, method="post"),
}
