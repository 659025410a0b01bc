"""The library page: filters, accent-insensitive search, htmx partials, paging."""

import pytest
from django.urls import reverse

from exercises.models import Exercise, ProtocolVariant
from tests.factories import sign_in

LIBRARY = reverse("exercises:library")


def _slugs(response) -> set[str]:
    return {exercise.slug for exercise in response.context["page"].object_list}


def _all_slugs(client, params: dict) -> set[str]:
    """Every exercise the filter finds, across all pages."""
    found, page = set(), 1
    while True:
        response = client.get(LIBRARY, {**params, "page": page})
        found |= _slugs(response)
        if not response.context["page"].has_next():
            return found
        page += 1


def test_anonymous_visitors_are_sent_to_log_in(client, library):
    response = client.get(LIBRARY)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_full_page_without_javascript_lists_the_first_page(therapist_client, library):
    response = therapist_client.get(LIBRARY)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'id="library-filters"' in html and 'id="results"' in html
    assert response.context["page"].paginator.count == 81
    assert len(response.context["page"].object_list) == 24
    assert "Buikligging" in html  # the first exercise of the first leaflet


def test_paging_walks_through_all_81_exercises(therapist_client, library):
    assert len(_all_slugs(therapist_client, {})) == 81
    last = therapist_client.get(LIBRARY, {"page": 4})
    assert len(last.context["page"].object_list) == 81 - 3 * 24
    assert 'rel="prev"' in last.content.decode()


@pytest.mark.parametrize("query", ["knieen", "KNIEËN", "Knieën"])
def test_search_ignores_case_and_accents(therapist_client, library, query):
    found = _all_slugs(therapist_client, {"q": query})
    assert "hip-replacement-2" in found  # "Buig langzaam door de knieën ..."
    assert "amputation-mobility-1" not in found
    for exercise in Exercise.objects.filter(slug__in=found):
        assert "knieen" in exercise.search_text


def test_search_needs_every_word_in_any_order(therapist_client, library):
    found = _all_slugs(therapist_client, {"q": "theraband stoel"})
    assert found == {"amputation-strength-7"}
    assert _all_slugs(therapist_client, {"q": "stoel theraband"}) == found


def test_variant_filter_gives_the_leaflets_exercises_for_that_variant(therapist_client, library):
    transfemoral = _all_slugs(therapist_client, {"variant": "transfemoral"})
    assert transfemoral == {
        "amputation-mobility-1",
        "amputation-mobility-2",
        "amputation-strength-1",
        "amputation-strength-2",
        "amputation-strength-3",
        "amputation-strength-4",
    }
    anterior = _all_slugs(therapist_client, {"variant": "anterior"})
    assert "hip-replacement-4" not in anterior
    assert len(anterior) == 5


def test_leaflet_category_position_equipment_and_region_filters(therapist_client, library):
    assert len(_all_slugs(therapist_client, {"leaflet": "leg-amputation"})) == 11
    balance = _all_slugs(therapist_client, {"category": "balance"})
    assert {f"oa-balance-{number}" for number in range(1, 7)} <= balance
    assert "oa-strength-1" not in balance
    prone = _all_slugs(therapist_client, {"position": "prone"})
    assert "amputation-mobility-1" in prone  # Buikligging
    assert "amputation-mobility-2" not in prone  # lying on the side
    flowin = _all_slugs(therapist_client, {"equipment": "flowin"})
    assert flowin and all(slug.startswith("back-") for slug in flowin)
    combined = _all_slugs(
        therapist_client, {"leaflet": "leg-amputation", "category": "strength", "q": "handdoek"}
    )
    assert combined == {"amputation-strength-4", "amputation-strength-5", "amputation-strength-6"}
    trunk = _all_slugs(therapist_client, {"body_region": "trunk"})
    assert {"back-1", "back-2"} <= trunk
    assert not any(slug.startswith(("amputation-", "hip-")) for slug in trunk)


