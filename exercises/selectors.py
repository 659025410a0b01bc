"""Reads of the exercise library."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet

from exercises.models import Equipment, Exercise, ExercisePhoto, Leaflet, ProtocolVariant
from exercises.text import searchable

LIBRARY_PAGE_SIZE = 24


@dataclass(frozen=True)
class LibraryFilters:
    text: str = ""
    leaflet: Leaflet | None = None
    category: str = ""
    body_region: str = ""
    position: str = ""
    equipment: Equipment | None = None
    variant: ProtocolVariant | None = None


def photos_visible_to(*, practice_id: int | None) -> QuerySet[ExercisePhoto]:
    """The photos a practice's therapists and patients see: the practice's own and
    those a site admin approved for all, never another practice's own. Without a
    practice (a user who is no practice's therapist), only the approved ones.

    The practice comes in as its id: the exercise library knows practices by
    nothing more (it imports nothing of programs)."""
    visible = Q(approved_for_all=True)
    if practice_id is not None:
        visible |= Q(practice_id=practice_id)
    return ExercisePhoto.objects.filter(visible).order_by("order", "pk")


def _with_listing_relations(
    exercises: QuerySet[Exercise], *, practice_id: int | None
) -> QuerySet[Exercise]:
    """One query per relation, whatever the number of exercises on the page;
    `exercise.photos.all()` then holds only the photos the practice may see."""
    return exercises.select_related("leaflet").prefetch_related(
        "equipment",
        "applies_to",
        Prefetch("photos", queryset=photos_visible_to(practice_id=practice_id)),
    )


def exercise_search(*, filters: LibraryFilters) -> QuerySet[Exercise]:
    exercises = Exercise.objects.all()
    # Every word must occur somewhere in the texts, in any order, accents ignored.
    for word in searchable(filters.text).split():
        exercises = exercises.filter(search_text__contains=word)
    if filters.leaflet is not None:
        exercises = exercises.filter(leaflet=filters.leaflet)
    if filters.category:
        exercises = exercises.filter(category=filters.category)
    if filters.body_region:
        exercises = exercises.filter(body_region=filters.body_region)
    if filters.position:
        exercises = exercises.filter(position=filters.position)
    if filters.equipment is not None:
        exercises = exercises.filter(equipment=filters.equipment)
    if filters.variant is not None:
        exercises = exercises.filter(applies_to=filters.variant)
    return exercises.order_by("leaflet__order", "order", "pk")


def exercise_library_page(
    *, filters: LibraryFilters, page_number: str | int | None, practice_id: int | None
) -> Page:
    paginator = Paginator(exercise_search(filters=filters), LIBRARY_PAGE_SIZE)
    page = paginator.get_page(page_number)
    page.object_list = list(_with_listing_relations(page.object_list, practice_id=practice_id))
    return page


def exercise_detail(*, slug: str, practice_id: int | None) -> Exercise:
    return _with_listing_relations(Exercise.objects.all(), practice_id=practice_id).get(slug=slug)
