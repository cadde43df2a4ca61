"""My data (right of access and copy): every logged-in account opens its own page and
downloads its own copy; nothing else is reachable through them."""

from __future__ import annotations

from tests.test_url_matrix import ALL, Case

CASES = {
    "privacy:my_data": Case(ALL),
    "privacy:my_data_download": Case(ALL, method="post"),
}
