"""A patient's page: the phone link and its QR code, adherence, pain reports."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs import links, services
from programs.models import Patient, PatientLink
from tests.factories import make_practice, make_therapist, sign_in
from tests.programs.plan.test_today import tick

HTMX = {"HX-Request": "true"}


def test_patient_is_created_and_bad_input_is_refused(practice_client, library):
    response = practice_client.post(
        reverse("therapist:patient_list"), {"name": "", "reference": ""}
    )
    assert response.status_code == 400
    assert "Dit veld is verplicht." in response.content.decode()
    response = practice_client.post(
        reverse("therapist:patient_list"), {"name": "Anna", "reference": "A-1"}
    )
    patient = Patient.objects.get(name="Anna")
    assert response.status_code == 302 and response.url == patient.get_absolute_url()


def test_a_patient_name_the_handout_cannot_print_is_refused(practice_client, library):
    response = practice_client.post(
        reverse("therapist:patient_list"), {"name": "Anna 🌷", "reference": ""}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Deze tekens kunnen niet op de folder worden afgedrukt: 🌷" in text
    assert 'value="Anna 🌷"' in text
    assert not Patient.objects.filter(name__startswith="Anna").exists()


def test_patient_list_search_and_htmx_fragment(practice_client, practice, practice_user, library):
    for name in ["Anna", "Bram", "Carla"]:
        Patient.objects.create(practice=practice, name=name)
    response = practice_client.get(
        reverse("therapist:patient_list"),
        {"q": "bra"},
        headers={**HTMX, "HX-Target": "patient-results"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="patient-results"')
    assert "Bram" in html and "Anna" not in html


def test_the_patient_page_shows_the_link_qr_adherence_and_pain(
    patient_client,
    practice_user,
):
    program = patient_client.program
    item = program.items.order_by("order").first()
    tick(patient_client, program, item, pain="6", note="stomp deed pijn")
    therapist = Client()
    sign_in(therapist, practice_user)
    text = therapist.get(program.patient.get_absolute_url()).content.decode()
    assert "pijn 6 van 10" in text and "stomp deed pijn" in text
    assert re.search(r"<svg[^>]*qr-code", text)
    token = links.link_token(PatientLink.objects.get(revoked_at__isnull=True))
    assert f"/p/{token}/" in text
    assert "Oefeningen gedaan van gepland, per programmaweek" in text


def test_the_therapist_makes_and_revokes_links_for_own_patients_only(
    practice_client,
    started,
):
    program = started()
    patient = program.patient
    made = practice_client.post(reverse("therapist:patient_link_create", args=[patient.pk]))
    assert made.status_code == 302
    link = PatientLink.objects.get()
    assert link.revoked_at is None
    practice_client.post(reverse("therapist:patient_link_revoke", args=[patient.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None

    stranger = Client()
    sign_in(stranger, make_therapist(make_practice("Elders"), "otto"))
    for name in ("patient_link_create", "patient_link_revoke"):
        assert stranger.post(reverse(f"therapist:{name}", args=[patient.pk])).status_code == 404
    assert PatientLink.objects.count() == 1


def test_the_patient_page_runs_the_same_queries_for_one_or_many_programs_and_ticks(
    practice_client, make_program, publish, practice_user
):
    def page_queries(patient) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert practice_client.get(patient.get_absolute_url()).status_code == 200
        return len(queries)

    one = publish(make_program("hip-osteoarthritis-home", "Een"))
    links.patient_link_create(patient=one.patient, user=practice_user)
    many = publish(make_program("knee-osteoarthritis", "Veel"))
    for protocol in ("back-rehabilitation", "hip-osteoarthritis"):
        publish(make_program(protocol, patient=many.patient))
    for program in many.patient.programs.all():
        for item in program.items.all():
            services.tick_save(
                program=program,
                item_id=item.pk,
                day=timezone.localdate(),
                session=1,
                pain=2,
                note="",
            )
    links.patient_link_create(patient=many.patient, user=practice_user)
    assert page_queries(one.patient) == page_queries(many.patient)
