"""The patient's plan page, rendered once and filled per request.

A published revision never changes, so the page of a day is the same for every
request but for a few holes: the CSRF token, each exercise's tick form (what
was ticked today, its pain and note), the session's progress ("3 of 11 done")
and the overview's check marks. The page is rendered once without ticks, with
markers around those holes, and kept as a "skeleton"; a request fills it:

- the link check (never cached: a revoked link stops at once), which reads the
  ids of the running revisions in the same query (reads.py; this process keeps
  their programs and parsed snapshots), and one query for the ticks of the
  program week;
- the tick forms of the exercises ticked today, and the progress and the
  overview when anything is, rendered from the template's own partials; every
  other hole keeps what the skeleton holds, which is what it would render. The
  page so filled is kept too, under the skeleton's key and the session's ticks
  (their pain, note and source, and the practice's pain limit), so until the
  patient ticks again a request only adds its CSRF token.

The key names everything else the page prints: the revisions (a new publish is a
new key), the day, the session, whether it is a past day being ticked off, the
days that may still be ticked off, the ticks of earlier days of the week (they
decide the weekly exercises), the language, the patient's name, the practice's
printed details, the library version (exercises.library_version: its photos)
and a hash of the templates. Pages with a message to show (after "whole
session done") are rendered whole.

Two levels, Django's cache framework both: each process's memory
("plan_local"), then Redis ("plan_shared") when settings.REDIS_URL is set.
"""

import datetime
import functools
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import redis.exceptions
from django.conf import settings
from django.core.cache import caches
from django.template import Context
from django.template.loader import get_template
from django.templatetags.static import static

from exercises import library_version
from programs import selectors
from programs.models import ExerciseTick, Patient, Program
from programs.snapshot import Snapshot
from programs.today import SessionView, Today

TODAY_TEMPLATE = "programs/plan/today.html"
REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
logger = logging.getLogger(__name__)
# Bump when the page's code (not its templates: they are hashed) prints differently.
PAGE_VERSION = 1

# The hole markers. NUL never comes from a user (Django's form fields refuse it,
# PostgreSQL cannot store it), so no text on the page can fake one.
CSRF_HOLE = "\x00C\x00"
_MARK = re.compile(r"\x00([A-Z])([0-9]*)\x00")


class Holes:
    """What the template prints around its holes when rendering a skeleton."""

    open = "\x00"
    close = "\x00E\x00"


HOLES = Holes()

# The running revisions this process has read, by (cache version, revision id): a
# revision never changes (the version only keeps test runs, which reuse ids, apart).
_running: dict[tuple[str, int], tuple[Program, Snapshot]] = {}
_RUNNING_MAX = 1024


def enabled() -> bool:
    return settings.PLAN_PAGE_CACHE


def cache_version() -> str:
    return library_version.library_version()


# The running revisions ------------------------------------------------------------


def current_programs(
    *, patient: Patient, version: str, revision_ids: tuple[int, ...]
) -> list[tuple[Program, Snapshot, int]]:
    """The running revisions `revision_ids` (the link check read them:
    reads.link_and_revisions), oldest program first (as
    selectors.patient_current_revisions): (program, snapshot, revision id).

    No query when this process has them (their programs and parsed snapshots are
    kept: a revision never changes); else one, for them all (after a publish)."""
    if all((version, pk) in _running for pk in revision_ids):
        return _in_order(version, revision_ids)
    if len(_running) >= _RUNNING_MAX:
        _running.clear()
    for revision in selectors.patient_revisions(patient=patient, ids=revision_ids):
        _running[(version, revision.pk)] = (revision.program, revision.content)
    return _in_order(version, [pk for pk in revision_ids if (version, pk) in _running])


def _in_order(version: str, ids: Iterable[int]) -> list[tuple[Program, Snapshot, int]]:
    found = [(*_running[(version, pk)], pk) for pk in ids]
    return sorted(found, key=lambda each: (each[0].created_at, each[0].pk))


# The two-level cache ----------------------------------------------------------------


def cached(key: str, build: Callable[[], object], *, shared: bool = True) -> object:
    """The value under `key`: from this process's memory, else from Redis (when
    configured and `shared`), else built and kept in both.

    Redis only saves work: when it cannot be reached the page is built here, so
    the plan keeps working while Redis is down (bench/load.py's stop-redis fault)."""
    local = caches["plan_local"]
    value = local.get(key)
    if value is not None:
        return value
    second = caches["plan_shared"] if shared and "plan_shared" in settings.CACHES else None
    value = _shared_get(second, key)
    if value is None:
        value = build()
        _shared_set(second, key, value)
    local.set(key, value)
    return value


