"""Production mode: every control on, and no start with a weak secret, DEBUG or demo passwords.

The settings are read in a fresh interpreter with DANGJIAN_PRODUCTION=1 (they are
computed at import); the refusal is shown by the system checks, by
``dangjian check --deploy`` and by gunicorn itself failing to start.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from dangjian.security import checks
from dangjian.security.models import AccountState
from tests.security.servers import PROJECT_DIR, gunicorn

# Random per run: production mode refuses the repository's own and low-entropy keys.
STRONG_KEY = secrets.token_urlsafe(50)
KEYS = {
    "DANGJIAN_DATA_KEY": secrets.token_hex(16),
    "DANGJIAN_INDEX_KEY": secrets.token_hex(32),
    "DANGJIAN_AUDIT_KEY": secrets.token_hex(32),
}
SAFE = {
    "DANGJIAN_PRODUCTION": True,
    "DEBUG": False,
    "TESTING": False,
    "SECRET_KEY": STRONG_KEY,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    **KEYS,
    "DANGJIAN_KEY_FILE": None,
    "DANGJIAN_BACKUP_KEY": None,
}


def _env(**extra) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DANGJIAN_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DANGJIAN_VAR_DIR": str(settings.VAR_DIR),
            **KEYS,
            # A database nobody migrated: the settings checks come first.
            "DATABASE_URL": f"sqlite:///{Path(settings.VAR_DIR) / 'production-check.sqlite3'}",
        }
    )
    env.update(extra)
    return env


def _production_settings(**extra) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "names = ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SESSION_COOKIE_SAMESITE', 'SECURE_HSTS_SECONDS', 'PASSWORD_MIN_CLASSES', "
        "'PASSWORD_MAX_AGE_DAYS', 'PASSWORD_CHANGE_ASSIGNED', 'SESSION_MAX_PER_USER', "
        "'SESSION_IDLE_MINUTES', 'LOGIN_MAX_FAILURES', 'DANGJIAN_PRODUCTION']; "
        "print(json.dumps({n: getattr(settings, n) for n in names}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=_env(DJANGO_SETTINGS_MODULE="dangjian.config.settings", **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.once
def test_8_1_4_1_c_production_mode_turns_every_control_on():
    values = _production_settings(DANGJIAN_PRODUCTION="1", DANGJIAN_SECRET_KEY=STRONG_KEY)
    assert values["DANGJIAN_PRODUCTION"] is True
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["PASSWORD_MIN_CLASSES"] == 3
    assert values["PASSWORD_MAX_AGE_DAYS"] == 90
    assert values["PASSWORD_CHANGE_ASSIGNED"] is True
    assert values["SESSION_MAX_PER_USER"] == 1
    assert values["SESSION_IDLE_MINUTES"] == 30
    assert values["LOGIN_MAX_FAILURES"] == 5


@pytest.mark.once
def test_8_1_4_1_a_demo_mode_defaults_are_owasp_rules():
    values = _production_settings(DANGJIAN_SECRET_KEY=STRONG_KEY)
    assert values["DANGJIAN_PRODUCTION"] is False
    assert values["PASSWORD_MIN_CLASSES"] == 1
    assert values["PASSWORD_MAX_AGE_DAYS"] == 0  # no forced periodic change
    assert values["SESSION_COOKIE_SECURE"] is False  # the demo is served over plain HTTP
    assert values["SECURE_HSTS_SECONDS"] == 0


def _ids(found) -> set[str]:
    return {e.id for e in found if e.is_serious()}


@pytest.mark.django_db
def test_production_safe_configuration_passes_the_checks():
    with override_settings(**SAFE):
        assert _ids(checks.production_settings()) == set()
        assert _ids(checks.production_demo_passwords()) == set()
        assert _ids(checks.production_keys()) == set()
        assert _ids(checks.production_separated_duties()) == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"SECRET_KEY": "insecure-development-key-not-for-any-deployment"}, "dangjian.E001"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 50}, "dangjian.E001"),
        ({"SECRET_KEY": "short"}, "dangjian.E001"),
        ({"DEBUG": True}, "dangjian.E002"),
        ({"TESTING": True}, "dangjian.E003"),
        ({"SESSION_COOKIE_SECURE": False}, "dangjian.E004"),
    ],
)
def test_production_refuses_unsafe_settings(override, error):
    with override_settings(**{**SAFE, **override}):
        assert error in _ids(checks.production_settings())


@pytest.mark.django_db
def test_demo_mode_is_not_refused():
    with override_settings(DANGJIAN_PRODUCTION=False, DEBUG=True):
        assert checks.production_settings() == []
        assert checks.production_demo_passwords() == []


@pytest.mark.django_db
def test_production_refuses_accounts_with_demo_passwords(tree, monkeypatch):
    from dangjian.core import audit, demo
    from dangjian.core.models import AuditEvent

    monkeypatch.delenv("DANGJIAN_DEMO_PASSWORD", raising=False)
    monkeypatch.delenv("DANGJIAN_GENERATED_DEMO_PASSWORD", raising=False)
    audit.record(
        actor=None,
        action=AuditEvent.Action.IMPORT,
        object_type=demo.MARKER_TYPE,
        note=demo.MARKER_NOTE,
    )
    demo.reset_passwords(password="Demo-Passw0rd-1")
    with override_settings(**SAFE):
        found = checks.production_demo_passwords()
        assert "dangjian.E006" in _ids(found)
        message = next(e.msg for e in found if e.id == "dangjian.E006")
        assert "zhibu" in message and "Demo-Passw0rd-1" not in message
        # Holders who chose their own password, and disabled accounts, no longer count.
        user_model = tree.users["admin"].__class__
        chosen = user_model.objects.filter(username__in=demo.ACCOUNT_NAMES).exclude(
            username="admin"
        )
        AccountState.objects.filter(user__in=chosen).update(password_assigned=False)
        assert "admin" in checks.demo_password_accounts()
        from django.core.management import call_command

        call_command("disable_demo_accounts", stdout=open(os.devnull, "w"))  # noqa: SIM115
        assert checks.demo_password_accounts() == []
        assert "dangjian.E006" not in _ids(checks.production_demo_passwords())


@pytest.mark.django_db
def test_production_refuses_a_known_demo_password_variable(monkeypatch):
    monkeypatch.setenv("DANGJIAN_DEMO_PASSWORD", "Demo-Passw0rd-1")
    with override_settings(**SAFE):
        assert "dangjian.E005" in _ids(checks.production_demo_passwords())


@pytest.mark.django_db
def test_refuse_unsafe_start_raises_with_a_clear_message():
    from django.core.exceptions import ImproperlyConfigured

    with (
        override_settings(**{**SAFE, "DEBUG": True}),
        pytest.raises(ImproperlyConfigured, match="refuses to start in production mode"),
    ):
        checks.refuse_unsafe_start()
    with override_settings(**SAFE):
        checks.refuse_unsafe_start()


@pytest.mark.once
def test_check_deploy_command_reports_the_refusal():
    result = subprocess.run(
        [sys.executable, "-m", "dangjian", "check", "--deploy"],
        cwd=PROJECT_DIR,
        env=_env(
            DANGJIAN_PRODUCTION="1",
            DANGJIAN_DEBUG="1",  # DEBUG on and (so) the development secret key
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "dangjian.E001" in result.stderr and "dangjian.E002" in result.stderr
    # The database is not migrated: the grants cannot be read, which is a warning, not a crash.
    assert "dangjian.W002" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.once
def test_gunicorn_refuses_to_start_in_production_with_an_insecure_configuration(tmp_path):
    """The real server: gunicorn exits (worker failed to boot) and the log says why."""
    log = tmp_path / "gunicorn.log"
    env = _env(DANGJIAN_PRODUCTION="1", DANGJIAN_DEBUG="1")
    with gunicorn(env, log, _free_port()) as process:
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("gunicorn kept running in production mode with DEBUG on")
    text = log.read_text(errors="replace")
    assert code != 0
    assert "refuses to start in production mode" in text
    assert "dangjian.E002" in text


@pytest.mark.once
def test_gunicorn_starts_in_production_with_a_safe_configuration(tmp_path):
    """The same command with a strong key and no DEBUG serves (the refusal is not blanket),
    and an HTTPS request (through a proxy) gets HSTS."""
    db = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    subprocess.run(  # production mode's start checks do not stand in the way of migrate
        [sys.executable, "-m", "dangjian", "migrate", "--noinput", "-v", "0"],
        cwd=PROJECT_DIR,
        env=_env(DANGJIAN_PRODUCTION="1", DANGJIAN_SECRET_KEY=STRONG_KEY, DATABASE_URL=db),
        check=True,
        timeout=300,
    )
    env = _env(
        DANGJIAN_PRODUCTION="1",
        DANGJIAN_SECRET_KEY=STRONG_KEY,
        DATABASE_URL=db,
        DANGJIAN_ALLOWED_HOSTS="127.0.0.1",
        DANGJIAN_PROXY_SSL_HEADER="1",
    )
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log, port) as process:
        response = None
        deadline = time.monotonic() + 60
        while response is None and time.monotonic() < deadline and process.poll() is None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/", headers={"X-Forwarded-Proto": "https"})
                response = connection.getresponse()
            except OSError:
                time.sleep(0.2)
            finally:
                connection.close()
        assert response is not None, log.read_text(errors="replace")[-2000:]
        assert response.status == 302  # to the log-in page
        assert int(response.headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) > 0


# ---------------------------------------------------------------------------
# Keys (issue 11, point 8): empty, all-zero, the repository's own, low entropy
# ---------------------------------------------------------------------------

WEAK_HEX_KEYS = [
    pytest.param("", id="empty"),
    pytest.param("00" * 16, id="all-zero"),
    pytest.param("ff" * 32, id="one-repeated-byte"),
    pytest.param("00112233445566778899aabbccddeeff", id="test-data-key"),
    pytest.param("ffeeddccbbaa99887766554433221100" * 2, id="test-index-key"),
    pytest.param("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" * 2, id="test-audit-key"),
    pytest.param("000102030405060708090a0b0c0d0e0f", id="counter"),
    pytest.param("0123456789abcdef", id="too-short"),
    pytest.param("deadbeef" * 4, id="repeated-block"),
    pytest.param(secrets.token_hex(8) * 2, id="random-half-twice"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["DANGJIAN_DATA_KEY", "DANGJIAN_INDEX_KEY", "DANGJIAN_AUDIT_KEY"])
@pytest.mark.parametrize("value", WEAK_HEX_KEYS)
def test_production_refuses_weak_keys(name, value):
    """Before: any key the parser accepted started production mode, the tests' own included."""
    with override_settings(**{**SAFE, name: value}):
        found = checks.production_keys()
    assert _ids(found) == {"dangjian.E007"}
    text = " ".join(e.msg for e in found)
    if value:
        assert value not in text  # a key never appears in a message
    with (
        override_settings(**{**SAFE, name: value}),
        pytest.raises(ImproperlyConfigured, match=r"dangjian\.E007"),
    ):
        checks.refuse_unsafe_start()


