"""A patient's rights: everything held about them (JSON and a readable PDF),
erasure that keeps the access log whole, and retention after a program ends."""

import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from programs import services
from programs.access_log import access_log_verify
from programs.handout.cache import handout_pdf_file
from programs.handout.context import handout_for
from programs.models import (
    AccessAction,
    AccessLogEntry,
    ExerciseTick,
    Patient,
    PatientLink,
    Program,
    ProgramItem,
    ProgramRevision,
)
from tests.factories import (
    make_link,
    make_practice,
    make_program,
    make_therapist,
    publish,
    sign_in,
)


@pytest.fixture
def story(library, therapist, settings, tmp_path):
    """Anna's published program, a tick with pain and a note, a link, a cached handout."""
    settings.HANDOUT_CACHE_DIR = tmp_path / "handouts"
    program = make_program(therapist, "hip-osteoarthritis-home", start_date=timezone.localdate())
    item = program.items.first()
    item.note = "Rustig opbouwen, Anna."
    item.save()
    publish(program, therapist)
    services.tick_save(
        program=program,
        item_id=item.pk,
        day=timezone.localdate(),
        session=1,
        pain=6,
        note="Knie deed zeer na de trap",
    )
    link, token = make_link(program.patient, therapist)
    cached = handout_pdf_file(handout_for(program=program))
    return program, link, token, cached


@pytest.fixture
def admin(client, therapist):
    sign_in(client, therapist)
    return client


def test_the_patient_gets_everything_held_about_them_as_json(admin, story):
    program, link, token, _cached = story
    patient = program.patient
    admin.get(patient.get_absolute_url())
    response = admin.get(f"/patients/{patient.pk}/export.json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == "oefenplan-patient-export/1"
    assert data["patient"]["name"] == "Anna"
    [exported] = data["programs"]
    assert exported["draft"][0]["note"] == "Rustig opbouwen, Anna."
    assert exported["revisions"][0]["snapshot"]["items"][0]["note"] == "Rustig opbouwen, Anna."
    assert exported["ticks"][0]["note"] == "Knie deed zeer na de trap"
    assert exported["ticks"][0]["pain"] == 6
    assert data["links"][0]["created_at"]
    assert (
        token not in response.content.decode() and link.token_hash not in response.content.decode()
    )
    assert {line["event"] for line in data["access_log"]} >= {"create", "publish", "view"}
    assert AccessLogEntry.objects.filter(action=AccessAction.EXPORT, patient=patient).exists()


def test_and_as_a_pdf_they_can_read(admin, story):
    program, *_ = story
    program.patient.name = 'Anna <b>"&'
    program.patient.save()
    response = admin.get(f"/patients/{program.patient.pk}/export.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Uw gegevens bij Fysio Noord" in text
    assert 'Anna <b>"&' in text  # the name as text, not markup
    assert "Knie deed zeer na de trap" in text
    assert "Wie heeft uw dossier ingezien" in text


def test_only_the_practices_administrators_export_or_erase(story, practice):
    program, *_ = story
    patient = program.patient
    colleague, stranger = Client(), Client()
    sign_in(colleague, make_therapist(practice, "piet"))
    sign_in(stranger, make_therapist(make_practice("Elders"), "otto", admin=True))
    for client in (colleague, stranger):
        for path in ("export.json", "export.pdf", "erase/"):
            assert client.get(f"/patients/{patient.pk}/{path}").status_code == 404
        assert client.post(f"/patients/{patient.pk}/erase/", {"name": "Anna"}).status_code == 404
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_erasure_asks_for_the_name_then_removes_everything_but_the_log(
    admin, story, django_capture_on_commit_callbacks
):
    program, link, token, cached = story
    patient = program.patient
    number = patient.pk
    log_lines = AccessLogEntry.objects.filter(patient_id=number).count()
    assert cached.exists()

    wrong = admin.post(f"/patients/{number}/erase/", {"name": "Bram"})
    assert wrong.status_code == 400
    assert "Er is niets gewist" in wrong.content.decode()
    assert Patient.objects.filter(pk=number).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/patients/{number}/erase/", {"name": "Anna"}, follow=True)
    assert f"onder nummer {number}" in response.content.decode()
    assert not Patient.objects.filter(pk=number).exists()
    assert not Program.objects.filter(pk=program.pk).exists()
    for model in (ProgramItem, ProgramRevision, ExerciseTick):
        assert not model.objects.filter(program_id=program.pk).exists()
    assert not PatientLink.objects.filter(pk=link.pk).exists()
    assert not cached.exists()  # the printed handout with the name is gone too
    # The log keeps every line (and one for the erasure), still chained, with no name.
    assert AccessLogEntry.objects.filter(patient_id=number).count() == log_lines + 1
    assert access_log_verify()[1] is None
    log = admin.get("/practice/access-log/").content.decode()
    assert f"#{number}" in log and "Anna" not in log
    # The phone link no longer opens anything.
    assert Client().get(f"/p/{token}/").status_code == 404


def _ended(therapist, days_ago: int) -> Program:
    start = timezone.localdate() - datetime.timedelta(days=days_ago + 6 * 7)
    program = make_program(therapist, "hip-osteoarthritis-home", name="Oud", start_date=start)
    item = program.items.first()
    item.note = "Oude notitie"
    item.save()
    publish(program, therapist)
    ExerciseTick.objects.create(
        program=program, item_id=item.pk, date=start, session=1, pain=4, note="oude pijn"
    )
    return program


def test_retention_removes_notes_ticks_and_handouts_of_programs_ended_long_ago(
    story, therapist, settings, django_capture_on_commit_callbacks
):
    settings.PROGRAM_DATA_RETENTION_DAYS = 365
    running, _link, _token, running_pdf = story
    old = _ended(therapist, days_ago=400)
    recent = _ended(therapist, days_ago=100)
    old_pdf = handout_pdf_file(handout_for(program=old))

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", stdout=out)
    assert "1 ended program(s) cleaned" in out.getvalue()

    old.refresh_from_db()
    assert old.data_removed_at is not None
    assert not old.ticks.exists()
    assert set(old.items.values_list("note", flat=True)) == {""}
    snapshot = old.revisions.get().snapshot
    assert {item["note"] for item in snapshot["items"]} == {""}
    assert old.revisions.get().content.items  # the exercises and doses stay readable
    assert not old_pdf.exists()
    line = AccessLogEntry.objects.filter(action=AccessAction.RETENTION).get()
    assert line.patient_id == old.patient_id
    # A program within the period, and a running one, keep everything.
    for program in (recent, running):
        program.refresh_from_db()
        assert program.data_removed_at is None and program.ticks.exists()
    assert running_pdf.exists()
    # Running it again finds nothing more to do.
    again = io.StringIO()
    call_command("apply_retention", stdout=again)
    assert "0 ended program(s)" in again.getvalue()


def test_the_production_schedule_runs_retention_and_every_command_in_it_exists():
    schedule = (Path(settings.BASE_DIR) / "deploy" / "crontab").read_text()
    commands = re.findall(r"manage\.py (\w+)", schedule)
    assert "apply_retention" in commands and "verify_access_log" in commands
    for command in commands:
        assert command in get_commands(), command
