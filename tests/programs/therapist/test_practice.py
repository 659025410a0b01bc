"""The practice's details and pain rule, kept by its administrators."""

from django.urls import reverse

from programs.models import Practice
from tests.factories import make_therapist, sign_in

SETTINGS = reverse("therapist:practice_settings")


def _data(**changes) -> dict:
    return {
        "name": "Fysio Noord",
        "phone": "050 111 2222",
        "call_hours": "ma-vr 8-9",
        "address": "",
        "pain_limit": "5",
        "pain_rule_source": "Pijnmonitoringsmodel",
        **changes,
    }


def test_an_administrator_sets_the_pain_limit_and_its_source(practice_client, practice):
    page = practice_client.get(SETTINGS).content.decode()
    assert "Hoogste aanvaardbare pijn (0-10)" in page and "Thomeé" in page
    response = practice_client.post(SETTINGS, _data(pain_limit="4", pain_rule_source="GLA:D"))
    assert response.status_code == 302
    practice.refresh_from_db()
    assert (practice.pain_limit, practice.pain_rule_source) == (4, "GLA:D")


def test_bad_input_is_shown_and_nothing_is_saved(practice_client, practice):
    response = practice_client.post(SETTINGS, _data(pain_limit="12", phone=""))
    assert response.status_code == 400
    text = response.content.decode()
    assert "hoogstens 9 is" in text and "Dit veld is verplicht." in text
    assert Practice.objects.get(pk=practice.pk).pain_limit == 5


def test_only_the_practices_administrators_may(client, practice):
    sign_in(client, make_therapist(practice, "piet"))
    assert client.get(SETTINGS).status_code == 404
    assert client.post(SETTINGS, _data(pain_limit="9")).status_code == 404
    assert Practice.objects.get(pk=practice.pk).pain_limit == 5


def test_practice_details_that_cannot_be_printed_are_refused(practice_client, practice):
    response = practice_client.post(SETTINGS, _data(call_hours="ma-vr 8-9 ☎️📞"))
    assert response.status_code == 400
    assert "Deze tekens kunnen niet op de folder worden afgedrukt" in response.content.decode()
    assert Practice.objects.get(pk=practice.pk).call_hours != "ma-vr 8-9 ☎️📞"