@pytest.mark.django_db
def test_production_refuses_a_weak_key_in_the_key_file_and_a_weak_backup_key(tmp_path):
    key_file = tmp_path / "keys"
    key_file.write_text(
        f"DATA_KEY={KEYS['DANGJIAN_DATA_KEY']}\nINDEX_KEY={KEYS['DANGJIAN_INDEX_KEY']}\n"
        f"AUDIT_KEY={'00' * 32}\n"
    )
    no_env_keys = dict.fromkeys(KEYS)
    with override_settings(**{**SAFE, **no_env_keys, "DANGJIAN_KEY_FILE": str(key_file)}):
        found = checks.production_keys()
    assert [e.id for e in found] == ["dangjian.E007"] and "DANGJIAN_AUDIT_KEY" in found[0].msg
    with override_settings(**{**SAFE, "DANGJIAN_BACKUP_KEY": "11" * 16}):
        found = checks.production_keys()
    assert [e.id for e in found] == ["dangjian.E007"] and "DANGJIAN_BACKUP_KEY" in found[0].msg
    # The previous keys of a rotation are not judged: rotating away from a weak key must start.
    with override_settings(**{**SAFE, "DANGJIAN_OLD_DATA_KEY": "00112233445566778899aabbccddeeff"}):
        assert checks.production_keys() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        pytest.param("a" * 60, id="one-character"),
        pytest.param("abcdefghij" * 6, id="repeated-block"),
        pytest.param("k" + "".join(chr(ord("a") + i % 26) for i in range(70)), id="old-test-key"),
        pytest.param("browser-production-" + "k7Qz" * 12, id="old-browser-test-key"),
        pytest.param("".join(chr(33 + i) for i in range(60)), id="counter"),
        pytest.param("ab" * 10 + "cdefgh" * 6 + "x" * 4, id="few-distinct"),
    ],
)
def test_production_refuses_a_low_entropy_secret_key(value):
    with override_settings(**{**SAFE, "SECRET_KEY": value}):
        assert "dangjian.E001" in _ids(checks.production_settings())


