"""Reads for patients and programs, always scoped to one practice."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Prefetch, Q, QuerySet

from exercises.models import Exercise
from programs.models import AccessLogEntry, Patient, Practice, Program, ProgramItem

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


def access_log_for_practice(*, practice: Practice) -> QuerySet[AccessLogEntry]:
    return AccessLogEntry.objects.filter(practice=practice).select_related("user", "patient")
