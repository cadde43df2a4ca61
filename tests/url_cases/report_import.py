"""The import screen (从报道导入): anyone who records meetings somewhere.

The save URL posted empty answers 200 (step 1 again, with the error): nothing is saved.
"""

from __future__ import annotations

from tests.test_url_matrix import Case, S

# MEETING_MANAGE somewhere: the organization picker is scoped, not the page.
MEETING_RECORDERS = S("office_staff", "dangzu_office", "branch_secretary", "outsider")

CASES = {
    "report_import:start": Case(MEETING_RECORDERS),
    "report_import:save": Case(MEETING_RECORDERS, method="post"),
}
