"""Reads for patients and programs, always scoped to one practice."""

import dataclasses
import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from exercises.dose import DoseValues
from exercises.models import DOSE_FIELDS, ExercisePhoto, ProtocolVariant
from exercises.selectors import (
    LIBRARY_PAGE_SIZE,
    LibraryFilters,
    exercise_search,
    photos_visible_to,
)
from programs import pain, schedule
from programs.models import (
    AccessLogEntry,
    ExerciseTick,
    Patient,
    Practice,
    Program,
    ProgramItem,
    ProgramRevision,
    Therapist,
)
from programs.pain import PatientFlags
from programs.rows import Table, date_value, table_name
from programs.safety import item_warnings
from programs.schedule import TickMap
from programs.snapshot import (
    ExerciseText,
    Named,
    Rule,
    Snapshot,
    SnapshotChanges,
    SnapshotItem,
    Variation,
    changes_between,
)

PATIENT_PAGE_SIZE = 25


@dataclasses.dataclass(frozen=True)
class PatientRow:
    patient: Patient
    flags: PatientFlags


_THERAPIST = Table(Therapist, "therapist")
_PRACTICE = Table(Practice, "practice")


@functools.cache
def _therapist_sql(vendor: str) -> str:
    return (
        f"SELECT {_THERAPIST.columns()}, {_PRACTICE.columns()} "  # nosec B608: names only
        f"FROM {table_name(Therapist)} therapist "
        f"JOIN {table_name(Practice)} practice ON practice.id = therapist.practice_id "
        "WHERE therapist.user_id = %s"
    )


