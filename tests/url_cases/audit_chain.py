"""The audit log's chain state and "verify now": the auditor only."""

from __future__ import annotations

from tests.test_url_matrix import Case, S

CASES = {
    "access:audit_chain": Case(S("auditor")),
    "access:audit_verify": Case(S("auditor"), method="post"),
}
