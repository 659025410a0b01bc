"""Script in every text a user can type comes out as text: in the pages, in the
htmx fragments, in the PDFs and in the CSV (where a formula stays text too)."""

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from exercises.models import Exercise
from programs import services
from programs.models import Patient
from tests.factories import make_link, make_patient, make_program, publish, sign_in
from tests.programs.therapist.test_editor import _dose_data

# Fits the shortest field (a patient's name: 60 characters) and the printable check.
PAYLOAD = "<script>x()</script><img src=x onerror=y()>'\"&"
RAW = ("<script>x()", "onerror=y()>", "<img src=x")
ESCAPED = "&lt;script&gt;x()&lt;/script&gt;"
HTMX = {"HX-Request": "true"}


def _html(response) -> str:
    body = response.content.decode()
    assert response.status_code in (200, 400, 422), response.status_code
    return body


def _assert_escaped(body: str, where: str) -> None:
    for raw in RAW:
        assert raw not in body, (where, raw)
    assert ESCAPED in body, where  # it is there, as text


def _pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", text)


@pytest.fixture
def admin(client, therapist):
    sign_in(client, therapist)
    return client


def test_a_patients_name_and_reference(admin, therapist, library):
    response = admin.post("/patients/", {"name": PAYLOAD, "reference": PAYLOAD[:40]})
    assert response.status_code == 302
    patient = Patient.objects.get(name=PAYLOAD)
    program = make_program(therapist, patient=patient)
    publish(program, therapist)
    for path in (
        "/patients/",
        patient.get_absolute_url(),
        program.get_absolute_url(),
        f"/programs/{program.pk}/handout/",
        f"/programs/{program.pk}/preview/",
        f"/patients/{patient.pk}/access-log/",
        f"/patients/{patient.pk}/erase/",
        "/practice/access-log/?patient=script",
    ):
        _assert_escaped(_html(admin.get(path)), path)
    # The htmx fragment of a search.
    fragment = admin.get(
        "/patients/?q=script", headers={**HTMX, "HX-Target": "patient-results"}
    ).content.decode()
    _assert_escaped(fragment, "search fragment")
    # The PDFs print it as text.
    for path in (f"/programs/{program.pk}/handout.pdf", f"/patients/{patient.pk}/export.pdf"):
        response = admin.get(path)
        data = b"".join(response.streaming_content) if response.streaming else response.content
        assert PAYLOAD.replace(" ", "") in _pdf_text(data), path
    export = json.loads(admin.get(f"/patients/{patient.pk}/export.json").content)
    assert export["patient"]["name"] == PAYLOAD  # JSON carries it as data


def test_what_a_search_and_a_filter_echo_back(admin, therapist):
    for path in ("/patients/?q=", "/practice/access-log/?patient="):
        body = _html(admin.get(path + PAYLOAD[:40]))
        for raw in RAW:
            assert raw not in body, path


def test_a_note_and_a_reason_to_keep_reach_the_patient_as_text(admin, therapist, library):
    program = make_program(therapist, "hip-replacement-anterior", start_date=timezone.localdate())
    item = program.items.first()
    url = reverse("therapist:program_item_update", args=[program.pk, item.pk])
    fragment = admin.post(url, _dose_data(item, note=PAYLOAD), headers=HTMX)
    assert fragment.status_code == 200
    _assert_escaped(fragment.content.decode(), "editor fragment")
    # A conflicting exercise kept on purpose, with a reason: on the plan and the handout.
    conflict = Exercise.objects.get(slug="hip-replacement-4")
    services.program_add_exercise(program=program, exercise=conflict, user=therapist)
    kept = program.items.get(exercise=conflict)
    response = admin.post(
        reverse("therapist:program_publish", args=[program.pk]), {f"reason-{kept.pk}": PAYLOAD}
    )
    assert response.status_code == 302
    _link, token = make_link(program.patient, therapist)
    phone = Client()
    phone.get(f"/p/{token}/")
    _assert_escaped(_html(phone.get("/plan/")), "plan")
    _assert_escaped(_html(phone.get("/plan/oefenen/")), "step page")
    _assert_escaped(_html(admin.get(f"/programs/{program.pk}/handout/")), "print view")
    pdf = admin.get(f"/programs/{program.pk}/handout.pdf")
    text = _pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    assert text.count(PAYLOAD.replace(" ", "")) >= 2  # the note and the reason


def test_the_practices_details_on_every_page_that_prints_them(admin, therapist, library):
    response = admin.post(
        "/practice/",
        {
            "name": PAYLOAD,
            "phone": "050 123",
            "call_hours": PAYLOAD,
            "address": PAYLOAD,
            "pain_limit": "5",
            "pain_rule_source": PAYLOAD,
        },
    )
    assert response.status_code == 302
    program = make_program(therapist, start_date=timezone.localdate())
    publish(program, therapist)
    _link, token = make_link(program.patient, therapist)
    phone = Client()
    phone.get(f"/p/{token}/")
    _assert_escaped(_html(phone.get("/plan/")), "plan footer")
    _assert_escaped(_html(admin.get("/practice/")), "practice settings")
    _assert_escaped(_html(admin.get(f"/programs/{program.pk}/handout/")), "print view")


def test_a_patients_tick_note_reaches_the_therapist_as_text(admin, therapist, library):
    program = make_program(therapist, start_date=timezone.localdate())
    publish(program, therapist)
    item = program.items.get(exercise__slug="amputation-mobility-2")
    _link, token = make_link(program.patient, therapist)
    phone = Client()
    phone.get(f"/p/{token}/")
    data = {
        "item": item.pk,
        "date": timezone.localdate().isoformat(),
        "session": 1,
        "pain": 3,
        "note": PAYLOAD,
    }
    fragment = phone.post("/plan/tick/", data, headers={**HTMX, "HX-Target": f"tick-{item.pk}"})
    assert fragment.status_code == 200
    _assert_escaped(fragment.content.decode(), "tick fragment")
    _assert_escaped(_html(admin.get(program.patient.get_absolute_url())), "pain reports")


def test_the_access_log_keeps_script_and_formulas_as_text(admin, therapist, practice):
    patient = make_patient(therapist, "Anna")
    for name in (PAYLOAD, '=HYPERLINK("http://evil","klik")'):
        practice.name = name  # "on behalf of" in every line the practice's therapists write
        practice.save()
        admin.get(patient.get_absolute_url())
    page = _html(admin.get("/practice/access-log/"))
    _assert_escaped(page, "access log")
    response = admin.get("/practice/access-log.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    behalf = {row[2] for row in csv.reader(io.StringIO(body))}
    assert '\'=HYPERLINK("http://evil","klik")' in behalf  # a spreadsheet shows text
    assert PAYLOAD in behalf  # CSV is no HTML: the text as it was, for the reader to see
    assert not [cell for cell in behalf if cell.startswith(("=", "+", "-", "@"))]
