"""Security pages: the own password (everybody), account locks (security administrator)."""

from __future__ import annotations

from tests.test_url_matrix import ALL, Case, S

CASES = {
    "security:password_change": Case(ALL),
    "security:lock_list": Case(S("security_admin")),
    # Unlocking an account that is not locked answers with a message and a redirect.
    "security:unlock": Case(S("security_admin"), {"pk": "user:member"}, method="post"),
}
