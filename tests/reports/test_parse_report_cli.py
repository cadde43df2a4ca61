"""``dangjian parse-report``: files, standard input, encodings, .docx, help and clear errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dangjian.reports.parser import SCHEMA_FIELDS, parse_report

SEEDS = Path(__file__).parent / "seeds"
SEED = SEEDS / "002_5d496fc68e932dd4.txt"
DANGJIAN = Path(sys.executable).with_name("dangjian")
# The console script of the environment the tests run in (.venv/bin/dangjian); when pytest runs
# from an interpreter without it, the same entry point through ``python -m dangjian``.
COMMAND = [str(DANGJIAN)] if DANGJIAN.exists() else [sys.executable, "-m", "dangjian"]


def run(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.pop("DANGJIAN_TESTING", None)  # the command needs no Django settings at all
    return subprocess.run(
        [*COMMAND, "parse-report", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        env=env,
        check=False,
    )


def record_of(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout.decode("utf-8"))


def test_file_prints_utf8_json_not_ascii_escaped():
    """A UTF-8 file gives the record as UTF-8 JSON with Chinese characters as they are."""
    proc = run(str(SEED))
    assert "张新文".encode() in proc.stdout
    assert b"\\u" not in proc.stdout
    rec = record_of(proc)
    assert rec["chair"]["name"] == "张新文"
    assert rec["spans"]["chair"]


def test_stdin_and_schema_only_compact():
    """'-' reads standard input; --schema-only --compact prints the schema fields on one line."""
    proc = run("--schema-only", "--compact", "-", stdin=SEED.read_bytes())
    assert proc.stdout.count(b"\n") == 1
    rec = record_of(proc)
    assert list(rec) == [
        "kind",
        "org",
        "title",
        "date",
        "meeting_type",
        "activity_types",
        "venue",
        "chair",
        "leaders",
        "study_items",
        "measures",
        "presenting_units",
        "campaign",
    ]
    assert rec["meeting_type"] == "党组会议"


def test_help_explains_the_command():
    """--help names the input forms, the output and the exit codes."""
    proc = run("--help")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    for word in ("FILE", "standard input", ".docx", "GBK", "JSON", "exit status"):
        assert word in out


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_encodings_are_detected(tmp_path, encoding):
    """GBK and UTF-8-with-BOM files give the same record as the UTF-8 text."""
    text = SEED.read_text(encoding="utf-8")
    path = tmp_path / "r.txt"
    path.write_bytes(text.encode(encoding))
    expected = {k: parse_report(text)[k] for k in SCHEMA_FIELDS}
    assert record_of(run("--schema-only", str(path))) == expected


def test_docx_is_read(tmp_path):
    """A Word .docx given instead of a .txt is read."""
    import docx

    d = docx.Document()
    for line in SEED.read_text(encoding="utf-8").splitlines():
        d.add_paragraph(line)
    path = tmp_path / "r.docx"
    d.save(path)
    rec = record_of(run(str(path)))
    assert rec["chair"]["name"] == "张新文"
    assert rec["meeting_type"] == "党组会议"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)) * 16, "binary"),
        (b"PK\x03\x04" + b"\x00" * 200, "ZIP"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    ],
    ids=["junk", "broken-zip", "pdf"],
)
def test_unreadable_input_is_a_clear_error(tmp_path, content, message):
    """Binary junk, a broken archive or a PDF: non-zero exit, one clear line, no traceback."""
    path = tmp_path / "r.bin"
    path.write_bytes(content)
    proc = run(str(path))
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert message in err
    assert "Traceback" not in err
    assert proc.stdout == b""


def test_missing_file_and_bad_arguments():
    """A missing file exits 1 with a message; no argument is a usage error (exit 2)."""
    proc = run("/nonexistent/report.txt")
    assert proc.returncode == 1
    assert b"no such file" in proc.stderr
    assert b"Traceback" not in proc.stderr
    proc = run()
    assert proc.returncode == 2
    assert b"usage:" in proc.stderr


def test_empty_input_gives_empty_record():
    """Empty standard input is not an error: every field is null or empty."""
    rec = record_of(run("--schema-only", "-", stdin=b""))
    assert all(v in (None, []) for v in rec.values())
