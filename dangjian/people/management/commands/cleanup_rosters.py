"""``dangjian cleanup_rosters``: roster imports left behind (hourly, beside cleanup_sessions).

Puts back commits whose process died (their lease is free; nothing was
imported), expires imports nobody finished within
``DANGJIAN_ROSTER_FILE_MAX_AGE_HOURS`` and deletes every roster file whose
import has ended (people/roster_cleanup.py). scripts/demo runs it hourly;
production: the cleanup timer (README, Operations).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dangjian.people.roster_cleanup import cleanup


class Command(BaseCommand):
    help = "Recover dead roster commits, expire abandoned roster imports, delete their files."

    def handle(self, *args, **options):
        counts = cleanup()
        self.stdout.write(
            "recovered {recovered} commits, expired {expired} imports, "
            "deleted {files} files".format(**counts)
        )
