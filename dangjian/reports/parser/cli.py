"""``dangjian parse-report FILE`` — print the record of one news report as JSON.

Runs before Django is set up (see ``dangjian/__main__.py``): no settings, no database.
"""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = """\
Parse the text of one Chinese news report about a party meeting or activity
(e.g. "…召开党组会议传达学习…", "…主题党日活动", "…启动仪式暨…论坛") and print one
JSON object: kind, org, title, date, meeting_type, activity_types, venue, chair,
leaders, study_items, measures, presenting_units, campaign (see REPORT_SCHEMA.md),
plus planned_activities, capabilities, participant_groups, confidence, spans
(character offsets of each value in the input text), furniture and warnings.

Page furniture (navigation, datelines, 来源/作者/阅读次数, copyright, ICP and
licence numbers, phone numbers, share buttons) is recognized and ignored.

FILE may be UTF-8 (with or without BOM), GBK/GB18030, UTF-16 with BOM, or a
Word .docx document; "-" reads standard input. Output is UTF-8 JSON.
"""

EPILOG = """\
exit status: 0 parsed (fields the text does not give are null or empty),
1 the input cannot be read (missing file, binary data, unknown encoding),
2 wrong arguments.

examples:
  dangjian parse-report report.txt
  dangjian parse-report --schema-only --compact report.docx
  cat report.txt | dangjian parse-report -
"""


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="dangjian parse-report",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "file", metavar="FILE", help='the report (.txt or .docx), or "-" for standard input'
    )
    ap.add_argument(
        "--schema-only",
        action="store_true",
        help="print only the REPORT_SCHEMA.md fields (no spans, confidence or extras)",
    )
    ap.add_argument("--compact", action="store_true", help="print the JSON on one line")
    return ap


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from . import SCHEMA_FIELDS, InputError, decode_bytes, parse_report

    try:
        data = _read(args.file)
    except FileNotFoundError:
        print(f"dangjian parse-report: error: no such file: {args.file}", file=sys.stderr)
        return 1
    except IsADirectoryError:
        print(f"dangjian parse-report: error: is a directory: {args.file}", file=sys.stderr)
        return 1
    except OSError as e:
        print(
            f"dangjian parse-report: error: cannot read {args.file}: {e.strerror}", file=sys.stderr
        )
        return 1
    try:
        text = decode_bytes(data)
    except InputError as e:
        print(f"dangjian parse-report: error: {e}", file=sys.stderr)
        return 1
    record = parse_report(text)
    if args.schema_only:
        record = {k: record[k] for k in SCHEMA_FIELDS}
    out = json.dumps(record, ensure_ascii=False, indent=None if args.compact else 2)
    sys.stdout.buffer.write(out.encode("utf-8") + b"\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
