"""gunicorn serving dangjian as in production, for the tests that need a real server start."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log_path: Path, port: int):
    """Start ``gunicorn dangjian.config.wsgi`` on 127.0.0.1:port; yield the process; stop it."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "dangjian.config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "4",
        "--graceful-timeout",
        "2",
        "--no-control-socket",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
