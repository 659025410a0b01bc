"""Check the access log's hash chain from the first line to the last.

Exit status 0 when every line holds; otherwise the first line that does not is
named, with why, and the status is 1 (cron or monitoring can alert on it).
"""

from django.core.management.base import BaseCommand, CommandError

from programs.access_log import access_log_verify


class Command(BaseCommand):
    help = "Verify the access log's hash chain and name the first broken line."

    def handle(self, *args, **options) -> None:
        checked, broken = access_log_verify()
        if broken is not None:
            raise CommandError(
                f"The access log is broken at line {broken.entry_id}: {broken.reason}. "
                f"The {checked} lines before it hold."
            )
        self.stdout.write(f"The access log holds: {checked} lines, chain intact.")