def _shared_get(cache, key: str) -> object:
    if cache is None:
        return None
    try:
        return cache.get(key)
    except REDIS_ERRORS:
        logger.warning("plan page cache: Redis unreachable, the page is built here")
        return None


def _shared_set(cache, key: str, value: object) -> None:
    if cache is None:
        return
    try:
        cache.set(key, value)
    except REDIS_ERRORS:
        logger.warning("plan page cache: Redis unreachable, the page is kept here only")


@functools.cache
def template_version() -> str:
    """A hash of the templates the page is made of and the static files it links
    (their names change with their content once collected)."""
    digest = hashlib.sha256(str(PAGE_VERSION).encode())
    templates = Path(settings.BASE_DIR) / "templates"
    files = sorted((templates / "programs" / "plan").rglob("*.html"))
    files += [templates / "programs" / "partials" / "exercise.html"]
    files += [templates / "exercises" / "partials" / "figure.html"]
    files += sorted((templates / "partials").glob("*.html"))
    for path in files:
        digest.update(path.read_bytes())
    for asset in ("css/plan.css", "js/plan.js", "plan.webmanifest", "favicon.svg"):
        digest.update(static(asset).encode())
    return digest.hexdigest()[:16]


def page_key(*, version: str, parts: Iterable[object]) -> str:
    """The skeleton's cache key: everything the page prints but its holes."""
    material = repr((template_version(), version, *parts)).encode()
    return "plan-page:" + hashlib.sha256(material).hexdigest()


def earlier_ticks(ticks: list[ExerciseTick], day: datetime.date) -> tuple:
    """The ticks before `day` that decide its weekly exercises, as key material."""
    return tuple(
        sorted(
            (t.program_id, t.date.toordinal(), t.item_id, t.session) for t in ticks if t.date < day
        )
    )


def session_ticks(ticks: dict, session: int, *, pain_limit: int) -> tuple:
    """What the holes print of today's ticks in `session`, as key material."""
    return (
        pain_limit,
        tuple(
            sorted(
                (item_id, tick.pain, tick.note, tick.source)
                for (item_id, ticked_session), tick in ticks.items()
                if ticked_session == session
            )
        ),
    )


# Each process's days already worked out, by (cache version, revisions, day,
# ticks of the days before it): the weekly exercises depend on those alone.
_days: dict[tuple, Today] = {}
_DAYS_MAX = 512


def today_of_cached(key: tuple, make: Callable[[], Today]) -> Today:
    """`make()` (programs.today.today_of), once per process for the same `key`."""
    found = _days.get(key)
    if found is None:
        if len(_days) >= _DAYS_MAX:
            _days.clear()
        found = _days[key] = make()
    return found


# Skeleton and fill ---------------------------------------------------------------------


def parse(html: str) -> tuple:
    """The rendered skeleton as a tuple of pieces: ("", parts) for plain text and
    (kind, item id, parts) for a hole with its content as rendered without ticks;
    `parts` are the text between CSRF tokens."""
    pieces = []
    tokens = _MARK.split(html)
    text = [tokens[0]]
    hole = None
    for index in range(1, len(tokens), 3):
        kind, number, after = tokens[index], tokens[index + 1], tokens[index + 2]
        if kind == "C":
            text += [CSRF_HOLE, after]
            continue
        joined = "".join(text)  # no CSRF between: the join below splits it again
        if kind == "E":
            pieces.append((hole[0], hole[1], tuple(joined.split(CSRF_HOLE))))
            hole = None
        else:
            pieces.append(("", 0, tuple(joined.split(CSRF_HOLE))))
            hole = (kind, int(number or 0))
        text = [after]
    pieces.append(("", 0, tuple("".join(text).split(CSRF_HOLE))))
    return tuple(pieces)


@functools.cache
def _partial(name: str):
    return get_template(f"{TODAY_TEMPLATE}#{name}").template


def fill(skeleton: tuple, *, view: SessionView, token: str, context: dict) -> str:
    """The page for this request: the skeleton with its holes filled from `view`
    (the session with today's ticks)."""
    ticked = {entry.item_key: entry for entry in view.entries if entry.tick is not None}
    out = []
    for kind, number, parts in skeleton:
        if kind == "T" and str(number) in ticked:
            out.append(_render("tick", context, view=view, entry=ticked[str(number)], token=token))
        elif kind in ("P", "O") and ticked:
            out.append(
                _render("progress" if kind == "P" else "overview", context, view, None, token)
            )
        else:
            out.append(token.join(parts))
    return "".join(out)


def _render(name: str, context: dict, view: SessionView, entry, token: str) -> str:
    values = {**context, "view": view, "entry": entry, "csrf_token": token}
    return _partial(name).render(Context(values, autoescape=True))