def test_htmx_request_gets_only_the_results_fragment(therapist_client, library):
    response = therapist_client.get(
        LIBRARY, {"q": "heup"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and 'id="library-filters"' not in html
    assert "HX-Request" in response["Vary"]


def test_unknown_filter_values_are_ignored_not_an_error(therapist_client, library):
    response = therapist_client.get(LIBRARY, {"variant": "nope", "category": "x", "page": "abc"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 81


def test_a_variant_renamed_or_added_shows_in_the_filter_at_once(therapist_client, library):
    """The filters' choices are read once per library version, not per request."""
    therapist_client.get(LIBRARY)
    variant = ProtocolVariant.objects.get(slug="transfemoral")
    variant.name = "Bovenbeen (transfemoraal)"
    variant.save()
    html = therapist_client.get(LIBRARY).content.decode()
    assert '<option value="transfemoral">Bovenbeen (transfemoraal)</option>' in html
    ProtocolVariant.objects.create(
        slug="knee-disarticulation", leaflet=variant.leaflet, name="Knie-exarticulatie", order=9
    )
    response = therapist_client.get(LIBRARY, {"variant": "knee-disarticulation"})
    assert '<option value="knee-disarticulation" selected>Knie-exarticulatie' in (
        response.content.decode()
    )
    assert response.context["page"].paginator.count == 0  # a real filter: no exercises yet


def test_no_results_says_so(therapist_client, library):
    response = therapist_client.get(LIBRARY, {"q": "zwemvliezen"})
    assert response.context["page"].paginator.count == 0
    assert "Geen oefeningen" in response.content.decode()


def test_user_text_in_the_search_box_is_escaped(therapist_client, library):
    response = therapist_client.get(LIBRARY, {"q": '<script>alert("x")</script>'})
    html = response.content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_detail_page_shows_everything_the_leaflet_says(therapist_client, library):
    exercise = Exercise.objects.get(slug="hip-replacement-3")
    response = therapist_client.get(exercise.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for step in exercise.steps:
        assert step.replace("(", "").split()[0] in html
    assert "Houd het been 3 tellen omhoog." in html
    for caution in exercise.cautions:
        assert caution in html
    assert "Martini Ziekenhuis, Centrum Revalidatie, Oefenschema voor de heup" in html
    assert "3 tellen vasthouden" in html  # the dose in words
    assert "Uit de folder" in html


def test_detail_of_a_back_exercise_shows_variants_attention_points_and_default_dose(
    therapist_client, library
):
    exercise = Exercise.objects.get(slug="back-1")
    html = therapist_client.get(exercise.get_absolute_url()).content.decode()
    assert "Met steun op de knieën." in html
    assert "Adem rustig in en uit." in html
    assert "AZ Maria Middelares, Oefeningen rugrevalidatie" in html
    assert "De folder geeft geen dosering" in html
    assert "exercises/figures/back-1.svg" in html  # its figure, no longer the pictogram


def test_unknown_exercise_is_a_404(therapist_client, library):
    assert therapist_client.get(reverse("exercises:detail", args=["nope"])).status_code == 404


def test_the_interface_speaks_english_on_request(therapist_client, library):
    response = therapist_client.get(LIBRARY, headers={"Accept-Language": "en"})
    html = response.content.decode()
    assert "Exercise library" in html and "81 exercises" in html
    dutch = therapist_client.get(LIBRARY).content.decode()
    assert "Oefenbibliotheek" in dutch and "81 oefeningen" in dutch


def test_admin_edits_exercises(client, library, django_user_model):
    admin = django_user_model.objects.create_superuser("beheer", password="x-secret-123")
    sign_in(client, admin)
    exercise = Exercise.objects.get(slug="back-1")
    response = client.get(reverse("admin:exercises_exercise_change", args=[exercise.pk]))
    assert response.status_code == 200
    assert "Steun vanuit een neutrale houding" in response.content.decode()
