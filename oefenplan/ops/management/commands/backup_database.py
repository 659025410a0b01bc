"""Back up the database to one file: `manage.py backup_database FILE [--force]`.

PostgreSQL through pg_dump (custom format), SQLite through its online backup
API; the file is readable by its owner alone and appears only when complete.
docs/backup.md: what it holds, how often, and how to restore it
(`manage.py restore_database FILE`).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from oefenplan.ops.backup import BackupError, database_backup, database_description, human_size


class Command(BaseCommand):
    help = (
        "Back up the database to FILE (pg_dump's custom format on PostgreSQL, SQLite's "
        "online backup on SQLite), mode 0600. Restore it with restore_database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The backup file to write.")
        parser.add_argument("--force", action="store_true", help="Replace FILE if it exists.")
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database to back up (default: %(default)s).",
        )

    def handle(self, *args, file: Path, force: bool, database: str, **options) -> None:
        try:
            result = database_backup(path=file, using=database, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        contents = f"{result.tables} tables"
        if result.rows is not None:
            contents += f", {result.rows} rows"
        self.stdout.write(
            f"Backed up database {database_description(using=database)} to {result.path}: "
            f"{human_size(result.size)}, {contents}."
        )
