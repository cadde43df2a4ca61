"""Real-browser fixtures: Debian's Chromium, driven by Playwright, against gunicorn.

The application server is gunicorn (as in production, not runserver) serving the
test database that pytest-django created, so the data a test commits through
``transactional_db`` is what the browser sees. One server per test session and
one browser for the browser tests (per xdist worker); a fresh browser context
(cookies, storage) per test. Each xdist worker that runs browser tests gets its
own server, port and database, so the tests are correct wherever xdist puts them
(with pytest 9.2, ``--dist loadgroup`` ignores ``xdist_group``: pytest-xdist#1386).

Chromium missing: the browser tests are skipped, unless ``REQUIRE_BROWSER=1``,
in which case they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests import factories


def pytest_configure(config):
    # xdist registers this marker itself, but not when run with -p no:xdist (--strict-markers).
    config.addinivalue_line("markers", "xdist_group(name): run in the same xdist worker")


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
SERVER_START_SECONDS = 20
# Long enough for a loaded CI machine, short enough that a broken page fails fast.
DEFAULT_TIMEOUT_MS = 10_000
PROJECT_DIR = Path(__file__).resolve().parents[2]


def chromium_path() -> str | None:
    """The Chromium binary to drive: DANGJIAN_CHROMIUM if set, else Debian's, else one on PATH."""
    if os.environ.get("DANGJIAN_CHROMIUM"):
        candidates = [os.environ["DANGJIAN_CHROMIUM"]]
    else:
        candidates = [
            "/usr/bin/chromium",
            shutil.which("chromium"),
            shutil.which("chromium-browser"),
        ]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def _unavailable(reason: str):
    if browser_required():
        pytest.fail(f"REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def chromium():
    """A headless Chromium shared by all the browser tests.

    Playwright's sync API marks its event loop as running in this thread for as
    long as it lives, and Django then refuses database calls ("async context").
    The tests' own database work is synchronous, so Django's guard is lifted,
    but only while Playwright runs: the fixture is package-scoped so that both
    end after the last browser test, before any other test of the session runs.
    """
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium not found (install Debian's chromium or set DANGJIAN_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (uv sync --group dev)")
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as pw:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def database_url() -> str:
    """DATABASE_URL of the test database pytest-django set up (its name has any xdist suffix)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(s["NAME"]).resolve()
        return f"sqlite:///{path}"  # an absolute path starts with "/", hence four slashes
    if connection.vendor == "postgresql":
        auth = quote(s.get("USER") or "", safe="")
        if s.get("PASSWORD"):
            auth += ":" + quote(s["PASSWORD"], safe="")
        host = s.get("HOST") or "localhost"
        port = f":{s['PORT']}" if s.get("PORT") else ""
        return f"postgres://{auth}{'@' if auth else ''}{host}{port}/{quote(s['NAME'], safe='')}"
    raise pytest.UsageError(f"Browser tests do not know how to share a {connection.vendor} db")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, seconds: float) -> int | None:
    """The HTTP status of url once the server answers (the worker boots after the port opens)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if process.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(url, timeout=max(left, 0.1)) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)
    return None


@pytest.fixture(scope="session")
def app_server(django_db_setup):
    """gunicorn serving the test database; yields its base URL. Stopped before the db is dropped."""
    port = _free_port()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    log_path = Path(settings.VAR_DIR) / f"browser-server-{worker}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "DANGJIAN_TESTING": "1",
        "DATABASE_URL": database_url(),
        "DANGJIAN_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Persistent connections would keep PostgreSQL from dropping the test db at the end.
        "DANGJIAN_DB_CONN_MAX_AGE": "0",
        "DANGJIAN_VAR_DIR": str(settings.VAR_DIR),
    }
    # The server decrypts what the tests encrypted: it must use the same keys.
    for name in ("DANGJIAN_DATA_KEY", "DANGJIAN_INDEX_KEY"):
        value = getattr(settings, name, None)
        if value:
            env[name] = value
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "dangjian.config.wsgi",
        "--config",
        str(Path(__file__).with_name("gunicorn_test_config.py")),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "4",
        "--graceful-timeout",
        "2",
        # gunicorn 27's control socket has one default path per user: two servers (two
        # xdist workers, or a developer's own server) would take it from each other.
        "--no-control-socket",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        status = _wait_until_serving(
            f"{base_url}/static/vendor/htmx/htmx.min.js", process, SERVER_START_SECONDS
        )
        if status is None:
            tail = log_path.read_text(errors="replace")[-3000:]
            pytest.fail(f"gunicorn did not answer within {SERVER_START_SECONDS} s:\n{tail}")
        if status != 200:
            pytest.fail(
                f"gunicorn answers {status} for /static/vendor/htmx/htmx.min.js: "
                "front-end packages missing? Run `npm ci` (scripts/test does)."
            )
        # The first page pays for importing the views and compiling templates; pay it here,
        # not inside the first test's navigation timeout.
        status = _wait_until_serving(f"{base_url}/accounts/login/", process, SERVER_START_SECONDS)
        if status != 200:
            tail = log_path.read_text(errors="replace")[-3000:]
            pytest.fail(f"gunicorn answers {status} for the log-in page:\n{tail}")
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def browser_tree(transactional_db):
    """The shared test tree, committed so that the server process sees it."""
    return factories.build_tree()


class PageProblems:
    """What went wrong in the page without a test asking: JS errors, failed assets, 5xx."""

    def __init__(self):
        self.items: dict[str, None] = {}  # ordered and without repeats

    def add(self, problem: str) -> None:
        self.items[problem] = None

    def watch(self, page) -> None:
        page.on("pageerror", lambda exc: self.add(f"JavaScript error: {exc}"))
        page.on("requestfailed", self._on_failed)
        page.on("response", self._on_response)

    def _on_failed(self, request) -> None:
        # A navigation that turns into a download ends as "aborted" for the page;
        # the download itself is what the test checks.
        if request.failure == "net::ERR_ABORTED" and request.resource_type == "document":
            return
        self.add(f"{request.failure} for {request.url}")

    def _on_response(self, response) -> None:
        if response.status >= 500:
            self.add(f"server error {response.status}: {response.url}")
        elif response.status >= 400 and response.request.resource_type != "document":
            # A 404 page is a legitimate answer; a missing stylesheet or script is not.
            self.add(f"{response.status} for a sub-resource: {response.url}")


PAGE_PROBLEMS = pytest.StashKey[PageProblems]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test whose pages had JS errors, server errors or missing assets fails."""
    result = yield
    problems = item.stash.get(PAGE_PROBLEMS, None)
    if problems and problems.items:
        pytest.fail("The page had problems:\n" + "\n".join(problems.items), pytrace=False)
    return result


@pytest.fixture
def page(request, chromium, app_server):
    """A fresh browser context and page, watched for problems (see pytest_runtest_call)."""
    context = chromium.new_context(
        base_url=app_server, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems = request.node.stash[PAGE_PROBLEMS] = PageProblems()
    problems.watch(page)
    yield page
    context.close()


@pytest.fixture
def login():
    """Log a page in through the login form; returns once the form has been left."""

    def do_login(page, username: str, password: str = factories.PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return do_login


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = Path(settings.VAR_DIR) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