def therapist_of(user) -> Therapist | None:
    """The user's therapist record with its practice (`.practice`), or None: what
    every therapist page asks first, in plain SQL (programs.rows), the same as
    Therapist.objects.select_related("practice").filter(user=user).first()."""
    with connection.cursor() as cursor:
        cursor.execute(_therapist_sql(connection.vendor), [user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    therapist = _THERAPIST.build(row, 0)
    therapist.practice = _PRACTICE.build(row, len(_THERAPIST.fields))
    return therapist


_PATIENT = Table(Patient, "patient")


@functools.cache
def _patient_filter_sql(vendor: str, searching: bool) -> str:
    """The practice's patients, and with a search text those whose name or
    reference contains it, case-insensitively: the SQL of Django's icontains
    lookup on this backend (its cast, operator and escaping)."""
    where = "patient.practice_id = %s"
    if searching:
        matches = [
            connection.ops.lookup_cast("icontains", "CharField") % f"patient.{column}"
            + " "
            + connection.operators["icontains"]
            for column in ("name", "reference")
        ]
        where += f" AND ({matches[0]} OR {matches[1]})"
    return where


@functools.cache
def _patient_count_sql(vendor: str, searching: bool) -> str:
    # nosec B608: only names from the models' metadata go into the text; every
    # value is a parameter.
    return (
        f"SELECT COUNT(*) FROM {table_name(Patient)} patient "  # nosec B608
        f"WHERE {_patient_filter_sql(vendor, searching)}"
    )


@functools.cache
def _patient_page_sql(vendor: str, searching: bool) -> str:
    program, tick, revision = (
        table_name(Program),
        table_name(ExerciseTick),
        table_name(ProgramRevision),
    )
    patient_ticks = (
        f"FROM {tick} tick JOIN {program} program ON program.id = tick.program_id "
        "WHERE program.patient_id = listed.id AND tick.date > %s AND tick.date <= %s"
    )
    # The page is chosen from the patients alone; only its rows are then summed
    # up. A program's last tick is one step back in its (program, date) index;
    # the patient's is the latest of those, not a walk through all their ticks.
    return (
        "WITH listed AS ("  # nosec B608
        f"SELECT {_PATIENT.columns()} FROM {table_name(Patient)} patient "
        f"WHERE {_patient_filter_sql(vendor, searching)} "
        "ORDER BY patient.name, patient.id LIMIT %s OFFSET %s"
        ") "
        "SELECT listed.*, "
        f"(SELECT COUNT(*) FROM {program} program "
        "WHERE program.patient_id = listed.id AND program.archived_at IS NULL), "
        f"(SELECT MAX(tick.pain) {patient_ticks}), "
        f"(SELECT MAX(tick.pain) {patient_ticks}), "
        f"(SELECT MAX((SELECT tick.date FROM {tick} tick WHERE tick.program_id = program.id "
        "ORDER BY tick.date DESC LIMIT 1)) "
        f"FROM {program} program WHERE program.patient_id = listed.id), "
        f"(SELECT MIN(program.start_date) FROM {program} program "
        "WHERE program.patient_id = listed.id AND program.archived_at IS NULL "
        f"AND EXISTS (SELECT 1 FROM {revision} revision WHERE revision.program_id = program.id)) "
        "FROM listed ORDER BY listed.name, listed.id"
    )


def patient_list_page(*, practice: Practice, text: str, page_number, today: datetime.date) -> Page:
    """A page of the practice's patients, each with the number of programs not
    archived (`.program_count`), the figures the flags come from (`.pain_this_week`,
    `.pain_last_week`, `.last_tick`, `.running_since`) and the flags a therapist
    acts on (programs.pain).

    The page is chosen from the patients alone (how many match, then which 25
    by name); only that page's programs and ticks are then aggregated, in the
    same statement as the page itself. Two statements, whose cost follows the
    page and not the practice's history. Written in SQL (programs.rows): the
    ORM spent about 4 ms building them for a page of five patients; the tests
    compare this read with its ORM twin on SQLite and PostgreSQL."""
    text = text.strip()
    searching = bool(text)
    filter_values = [practice.pk]
    if searching:
        filter_values += [f"%{connection.ops.prep_for_like_query(text)}%"] * 2
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(_patient_count_sql(vendor, searching), filter_values)
        [[count]] = cursor.fetchall()
        # The paginator's own rules (a page past the end shows the last one)
        # over the count alone.
        page = Paginator(range(count), PATIENT_PAGE_SIZE).get_page(page_number)
        if not count:
            page.object_list = []
            return page
        week_ago = today - datetime.timedelta(days=pain.QUIET_DAYS)
        two_weeks_ago = week_ago - datetime.timedelta(days=pain.QUIET_DAYS)
        day = connection.ops.adapt_datefield_value
        cursor.execute(
            _patient_page_sql(vendor, searching),
            filter_values
            + [PATIENT_PAGE_SIZE, page.start_index() - 1]
            + [day(week_ago), day(today), day(two_weeks_ago), day(week_ago)],
        )
        rows = cursor.fetchall()
    width = len(_PATIENT.fields)
    page.object_list = []
    for row in rows:
        patient = _PATIENT.build(row, 0)
        # The figures as attributes, where the ORM's annotations put them.
        patient.program_count, patient.pain_this_week, patient.pain_last_week = row[width:-2]
        patient.last_tick, patient.running_since = (date_value(value) for value in row[-2:])
        page.object_list.append(
            PatientRow(
                patient=patient,
                flags=pain.patient_flags(
                    practice=practice,
                    today=today,
                    pain_this_week=patient.pain_this_week,
                    pain_last_week=patient.pain_last_week,
                    last_tick=patient.last_tick,
                    running_since=patient.running_since,
                ),
            )
        )
    return page


def copy_target_page(*, practice: Practice, program: Program, text: str, page_number) -> Page:
    """A page of the patients a program can be copied to: the practice's others,
    by name, those whose name or reference contains the text (case-insensitively,
    as the patient list searches). Two queries, the count and the page, whatever
    the practice's size: the editor once listed every patient, a list that grew
    with the practice and showed every name to whoever opened a program."""
    patients = practice.patients.exclude(pk=program.patient_id)
    text = text.strip()
    if text:
        patients = patients.filter(Q(name__icontains=text) | Q(reference__icontains=text))
    patients = patients.only("pk", "name", "reference", "practice_id").order_by("name", "pk")
    return Paginator(patients, PATIENT_PAGE_SIZE).get_page(page_number)


def patient_programs(*, patient: Patient) -> QuerySet[Program]:
    return (
        patient.programs.select_related("protocol", "variant")
        .annotate(item_count=Count("items", distinct=True), revision_count=Max("revisions__number"))
        .order_by("archived_at", "-created_at")
    )


# The editor shows an exercise's title and checks its dose and variants; the
# texts (steps, variants, points of attention, the search copy) are the bulk of
# the row and stay in the database.
EDITOR_DEFERRED_TEXTS = (
    "steps",
    "variants",
    "attention_points",
    "cautions",
    "steps_by_variant",
    "search_text",
)


def _editor_items(program: Program) -> QuerySet[ProgramItem]:
    """The items with what their lines and warnings read. `exercise.applies_to`
    holds the program's variant or nothing: all the variant check asks."""
    variant = ProtocolVariant.objects.filter(pk=program.variant_id).only("pk")
    return (
        program.items.select_related("exercise", "warnings_kept_by")
        .defer(*(f"exercise__{field}" for field in EDITOR_DEFERRED_TEXTS))
        .prefetch_related(Prefetch("exercise__applies_to", queryset=variant))
        .order_by("order", "pk")
    )


def program_editor_items(*, program: Program) -> list[ProgramItem]:
    return list(_editor_items(program))


def program_editor_item(*, program: Program, item_pk: int) -> ProgramItem:
    return _editor_items(program).get(pk=item_pk)


def program_library_page(*, filters: LibraryFilters, page_number: str | int | None) -> Page:
    """The editor's add panel: a page of the library, each exercise by its title,
    number and leaflet only (the library's own pages also read photos, equipment,
    variants and the texts)."""
    exercises = (
        exercise_search(filters=filters)
        .select_related("leaflet")
        .only("pk", "title", "number", "leaflet__title")
    )
    return Paginator(exercises, LIBRARY_PAGE_SIZE).get_page(page_number)


def program_draft_snapshot(*, program: Program) -> Snapshot:
    """The draft as it would be published now: what `program_publish` freezes and
    what the preview shows."""
    items = program.items.select_related("exercise__leaflet").order_by("order", "pk")
    protocol, variant = program.protocol, program.variant
    return Snapshot(
        protocol=Named(slug=protocol.slug, name=protocol.name, name_en=protocol.name_en),
        variant=Named(slug=variant.slug, name=variant.name, name_en=variant.name_en),
        start_date=program.start_date,
        weeks=program.weeks,
        affected_side=program.affected_side,
        rules=tuple(Rule(**rule) for rule in protocol.rules),
        precautions=tuple(Rule(**rule) for rule in protocol.precautions),
        items=tuple(_snapshot_item(item, variant.slug) for item in items),
        one_type_per_session=protocol.one_type_per_session,
    )


def program_open_warnings(*, program: Program) -> list[tuple[ProgramItem, list[str]]]:
    """The draft's items with warnings the therapist has not (or no longer) kept."""
    open_warnings = []
    for item in _editor_items(program):
        warnings = item_warnings(dose=item, exercise=item.exercise, variant=program.variant)
        if warnings and item.warnings_kept != warnings:
            open_warnings.append((item, warnings))
    return open_warnings


def program_draft_changes(*, program: Program) -> SnapshotChanges:
    """The draft against the latest published revision: two queries."""
    return program_draft_state(program=program).changes


@dataclasses.dataclass(frozen=True)
class DraftState:
    revision: ProgramRevision | None  # the latest published, what the patient sees
    changes: SnapshotChanges  # what the draft changes against it


def program_draft_state(*, program: Program) -> DraftState:
    """The latest revision and the draft's changes against it. Every change to a
    program goes through a service that marks it (`has_draft_changes`) and only
    publishing clears the mark: a program untouched since its last publish has
    nothing to compare (one query, read with the mark as saved now); otherwise
    the published snapshot and the draft are read and compared (three more)."""
    # The snapshot (tens of kB of JSON) is read only when there is a draft to
    # compare: the editor's status line needs the number and the date.
    revision = program.revisions.select_related("program").defer("snapshot").first()
    if revision is not None and not revision.program.has_draft_changes:
        return DraftState(revision=revision, changes=SnapshotChanges())
    published = revision.content if revision else None
    return DraftState(
        revision=revision,
        changes=changes_between(published, program_draft_snapshot(program=program)),
    )


def _snapshot_item(item: ProgramItem, variant_slug: str) -> SnapshotItem:
    exercise = item.exercise
    steps, adapted = exercise.steps_for(variant_slug)
    dose = DoseValues.of(item)
    stage_text = ""
    if dose.next_stage and dose.next_stage.variant is not None:
        variations = exercise.variants
        if 0 <= dose.next_stage.variant < len(variations):
            stage_text = variations[dose.next_stage.variant]["text"]
    return SnapshotItem(
        id=item.pk,
        exercise=ExerciseText(
            slug=exercise.slug,
            title=exercise.title,
            position=exercise.position,
            steps=tuple(steps),
            variants=tuple(Variation(**variation) for variation in exercise.variants),
            attention_points=tuple(exercise.attention_points),
            cautions=tuple(exercise.cautions),
            dose_source=exercise.dose_source,
            source=exercise.leaflet.source_line,
            category=exercise.category,
            steps_adapted=adapted,
        ),
        dose=dose,
        days=item.days,
        note=item.note,
        next_stage_text=stage_text,
        kept_warnings=tuple(item.warnings_kept),
        kept_reason=item.warnings_kept_reason if item.warnings_kept else "",
    )


# The patient's plan. Every read below is one query, whatever the program's length.


def patient_latest_revisions(*, patient: Patient) -> QuerySet[ProgramRevision]:
    """The latest published revision of each of the patient's programs not archived,
    in no order (the plan page sorts the few it gets: ordering costs more to compile)."""
    latest = ProgramRevision.objects.filter(program=OuterRef("program")).order_by("-number")
    return ProgramRevision.objects.filter(
        program__patient=patient,
        program__archived_at__isnull=True,
        pk=Subquery(latest.values("pk")[:1]),
    ).order_by()


def patient_revisions(*, patient: Patient, ids: Iterable[int]) -> QuerySet[ProgramRevision]:
    """The patient's revisions of these ids, with their programs."""
    return ProgramRevision.objects.filter(pk__in=ids, program__patient=patient).select_related(
        "program"
    )


def patient_current_revisions(*, patient: Patient) -> list[ProgramRevision]:
    """The latest published revisions, oldest program first: what the phone shows today."""
    return list(
        patient_latest_revisions(patient=patient)
        .select_related("program__protocol")
        .order_by("program__created_at", "program__pk")
    )


def program_ticks(
    *, programs: list[Program], first: datetime.date, last: datetime.date
) -> list[ExerciseTick]:
    """The programs' ticks of the days first..last, in one query, in no order (every
    caller files them by item, day and session)."""
    return list(
        ExerciseTick.objects.filter(program__in=programs, date__range=(first, last)).order_by()
    )


def tick_map(*, programs: list[Program], first: datetime.date, last: datetime.date):
    """{program id: {date: {(item id, session)}}} for the days first..last."""
    return tick_map_of(program_ticks(programs=programs, first=first, last=last))


def tick_map_of(ticks: list[ExerciseTick]) -> dict[int, TickMap]:
    result: dict[int, TickMap] = defaultdict(lambda: defaultdict(set))
    for tick in ticks:
        result[tick.program_id][tick.date].add((tick.item_id, tick.session))
    return result


def exercise_photos(*, slugs: list[str], practice: Practice) -> dict[str, ExercisePhoto]:
    """The first photo of each exercise that the practice's patients may see, by slug
    (exercises without one are left out): the practice's own or one approved for all."""
    photos = {}
    visible = photos_visible_to(practice_id=practice.pk)
    for photo in visible.filter(exercise__slug__in=slugs).select_related("exercise"):
        photos.setdefault(photo.exercise.slug, photo)
    return photos


@dataclasses.dataclass(frozen=True)
class PainReport:
    tick: ExerciseTick
    title: str  # the exercise's title as published


@dataclasses.dataclass(frozen=True)
class ProgramProgress:
    program: Program
    weeks: list[schedule.WeekAdherence]  # newest week first
    reports: list[PainReport]  # newest first


def patient_progress(
    *, patient: Patient, today: datetime.date, weeks: int = 4
) -> list[ProgramProgress]:
    """For each running program with a published revision, newest program first:
    adherence per week and the pain reports and notes.

    Two queries whatever the number of programs and ticks: the latest revisions,
    then the ticks of the period; the figures come from `schedule`.
    """
    revisions = list(reversed(patient_current_revisions(patient=patient)))
    # From the first day of the oldest program week shown, for every program.
    first = min(
        (
            schedule.week_days(
                revision.content,
                max(1, schedule.program_week(revision.content, today) - weeks + 1),
            )[0]
            for revision in revisions
        ),
        default=today,
    )
    ticks: dict[int, TickMap] = defaultdict(lambda: defaultdict(set))
    reports = defaultdict(list)
    rows = ExerciseTick.objects.filter(
        program__in=[revision.program for revision in revisions], date__range=(first, today)
    ).order_by("-date", "-session", "-pk")
    for tick in rows:
        ticks[tick.program_id][tick.date].add((tick.item_id, tick.session))
        if tick.pain is not None or tick.note:
            reports[tick.program_id].append(tick)
    progress = []
    for revision in revisions:
        snapshot, program = revision.content, revision.program
        titles = {item.id: item.exercise.title for item in snapshot.items}
        progress.append(
            ProgramProgress(
                program=program,
                weeks=schedule.adherence(snapshot, today, ticks[program.pk], weeks=weeks),
                reports=[
                    PainReport(tick=tick, title=titles.get(tick.item_id, ""))
                    for tick in reports[program.pk]
                ],
            )
        )
    return progress


# GDPR: everything the app holds about one patient ------------------------------------

EXPORT_FORMAT = "oefenplan-patient-export/1"


def _moment(value) -> str | None:
    return value.isoformat() if value is not None else None


def patient_data_export(*, patient: Patient) -> dict:
    """Everything Oefenplan holds about the patient (GDPR art. 15 and 20), as plain
    JSON-able data: the patient, each program with its draft, every published
    revision as it was published, the ticks, the links (never their tokens) and
    the access log's lines about them. A fixed number of queries."""
    programs = list(
        patient.programs.select_related("protocol", "variant").prefetch_related(
            Prefetch("items", queryset=ProgramItem.objects.select_related("exercise")),
            Prefetch("revisions", queryset=ProgramRevision.objects.select_related("published_by")),
            "ticks",
        )
    )
    log = AccessLogEntry.objects.filter(patient_id=patient.pk).select_related("user")
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _moment(timezone.now()),
        "practice": {
            "name": patient.practice.name,
            "phone": patient.practice.phone,
            "address": patient.practice.address,
        },
        "patient": {
            "number": patient.pk,
            "name": patient.name,
            "reference": patient.reference,
            "language": patient.language,
            "created_at": _moment(patient.created_at),
        },
        "programs": [
            {
                "number": program.pk,
                "protocol": program.protocol.name,
                "variant": program.variant.name,
                "start_date": program.start_date.isoformat(),
                "weeks": program.weeks,
                "affected_side": program.affected_side,
                "archived_at": _moment(program.archived_at),
                "created_at": _moment(program.created_at),
                "data_removed_at": _moment(program.data_removed_at),
                "draft": [
                    {
                        "exercise": item.exercise.title,
                        "order": item.order,
                        "days": item.days,
                        "note": item.note,
                        "dose": {field: getattr(item, field) for field in DOSE_FIELDS},
                    }
                    for item in program.items.all()
                ],
                "revisions": [
                    {
                        "number": revision.number,
                        "published_at": _moment(revision.published_at),
                        "published_by": (
                            revision.published_by.get_username() if revision.published_by else ""
                        ),
                        "snapshot": revision.snapshot,
                    }
                    for revision in program.revisions.all()
                ],
                "ticks": [
                    {
                        "date": tick.date.isoformat(),
                        "session": tick.session,
                        "exercise_item": tick.item_id,
                        "pain": tick.pain,
                        "note": tick.note,
                        "source": tick.source,
                        "at": _moment(tick.created_at),
                    }
                    for tick in program.ticks.all()
                ],
            }
            for program in programs
        ],
        "links": [
            {
                "created_at": _moment(link.created_at),
                "expires_at": _moment(link.expires_at),
                "revoked_at": _moment(link.revoked_at),
                "language": link.language,
            }
            for link in patient.links.all()
        ],
        "access_log": [
            {
                "at": _moment(entry.at),
                "who": entry.user.get_username() if entry.user else "",
                "on_behalf_of": entry.on_behalf_of,
                "event": entry.action,
                "outcome": entry.outcome,
                "from_address": entry.source_address,
                "detail": entry.detail,
            }
            for entry in log
        ],
    }
