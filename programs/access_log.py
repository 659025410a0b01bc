"""The access log (NEN 7513): every access to patient data, and to the app.

This module is the only writer of `AccessLogEntry`. Write services record their
line inside their own transaction (`access_log_record`), so a change and its
line land together or not at all; the therapist's pages record every read
(a record, the patient list and search, the log itself), the patient's plan
records every link opened, the sign-in records sign-ins and failures, and a
refused access is recorded as refused.

Each line is chained to the one before it by a SHA-256 hash. Appending takes
a lock (PostgreSQL: a transaction-level advisory lock; SQLite: its write lock,
taken at the start of every transaction, see settings), so two lines never
claim the same predecessor. `access_log_verify` walks the chain and names the
first line that does not match.

The source address comes from the request being served: the middleware puts
it in a context variable (`access_log_source`), so services need not pass the
request around.
"""

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Q, QuerySet

from programs.models import (
    AccessAction,
    AccessLogEntry,
    AccessOutcome,
    Patient,
    PatientLink,
    Practice,
)

DETAIL_MAX_LENGTH = AccessLogEntry._meta.get_field("detail").max_length
GENESIS = "0" * 64  # the "previous hash" of the first line
# Any fixed number: the key of PostgreSQL's advisory lock for appending.
APPEND_LOCK_KEY = 7513

_source_address: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "access_log_source_address", default=None
)


@contextlib.contextmanager
def access_log_source(address: str | None) -> Iterator[None]:
    """Lines written inside this block come from `address` (the client's)."""
    token = _source_address.set(address or None)
    try:
        yield
    finally:
        _source_address.reset(token)


def _lock_for_append() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK_KEY])


def access_log_append(
    *,
    action: str,
    user: User | AnonymousUser | None = None,
    practice: Practice | None = None,
    patient: Patient | None = None,
    on_behalf_of: str | None = None,
    outcome: str = AccessOutcome.ALLOWED,
    detail: str = "",
) -> AccessLogEntry:
    """Append one line to the chain.

    The practice defaults to the patient's. "On whose behalf" (NEN 7513)
    defaults to that practice's name when a user acts: a therapist acts for
    the practice that holds the record."""
    if user is not None and not user.is_authenticated:
        user = None
    practice_id = practice.pk if practice is not None else None
    if patient is not None and practice is None:
        practice_id = patient.practice_id
        if Patient.practice.is_cached(patient):
            practice = patient.practice
    if on_behalf_of is None:
        on_behalf_of = ""
        if user is not None and practice_id is not None:
            on_behalf_of = (
                practice.name
                if practice is not None
                else Practice.objects.values_list("name", flat=True).get(pk=practice_id)
            )
    source = _source_address.get()
    fields = {
        "practice_id": practice_id,
        "user": user,
        "on_behalf_of": on_behalf_of[:200],
        "patient_id": patient.pk if patient is not None else None,
        "action": action,
        "outcome": outcome,
        "source_address": (
            AccessLogEntry._meta.get_field("source_address").get_prep_value(source)
            if source
            else None
        ),
        "detail": detail[:DETAIL_MAX_LENGTH],
    }
    last_sql, insert_sql = _append_sql(connection.vendor)
    # No savepoint of its own: if the line cannot be written, the request's
    # own transaction (a change and its line) fails with it.
    with transaction.atomic(savepoint=False):
        _lock_for_append()
        with connection.cursor() as cursor:
            cursor.execute(last_sql)
            previous = cursor.fetchone()
            entry = AccessLogEntry(**fields, previous_hash=previous[0] if previous else GENESIS)
            entry.entry_hash = entry.content_hash()
            cursor.execute(
                insert_sql,
                [
                    field.get_db_prep_save(getattr(entry, field.attname), connection)
                    for field in _COLUMNS
                ],
            )
            entry.pk = cursor.fetchone()[0]
    entry._state.adding, entry._state.db = False, connection.alias
    return entry


# Every column but the id, in the order the INSERT names them.
_COLUMNS = [field for field in AccessLogEntry._meta.concrete_fields if not field.primary_key]


