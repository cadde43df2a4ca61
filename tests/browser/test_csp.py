"""Content Security Policy in a real browser: the main pages as office staff raise no violation.

Every GET page of the URL matrix that office staff may open is visited in
Chromium with a ``securitypolicyviolation`` listener installed before any
page script runs; Chromium's own "Refused to ..." console messages are
collected too. Pages that answer with a download are skipped.
"""

from __future__ import annotations

import pytest

from tests.test_url_matrix import CASES, build_url

# The policy does not depend on the database: .ci/run walks the pages once (PostgreSQL).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser"), pytest.mark.once]

LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  console.error(`CSP-VIOLATION ${e.violatedDirective} blocked=${e.blockedURI} at ${where}`);
});
"""


def _office_pages(tree):
    urls = []
    for name in sorted(CASES):
        case = CASES[name]
        if case.method != "get" or case.api or "office_staff" not in case.allowed:
            continue
        if any(word in name for word in ("export", "download", "docx", "xlsx", "file", "photo")):
            continue
        try:
            urls.append(build_url(tree, name, case))
        except Exception:  # noqa: S112 - an object this tree lacks; covered by the URL matrix
            continue
    return urls


def test_csp_main_pages_have_no_violations(page, browser_tree, login):
    violations: list[str] = []

    def on_console(message):
        text = message.text
        if "CSP-VIOLATION" in text or "Content Security Policy" in text:
            violations.append(f"{page.url}: {text}")

    page.add_init_script(LISTENER)
    page.on("console", on_console)
    login(page, "jiguan")
    # The listener works: an inline script added by hand is refused and reported.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.head.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.x === undefined")
    assert any("script-src" in v for v in violations), violations
    violations.clear()
    urls = _office_pages(browser_tree)
    assert len(urls) > 20
    visited = 0
    for url in urls:
        try:
            response = page.goto(url, wait_until="load")
        except Exception as exc:  # a download instead of a page
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited += 1
        page.wait_for_timeout(50)  # let deferred scripts (charts) run
    assert visited > 20
    assert not violations, "\n".join(violations)
