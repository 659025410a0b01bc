"""Reads for patients and programs, always scoped to one practice."""

import dataclasses
import datetime
from collections import defaultdict

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery

from exercises.dose import DoseValues
from exercises.models import Exercise, ExercisePhoto
from programs import schedule
from programs.models import (
    ExerciseTick,
    Patient,
    Practice,
    Program,
    ProgramItem,
    ProgramRevision,
)
from programs.schedule import TickMap
from programs.snapshot import ExerciseText, Named, Rule, Snapshot, SnapshotItem, Variation

PATIENT_PAGE_SIZE = 25


def patient_list_page(*, practice: Practice, text: str, page_number) -> Page:
    patients = Patient.objects.filter(practice=practice).annotate(
        program_count=Count("programs", filter=Q(programs__archived_at__isnull=True)),
        last_change=Max("programs__created_at"),
    )
    text = text.strip()
    if text:
        patients = patients.filter(Q(name__icontains=text) | Q(reference__icontains=text))
    return Paginator(patients.order_by("name", "pk"), PATIENT_PAGE_SIZE).get_page(page_number)


def patient_programs(*, patient: Patient) -> QuerySet[Program]:
    return (
        patient.programs.select_related("protocol", "variant")
        .annotate(item_count=Count("items", distinct=True), revision_count=Max("revisions__number"))
        .order_by("archived_at", "-created_at")
    )


def _editor_items(program: Program) -> QuerySet[ProgramItem]:
    exercises = Exercise.objects.select_related("leaflet").prefetch_related("applies_to")
    return (
        program.items.select_related("warnings_kept_by")
        .prefetch_related(Prefetch("exercise", queryset=exercises))
        .order_by("order", "pk")
    )


def program_editor_items(*, program: Program) -> list[ProgramItem]:
    return list(_editor_items(program))


def program_editor_item(*, program: Program, item_pk: int) -> ProgramItem:
    return _editor_items(program).get(pk=item_pk)


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
        items=tuple(_snapshot_item(item) for item in items),
    )


def _snapshot_item(item: ProgramItem) -> SnapshotItem:
    exercise = item.exercise
    return SnapshotItem(
        id=item.pk,
        exercise=ExerciseText(
            slug=exercise.slug,
            title=exercise.title,
            position=exercise.position,
            steps=tuple(exercise.steps),
            variants=tuple(Variation(**variation) for variation in exercise.variants),
            attention_points=tuple(exercise.attention_points),
            cautions=tuple(exercise.cautions),
            dose_source=exercise.dose_source,
            source=exercise.leaflet.source_line,
        ),
        dose=DoseValues.of(item),
        days=item.days,
        reps_step_per_week=item.reps_step_per_week,
        note=item.note,
    )


# The patient's plan. Every read below is one query, whatever the program's length.


def patient_current_revisions(*, patient: Patient) -> list[ProgramRevision]:
    """The latest published revision of each of the patient's programs not archived,
    oldest program first: what the phone shows today."""
    latest = ProgramRevision.objects.filter(program=OuterRef("program")).order_by("-number")
    return list(
        ProgramRevision.objects.filter(
            program__patient=patient,
            program__archived_at__isnull=True,
            pk=Subquery(latest.values("pk")[:1]),
        )
        .select_related("program__protocol")
        .order_by("program__created_at", "program__pk")
    )


def day_ticks(
    *, programs: list[Program], day: datetime.date
) -> dict[tuple[int, int], ExerciseTick]:
    """Ticks of one day by (item id, session); item ids are unique across programs."""
    ticks = ExerciseTick.objects.filter(program__in=programs, date=day)
    return {(tick.item_id, tick.session): tick for tick in ticks}


def tick_map(*, programs: list[Program], first: datetime.date, last: datetime.date):
    """{program id: {date: {(item id, session)}}} for the days first..last."""
    result: dict[int, TickMap] = defaultdict(lambda: defaultdict(set))
    rows = ExerciseTick.objects.filter(program__in=programs, date__range=(first, last)).values_list(
        "program_id", "date", "item_id", "session"
    )
    for program_id, day, item_id, session in rows:
        result[program_id][day].add((item_id, session))
    return result


def exercise_photos(*, slugs: list[str]) -> dict[str, ExercisePhoto]:
    """The first photo of each exercise, by slug (exercises without one are left out)."""
    photos = {}
    for photo in ExercisePhoto.objects.filter(exercise__slug__in=slugs).select_related("exercise"):
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
    first = today - datetime.timedelta(days=today.weekday(), weeks=weeks - 1)
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