@functools.cache
def _append_sql(vendor: str) -> tuple[str, str]:
    """The chain's last hash, and the new line's INSERT, in plain SQL: every page
    appends a line, and Django built these two queries at several times the cost
    of running them (issue 14). The values go through each field's own
    get_db_prep_save, as the ORM's INSERT does; tests/security/test_access_log.py
    compares what is stored with what the ORM reads back."""
    quote = connection.ops.quote_name
    table = quote(AccessLogEntry._meta.db_table)
    columns = ", ".join(quote(field.column) for field in _COLUMNS)
    places = ", ".join(["%s"] * len(_COLUMNS))
    # nosec B608: only names from the model's metadata go into the text.
    return (
        f"SELECT {quote('entry_hash')} FROM {table} ORDER BY {quote('id')} DESC LIMIT 1",  # nosec B608
        f"INSERT INTO {table} ({columns}) VALUES ({places}) RETURNING {quote('id')}",  # nosec B608
    )


def access_log_record(
    *, user: User, patient: Patient, action: str, detail: str = ""
) -> AccessLogEntry:
    """A therapist changed the patient's record (called by the write services)."""
    return access_log_append(user=user, patient=patient, action=action, detail=detail)


def access_log_read(*, user: User, patient: Patient, detail: str = "") -> AccessLogEntry:
    """A therapist opened (a part of) the patient's record."""
    return access_log_append(user=user, patient=patient, action=AccessAction.VIEW, detail=detail)


def access_log_link_opened(*, link: PatientLink) -> AccessLogEntry:
    """The patient opened their plan with their private link."""
    return access_log_append(
        action=AccessAction.LINK_OPEN,
        patient=link.patient,
        on_behalf_of=f"patient (link {link.pk})",
    )


def access_log_refused(
    *, user: User | AnonymousUser | None, action: str = AccessAction.VIEW, detail: str = ""
) -> AccessLogEntry:
    """An access that was refused: a record of another practice, a wrong link."""
    practice = None
    if user is not None and user.is_authenticated:
        therapist = getattr(user, "therapist", None)
        practice = therapist.practice if therapist else None
    return access_log_append(
        user=user,
        practice=practice,
        action=action,
        outcome=AccessOutcome.REFUSED,
        detail=detail,
    )


# Reading the log ------------------------------------------------------------------------


def access_log_entries(
    *,
    practice: Practice,
    patient_ids: list[int] | None = None,
    since=None,
    until=None,
) -> QuerySet[AccessLogEntry]:
    """The practice's log, newest first, optionally for some patients and a
    period (dates, both inclusive)."""
    entries = AccessLogEntry.objects.filter(practice=practice).select_related("user")
    if patient_ids is not None:
        entries = entries.filter(patient_id__in=patient_ids)
    if since is not None:
        entries = entries.filter(at__date__gte=since)
    if until is not None:
        entries = entries.filter(at__date__lte=until)
    return entries


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def access_log_verify(
    *, chunk_size: int = 2000, using: str = DEFAULT_DB_ALIAS
) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in order: how many lines hold, and the first that does not.

    `using` names another database (a restored backup is checked where it landed)."""
    expected_previous = GENESIS
    checked = 0
    entries = AccessLogEntry.objects.using(using).order_by("pk")
    for entry in entries.iterator(chunk_size=chunk_size):
        if entry.previous_hash != expected_previous:
            return checked, ChainBreak(
                entry.pk, "does not follow the line before it (a line was removed or changed)"
            )
        if entry.content_hash() != entry.entry_hash:
            return checked, ChainBreak(entry.pk, "its contents were changed after it was written")
        expected_previous = entry.entry_hash
        checked += 1
    return checked, None


@dataclass(frozen=True)
class LogLine:
    """One line as a practice administrator reads it."""

    entry: AccessLogEntry
    patient_label: str  # the patient's name, or their number once erased


def access_log_lines(*, practice: Practice, entries) -> list[LogLine]:
    """Names for the patients the lines refer to, in one query; an erased
    patient is shown by number only (the log keeps no name)."""
    entries = list(entries)
    ids = {entry.patient_id for entry in entries if entry.patient_id}
    names = dict(Patient.objects.filter(pk__in=ids, practice=practice).values_list("pk", "name"))
    return [
        LogLine(
            entry=entry,
            patient_label=(
                names.get(entry.patient_id) or f"#{entry.patient_id}" if entry.patient_id else ""
            ),
        )
        for entry in entries
    ]


def patient_ids_matching(*, practice: Practice, text: str) -> list[int]:
    """Patients of the practice whose name or reference contains `text`."""
    return list(
        Patient.objects.filter(practice=practice)
        .filter(Q(name__icontains=text) | Q(reference__icontains=text))
        .values_list("pk", flat=True)
    )
