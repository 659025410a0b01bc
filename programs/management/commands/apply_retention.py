"""Remove the notes, ticks and printed handouts of programs that ended more than
PROGRAM_DATA_RETENTION_DAYS ago (GDPR: storage limitation). Safe to run again:
a program is cleaned once. Run nightly (deploy/crontab)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from programs.services import program_apply_retention, retention_due


class Command(BaseCommand):
    help = "Remove notes, ticks and cached handouts of programs past the retention period."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say which programs are due."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        due = retention_due(today=timezone.localdate())
        for program in due:
            if not dry_run:
                program_apply_retention(program=program)
        verb = "due" if dry_run else "cleaned"
        self.stdout.write(f"{len(due)} ended program(s) {verb} after the retention period.")
