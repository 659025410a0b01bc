"""`manage.py prune_handouts`: remove cached handout PDFs past their age, for cron.

Each new render prunes too; this catches the quiet weekend with no renders.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from programs.handout.cache import handout_cache_prune


class Command(BaseCommand):
    help = "Remove cached handout PDFs older than HANDOUT_CACHE_MAX_AGE (they carry names)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--max-age-days",
            type=float,
            help="remove PDFs older than this many days (default: the setting)",
        )

    def handle(self, *args, max_age_days: float | None, **options) -> None:
        max_age = settings.HANDOUT_CACHE_MAX_AGE if max_age_days is None else max_age_days * 86400
        removed = handout_cache_prune(max_age=max_age)
        self.stdout.write(f"Removed {len(removed)} cached handout PDF(s).")
