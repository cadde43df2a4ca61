"""``dangjian restore FILE``: restore a backup into an empty, migrated instance.

Verifies the archive's authentication tag and every checksum first, refuses a
target that holds data or runs other migrations, and is all-or-nothing.
``--check`` only verifies the archive.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import backup


class Command(BaseCommand):
    help = "Restore a dangjian backup into an empty instance (after 'migrate')."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup written by 'dangjian backup'")
        parser.add_argument(
            "--check", action="store_true", help="only verify the archive; change nothing"
        )

    def handle(self, *args, file, check, **options):
        try:
            if check:
                manifest = backup.read_manifest(file)
                self.stdout.write(
                    f"backup intact: {sum(manifest['tables'].values())} rows, "
                    f"{sum(1 for n in manifest['entries'] if n.startswith('media/'))} files, "
                    f"written {manifest['created_at']} on {manifest['vendor']}"
                )
                return
            summary = backup.restore_backup(file)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {summary.rows} rows and {summary.files} files")
