"""The ``dangjian`` command: Django's management commands for this platform.

``dangjian migrate``, ``dangjian load_demo`` … behave like ``manage.py``.
``dangjian parse-report FILE`` is answered before Django is set up (a pure function; see
``dangjian.reports.parser.cli``).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "parse-report":
        from dangjian.reports.parser.cli import main as parse_report_main

        sys.exit(parse_report_main(args[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "dangjian"
    if len(argv) > 1 and argv[1] == "rotate-keys":  # the documented spelling of rotate_keys
        argv[1] = "rotate_keys"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
