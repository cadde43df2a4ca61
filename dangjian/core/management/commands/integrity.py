"""``dangjian integrity check`` / ``dangjian integrity seal``.

``check`` compares every member, meeting (with its minutes and decisions) and
four-strong assessment with its HMAC-SM3 seal and lists the records changed
outside the application (exit code 1). Records without a seal (written in
bulk: roster import, demo data) are listed as such; ``--strict`` fails on them
too. ``seal`` seals the records that have no seal (``--all``: every record, e.g.
after changing the audit key — only after a clean ``check``).
"""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import integrity


class Command(BaseCommand):
    help = "Check the integrity seals of members, meetings and four-strong assessments."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("check", help="report records changed outside the application")
        check.add_argument("--strict", action="store_true", help="also fail on unsealed records")
        check.add_argument("--model", action="append", choices=sorted(integrity.SPECS))
        seal = sub.add_parser("seal", help="seal records that have no seal yet")
        seal.add_argument("--all", action="store_true", help="re-seal every record")
        seal.add_argument("--model", action="append", choices=sorted(integrity.SPECS))

    def handle(self, *args, subcommand, **options):
        if subcommand == "seal":
            count = integrity.seal_all(only_missing=not options["all"], labels=options["model"])
            self.stdout.write(f"sealed {count} records")
            return
        counts: Counter = Counter()
        for finding in integrity.check(labels=options["model"]):
            counts[finding.problem] += 1
            line = f"{finding.label} {finding.object_id}: {finding.problem}"
            if finding.problem in (integrity.TAMPERED, "deleted"):
                self.stderr.write(line)
            elif options["verbosity"] > 1 or options["strict"]:
                self.stdout.write(line)
        summary = ", ".join(f"{n} {problem}" for problem, n in sorted(counts.items())) or "all ok"
        self.stdout.write(f"integrity check: {summary}")
        failing = counts[integrity.TAMPERED] + counts["deleted"]
        if options["strict"]:
            failing += counts[integrity.UNSEALED] + counts[integrity.OUTDATED]
        if failing:
            raise CommandError(f"{failing} records do not match their integrity seal", returncode=1)
