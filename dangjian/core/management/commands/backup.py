"""``dangjian backup FILE``: the database and MEDIA_ROOT in one encrypted, checksummed archive.

See dangjian/core/backup.py for the format, the key and what "consistent" means.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import backup


class Command(BaseCommand):
    help = "Write an encrypted, checksummed backup of the database and uploaded files."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the backup (replaced atomically)")

    def handle(self, *args, file, **options):
        try:
            summary = backup.create_backup(file)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup written: {summary.rows} rows in {len(summary.tables)} tables, "
            f"{summary.files} files"
        )