def test_random_keys_pass_the_entropy_rules():
    """The rule is measurable and does not refuse real keys: none of 5,000 random keys of
    each kind is refused (docs/security.md: a false refusal is below one in a million)."""
    from django.core.management.utils import get_random_secret_key

    for _ in range(5000):
        assert checks.weak_key_reason(secrets.token_bytes(16)) == ""
        assert checks.weak_key_reason(secrets.token_bytes(32)) == ""
        assert checks.weak_secret_reason(secrets.token_urlsafe(50)) == ""
        assert checks.weak_secret_reason(get_random_secret_key()) == ""
        assert checks.weak_secret_reason(secrets.token_hex(32)) == ""


# A hex literal given to a name ending in KEY (or the tests' NEW_DATA / NEW_INDEX keys),
# possibly repeated (`"0f" * 16`) or through bytes.fromhex(...).
REPOSITORY_KEY = re.compile(
    r"""(?i)(?:key|new_data|new_index)["']?\s*[:=]\s*(?:bytes\.fromhex\()?"""
    r"""["']([0-9a-f]{2,})["'](?:\s*\*\s*(\d+))?"""
)


def test_every_hex_key_the_repository_holds_is_refused():
    """Settings, tests and docs hold keys in the clear; none of them may start production
    mode — by the list of known keys or by the entropy rules (a key added later as well)."""
    root = Path(PROJECT_DIR)
    files = [root / "dangjian" / "config" / "settings.py", root / "README.md"]
    files += sorted((root / "tests").rglob("*.py")) + sorted((root / "docs").glob("*.md"))
    found = set()
    for path in files:
        for literal, times in REPOSITORY_KEY.findall(path.read_text(errors="replace")):
            value = literal * int(times or 1)
            if len(value) % 2 == 0 and 32 <= len(value) <= 128:
                found.add(value.lower())
    # The scan sees the settings' keys, the tests' rotation keys and the SM4 standard's key.
    assert {"00112233445566778899aabbccddeeff", "0f" * 16, "1e" * 32} <= found
    assert "0123456789abcdeffedcba9876543210" in found
    for value in sorted(found):
        raw = bytes.fromhex(value)
        assert checks.weak_key_reason(raw), f"{value[:8]}… from the repository passes"
        assert value in checks.REPOSITORY_KEYS or checks.low_entropy(raw, **checks.KEY_RULES)
