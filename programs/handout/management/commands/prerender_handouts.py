"""`manage.py prerender_handouts`: queue the renders of recent handouts that are
not in the cache, so nobody waits for one after a deploy.

Run it by the deploy, after `collectstatic` and `compilemessages`: a change to
the handout's template, stylesheet, pictograms or catalogues gives every handout
a new cache key (programs.handout.cache.layout_fingerprint), and the task worker
renders them anew in the background. Queuing only: cheap, and safe to repeat.
"""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from programs.handout.tasks import handout_prerender_missing


class Command(BaseCommand):
    help = "Queue renders of recently published handouts whose PDF is not in the cache."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=float,
            help="programs published in the last DAYS days (default: HANDOUT_CACHE_MAX_AGE_DAYS)",
        )

    def handle(self, *args, days: float | None, **options) -> None:
        since = None if days is None else timezone.now() - datetime.timedelta(days=days)
        queued = handout_prerender_missing(since=since)
        self.stdout.write(f"Queued {len(queued)} handout render(s).")
