"""The two reads of every request behind the patient's link, in plain SQL.

Every plan page, week page, step and tick begins with the same question: does
the cookie's link still work (checked every request: a revoked link stops at
once), and which revisions of the patient's programs are running. Then the
ticks of the program week. The page itself comes from page_cache, so these
reads are most of a request, and Django builds and compiles their querysets
each time at about ten times the cost of running their SQL (bench/plan_page.py,
issue 14). Written out once here, they are two statements:

- link_and_revisions: the link, its patient and practice, and the latest
  published revision of each program not archived, in one statement;
- week_ticks: the programs' ticks of some days.

They are the same reads as links.active_links() with
selectors.patient_latest_revisions, and selectors.program_ticks; the tests
compare them on SQLite and PostgreSQL. The rows become model instances as the
ORM makes them (programs.rows).
"""

import datetime
import functools

from django.db import connection
from django.utils import timezone

from programs.models import (
    ExerciseTick,
    Patient,
    PatientLink,
    Practice,
    Program,
    ProgramRevision,
)
from programs.rows import Table, table_name

_LINK = Table(PatientLink, "link")
_PATIENT = Table(Patient, "patient")
_PRACTICE = Table(Practice, "practice")
# What the plan prints of a tick; not when or by whom it was saved.
TICK_FIELDS = ("program", "item_id", "date", "session", "pain", "note", "source")
_TICK = Table(ExerciseTick, "tick", only=TICK_FIELDS)


@functools.cache
def _link_sql(vendor: str) -> str:
    link, patient, program, revision = (
        table_name(PatientLink),
        table_name(Patient),
        table_name(Program),
        table_name(ProgramRevision),
    )
    practice = table_name(Practice)
    # links.active_links(): not revoked, not expired. The revisions as
    # selectors.patient_latest_revisions: each program not archived, its
    # highest number (unique per program); a program without any gives NULL.
    # (nosec B608: only names from the models' metadata, quoted by the backend,
    # go into the text; every value is a parameter.)
    return (
        f"SELECT {_LINK.columns()}, {_PATIENT.columns()}, {_PRACTICE.columns()}, latest.id "  # nosec B608
        f"FROM {link} link "
        f"JOIN {patient} patient ON patient.id = link.patient_id "
        f"JOIN {practice} practice ON practice.id = patient.practice_id "
        f"LEFT JOIN {program} program "
        "ON program.patient_id = patient.id AND program.archived_at IS NULL "
        f"LEFT JOIN {revision} latest "
        "ON latest.program_id = program.id AND latest.number = ("
        f"SELECT MAX(other.number) FROM {revision} other WHERE other.program_id = program.id"
        ") "
        "WHERE link.id = %s AND link.revoked_at IS NULL "
        "AND (link.expires_at IS NULL OR link.expires_at > %s)"
    )


def link_and_revisions(link_id: int) -> tuple[PatientLink | None, tuple[int, ...]]:
    """The link if it still works, with .patient and .patient.practice, and the ids
    of its patient's running revisions (in no order); (None, ()) otherwise."""
    if not isinstance(link_id, int):
        return None, ()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_link_sql(connection.vendor), [link_id, now])
        rows = cursor.fetchall()
    if not rows:
        return None, ()
    first = rows[0]
    link = _LINK.build(first, 0)
    patient = _PATIENT.build(first, len(_LINK.fields))
    practice = _PRACTICE.build(first, len(_LINK.fields) + len(_PATIENT.fields))
    patient.practice = practice
    link.patient = patient
    return link, tuple(row[-1] for row in rows if row[-1] is not None)


@functools.cache
def _ticks_sql(vendor: str, programs: int) -> str:
    places = ", ".join(["%s"] * programs)
    return (
        f"SELECT {_TICK.columns()} FROM {table_name(ExerciseTick)} tick "  # nosec B608
        f"WHERE tick.program_id IN ({places}) AND tick.date BETWEEN %s AND %s"
    )


def week_ticks(
    *, programs: list[Program], first: datetime.date, last: datetime.date
) -> list[ExerciseTick]:
    """selectors.program_ticks, the same rows: the programs' ticks of first..last,
    in no order, with TICK_FIELDS (reading another costs a query: the plan's
    query-count tests would show it)."""
    if not programs:
        return []
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _ticks_sql(connection.vendor, len(programs)),
            [program.pk for program in programs] + [adapt(first), adapt(last)],
        )
        return [_TICK.build(row, 0) for row in cursor.fetchall()]
