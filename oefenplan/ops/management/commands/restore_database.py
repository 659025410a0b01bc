"""Replace the database with a backup: `manage.py restore_database FILE [--no-input]`.

Restores a file of backup_database into the configured database (an empty one,
or the one it came from: every table the backup holds is replaced), then checks
the access log's hash chain there; a broken chain is a failure (exit status 1).
Stop the app and its worker first. docs/backup.md has the steps.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from oefenplan.ops.backup import (
    BackupError,
    database_description,
    database_restore,
    database_restore_check,
    human_size,
)

CANCELLED = "Restore cancelled: the database was not changed."


class Command(BaseCommand):
    help = (
        "Replace the database with a backup made by backup_database, then verify the "
        "access log's hash chain. Asks first unless --no-input."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The backup file to restore.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask before replacing the database.",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database to replace (default: %(default)s).",
        )

    def handle(self, *args, file: Path, interactive: bool, database: str, **options) -> None:
        try:
            target = database_description(using=database)
            database_restore_check(path=file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if interactive and not self._confirmed(
            f"This replaces database {target} with the backup {file}: "
            "what was written since the backup is lost.\n"
            "Type 'yes' to continue, or anything else to cancel: "
        ):
            raise CommandError(CANCELLED)
        try:
            result = database_restore(path=file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {result.path} (a {result.engine} backup, {human_size(result.size)}) "
            f"into database {target}: {result.tables} tables, {result.rows} rows."
        )
        self.stdout.write(f"The access log holds: {result.log_lines} lines, chain intact.")
        if result.tables_left:
            self.stderr.write(
                self.style.WARNING(
                    "These tables are not in the backup and were left as they were: "
                    f"{', '.join(result.tables_left)}. Restore an older backup into an "
                    "empty database instead (docs/backup.md)."
                )
            )
        if result.unapplied_migrations:
            self.stderr.write(
                self.style.WARNING(
                    f"The backup is older than this code: {len(result.unapplied_migrations)} "
                    "migrations are not applied. Run `manage.py migrate` before starting the app."
                )
            )

    def _confirmed(self, question: str) -> bool:
        try:
            return input(question).strip().lower() == "yes"
        except EOFError:  # no terminal: nobody said yes
            self.stdout.write("")
            return False
