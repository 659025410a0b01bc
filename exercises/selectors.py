"""Reads of the exercise library."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

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


def _with_listing_relations(exercises: QuerySet[Exercise]) -> QuerySet[Exercise]:
    """One query per relation, whatever the number of exercises on the page."""
    return exercises.select_related("leaflet").prefetch_related(
        "equipment",
        "applies_to",
        Prefetch("photos", queryset=ExercisePhoto.objects.order_by("order", "pk")),
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


def exercise_library_page(*, filters: LibraryFilters, page_number: str | int | None) -> Page:
    paginator = Paginator(exercise_search(filters=filters), LIBRARY_PAGE_SIZE)
    page = paginator.get_page(page_number)
    page.object_list = list(_with_listing_relations(page.object_list))
    return page


def exercise_detail(*, slug: str) -> Exercise:
    return _with_listing_relations(Exercise.objects.all()).get(slug=slug)
