"""Handouts rendered by the task worker, before anyone asks for them.

A render takes seconds (WeasyPrint lays out every page), so it happens in the
worker the moment what a handout prints changes (programs.signals.handout_changed):
the therapist's first download, and the patient's, find the PDF in the cache.
The worker builds the handout exactly as the download does (the QR code's
address from settings.SITE_URL), so both arrive at the same cache key.
"""

import datetime
import functools

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db import DatabaseBackend

from programs.handout.cache import handout_cached_file, handout_pdf_file
from programs.handout.context import HandoutUnavailable, handout_for
from programs.models import Program, ProgramRevision


@task()
def handout_prerender(program_id: int) -> str | None:
    """Render the program's handout into the cache, unless it is there already.
    Returns the cached file's name; None when there is nothing to print any more
    (the program was erased, or has no published revision)."""
    program = (
        Program.objects.select_related("patient__practice", "protocol", "variant")
        .filter(pk=program_id)
        .first()
    )
    if program is None:
        return None
    try:
        handout = handout_for(program=program)
    except HandoutUnavailable:
        return None
    return handout_pdf_file(handout).name


def handout_prerender_queue(*, program_ids: list[int]) -> None:
    """Queue a render of each program's handout as part of the current transaction.

    The database queue takes the task in the same transaction: the render is
    queued if and only if the change commits, and a worker cannot start it
    before. Any other queue (Redis) is told after the commit, for the same reason.
    """
    backend = handout_prerender.get_backend()
    for program_id in program_ids:
        enqueue = functools.partial(handout_prerender.enqueue, program_id)
        if isinstance(backend, DatabaseBackend):
            enqueue()
        else:
            transaction.on_commit(enqueue)


def handout_prerender_missing(*, since: datetime.datetime | None = None) -> list[int]:
    """Queue a render of every recent handout that is not in the cache: after a
    deploy that changed the layout (a new key for every handout), or a cache
    directory that was emptied. Recent: the program's latest revision was
    published after `since` (default: HANDOUT_CACHE_MAX_AGE ago, as far back
    as the cache keeps a PDF anyway). Returns the programs queued."""
    if since is None:
        since = timezone.now() - datetime.timedelta(seconds=settings.HANDOUT_CACHE_MAX_AGE)
    recent = (
        ProgramRevision.objects.filter(published_at__gte=since, program__archived_at__isnull=True)
        .values_list("program_id", flat=True)
        .distinct()
    )
    programs = Program.objects.select_related("patient__practice").filter(pk__in=list(recent))
    missing = []
    for program in programs.order_by("pk"):
        try:
            handout = handout_for(program=program)
        except HandoutUnavailable:
            continue
        if handout_cached_file(handout) is None:
            missing.append(program.pk)
    handout_prerender_queue(program_ids=missing)
    return missing
