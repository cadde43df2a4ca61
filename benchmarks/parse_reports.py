"""Throughput of the report parser: reports of about 3,000 characters per second, on one core.

Usage: .venv/bin/python benchmarks/parse_reports.py [--seconds 5] [--min-rate 200]

The inputs are the development set's real reports (tests/reports/devset and the seeds), each
brought to about 3,000 characters by repeating its own paragraphs. The process is pinned to one
CPU when the platform allows. The figure printed is reports per second of CPU time (what one
core does, unaffected by other processes competing for the machine); wall-clock throughput is
printed beside it. Exit status 1 when the CPU-time rate is below --min-rate.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dangjian.reports.parser import parse_report  # noqa: E402

TARGET_CHARS = 3000


def corpus() -> list[str]:
    files = sorted((ROOT / "tests/reports/devset").rglob("*.txt"))
    files += sorted((ROOT / "tests/reports/seeds").glob("*.txt"))
    out = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        doc = text
        while len(doc) < TARGET_CHARS:
            doc += "\n" + text
        out.append(doc[:TARGET_CHARS])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="CPU seconds to measure")
    ap.add_argument("--min-rate", type=float, default=200.0, help="required reports/s")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    docs = corpus()
    for d in docs:  # warm-up: imports, the segmenter's dictionary, regex compilation
        parse_report(d)
    rounds = []
    n = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    while time.process_time() - cpu0 < args.seconds:
        c = time.process_time()
        for d in docs:
            parse_report(d)
        rounds.append(len(docs) / (time.process_time() - c))
        n += len(docs)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    rate = n / cpu
    print(f"reports: {len(docs)} distinct, ~{TARGET_CHARS} characters each; parsed {n}")
    print(f"throughput (one core, CPU time): {rate:.0f} reports/s")
    print(f"throughput (wall clock):         {n / wall:.0f} reports/s")
    print(f"per round: min {min(rounds):.0f}, median {statistics.median(rounds):.0f} reports/s")
    print(f"mean time per report: {1000 * cpu / n:.2f} ms")
    if rate < args.min_rate:
        print(f"FAIL: below the required {args.min_rate:.0f} reports/s", file=sys.stderr)
        return 1
    print(f"OK: at least {args.min_rate:.0f} reports/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
