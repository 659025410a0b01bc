"""The library runs a fixed number of SQL queries, whatever the library's size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exercises.models import Exercise

LIBRARY_MAX_QUERIES = 12


def _grow_library_to(total: int) -> None:
    """Copies of the leaflet exercises, with their equipment and variants."""
    originals = list(Exercise.objects.prefetch_related("equipment", "applies_to"))
    copies = []
    for index in range(total - len(originals)):
        original = originals[index % len(originals)]
        copy = Exercise(
            **{
                field.attname: getattr(original, field.attname)
                for field in Exercise._meta.concrete_fields
                if field.attname not in {"id", "slug", "number"}
            }
        )
        copy.slug, copy.number = f"copy-{index}", f"c{index}"
        copy.search_text = copy.build_search_text()
        copies.append(copy)
    created = Exercise.objects.bulk_create(copies, batch_size=500)
    equipment_links, variant_links = [], []
    for index, copy in enumerate(created):
        original = originals[index % len(originals)]
        equipment_links += [
            Exercise.equipment.through(exercise_id=copy.pk, equipment_id=item.pk)
            for item in original.equipment.all()
        ]
        variant_links += [
            Exercise.applies_to.through(exercise_id=copy.pk, protocolvariant_id=variant.pk)
            for variant in original.applies_to.all()
        ]
    Exercise.equipment.through.objects.bulk_create(equipment_links, batch_size=1000)
    Exercise.applies_to.through.objects.bulk_create(variant_links, batch_size=1000)


def _library_queries(client, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("exercises:library"), params)
    assert response.status_code == 200
    return len(queries)


def test_library_page_query_count_does_not_grow_with_the_library(
    therapist_client, library, django_assert_max_num_queries
):
    params = {"q": "been", "variant": "transtibial"}
    with django_assert_max_num_queries(LIBRARY_MAX_QUERIES):
        _library_queries(therapist_client, params)  # reads the filters' choices once
    small = _library_queries(therapist_client, params)

    _grow_library_to(5000)
    assert Exercise.objects.count() == 5000
    with django_assert_max_num_queries(LIBRARY_MAX_QUERIES):
        response = therapist_client.get(reverse("exercises:library"), {"page": 3})
    assert response.context["page"].paginator.count == 5000
    assert len(response.context["page"].object_list) == 24
    with django_assert_max_num_queries(LIBRARY_MAX_QUERIES):
        large = _library_queries(therapist_client, params)
    assert large == small


def test_detail_page_query_count_is_fixed(therapist_client, library, django_assert_max_num_queries):
    exercise = Exercise.objects.get(slug="back-3")
    with django_assert_max_num_queries(8):
        assert therapist_client.get(exercise.get_absolute_url()).status_code == 200
