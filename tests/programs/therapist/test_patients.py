"""A patient's page: the phone link and its QR code, adherence, pain reports."""

import datetime
import json
import re
from html import unescape

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs import links, services
from programs.models import ExerciseTick, Patient, PatientLink, Program
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


def _add_patient_section(response) -> str:
    html = response.content.decode()
    return re.search(r'<section aria-labelledby="add-patient".*?</section>', html, re.S).group()


def test_the_empty_add_patient_form_is_kept_per_language_and_a_refused_one_shows_its_input(
    practice_client, library, settings
):
    """The empty form's fields are rendered once per language (blank_forms): the
    section is the same as Django renders it, in the reader's language, and a
    refused form still comes back with what was typed and why."""
    url = reverse("therapist:patient_list")
    settings.DEBUG = True  # nothing kept: Django renders the fields each time
    rendered = {}
    for language in ("nl", "en"):
        practice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        rendered[language] = _add_patient_section(practice_client.get(url))
    settings.DEBUG = False
    for _ in range(2):  # the first keeps them, the second reads them
        for language in ("nl", "en"):
            practice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            kept = _add_patient_section(practice_client.get(url))
            token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
            assert token.sub("", kept) == token.sub("", rendered[language])
    assert "Taal" in rendered["nl"] and "Language" in rendered["en"]
    assert "A first name or a pseudonym" in rendered["en"]
    assert "A first name or a pseudonym" not in rendered["nl"]

    practice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    refused = practice_client.post(url, {"name": "", "reference": "R-<b>1</b>"})
    assert refused.status_code == 400
    section = _add_patient_section(refused)
    assert "Dit veld is verplicht." in section
    assert 'value="R-&lt;b&gt;1&lt;/b&gt;"' in section
    assert "field-invalid" in section and "field-invalid" not in rendered["nl"]


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


def _database_work(client, url: str, **params) -> int:
    """How much the database does for the page's reads: SQLite's virtual-machine
    steps, or on PostgreSQL the rows every plan node produced (EXPLAIN ANALYZE).
    Deterministic for the same rows and plans, unlike a time."""
    reads: list[tuple[str, tuple]] = []

    def keep(execute, sql, sql_params, many, context):
        if sql.lstrip().startswith("SELECT"):
            reads.append((sql, sql_params))
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(keep):
        assert client.get(url, params).status_code == 200
    steps = 0
    if connection.vendor == "sqlite":

        def count() -> int:
            nonlocal steps
            steps += 1
            return 0

        connection.connection.set_progress_handler(count, 1)
        try:
            with connection.cursor() as cursor:
                for sql, sql_params in reads:
                    cursor.execute(sql, sql_params).fetchall()
        finally:
            connection.connection.set_progress_handler(None, 1)
        return steps

    def rows(node: dict) -> int:
        own = node["Actual Rows"] * node["Actual Loops"]
        return own + sum(rows(child) for child in node.get("Plans", []))

    with connection.cursor() as cursor:
        for sql, sql_params in reads:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", sql_params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            steps += rows(plan[0]["Plan"])
    return steps


def _listed(html: str) -> dict[str, str]:
    """Each patient line of a patient-list page, by the patient's name."""
    line = re.compile(r'<li><a href="/patients/\d+/">([^<]+)</a>.*?</li>', re.DOTALL)
    return {match[1]: match[0] for match in line.finditer(html)}


def test_the_patient_list_pages_the_patients_then_sums_up_each_ones_own_programs(
    practice_client, practice, practice_user, make_program, publish
):
    """Each line tells that patient's programs and pain, on either side of a page
    boundary; other patients' programs and ticks add no query and no work."""
    patients = Patient.objects.bulk_create(
        Patient(practice=practice, name=f"Patiënt {number:02d}") for number in range(30)
    )
    last_on_first, first_on_second = patients[24], patients[25]
    kept, archived = (make_program(patient=last_on_first) for _ in range(2))
    services.program_archive(program=archived, user=practice_user)
    for protocol in ("knee-osteoarthritis", "back-rehabilitation"):
        make_program(protocol, patient=first_on_second)
    hurting = publish(make_program(patient=first_on_second))
    services.tick_save(
        program=hurting,
        item_id=hurting.items.first().pk,
        day=timezone.localdate(),
        session=1,
        pain=8,
        note="",
    )
    url = reverse("therapist:patient_list")

    def page(number: int) -> tuple[dict[str, str], int]:
        with CaptureQueriesContext(connection) as queries:
            response = practice_client.get(url, {"page": number})
        assert response.status_code == 200
        return _listed(response.content.decode()), len(queries)

    first, first_queries = page(1)
    second, second_queries = page(2)
    assert list(first) == [f"Patiënt {number:02d}" for number in range(25)]
    assert list(second) == [f"Patiënt {number:02d}" for number in range(25, 30)]
    assert "· 1 actief programma" in first["Patiënt 24"]  # the archived one is not counted
    assert "· 0 actieve programma" in first["Patiënt 23"]
    assert "flag" not in "".join(first.values())
    assert "· 3 actieve programma" in second["Patiënt 25"]
    assert "Pijn 8 van 10 deze week" in second["Patiënt 25"]
    assert "flag" not in "".join(line for name, line in second.items() if name != "Patiënt 25")

    # 300 more patients, listed after these; then each gets programs and ticks.
    others = Patient.objects.bulk_create(
        Patient(practice=practice, name=f"Zus {number:03d}") for number in range(300)
    )
    work = _database_work(practice_client, url, page=1)
    programs = Program.objects.bulk_create(
        Program(
            patient=patient,
            protocol=kept.protocol,
            variant=kept.variant,
            start_date=kept.start_date,
            weeks=kept.weeks,
        )
        for patient in others
        for _ in range(2)
    )
    ExerciseTick.objects.bulk_create(
        ExerciseTick(
            program=program,
            item_id=1,
            date=timezone.localdate() - datetime.timedelta(days=days),
            session=1,
            pain=3,
        )
        for program in programs
        for days in range(10)
    )
    # Aggregating every patient before paging did 2 (PostgreSQL) to 3.6 (SQLite)
    # times the work here.
    assert _database_work(practice_client, url, page=1) <= work * 1.1
    assert page(1) == (first, first_queries)
    again, again_queries = page(2)
    assert again_queries == second_queries == first_queries
    assert list(again)[:5] == list(second) and again["Patiënt 25"] == second["Patiënt 25"]
    assert "· 2 actieve programma" in again["Zus 000"]


def test_each_line_links_to_its_patient_and_counts_programs_in_the_readers_language(
    practice_client, practice, make_program, settings
):
    """The lines' addresses and words are made in the view (one reverse() for the
    page): each still leads to that patient's own page, with the count in words."""
    patients = Patient.objects.bulk_create(
        Patient(practice=practice, name=name) for name in ("Anna", "Bram", "Carla")
    )
    for _ in range(3):
        make_program(patient=patients[1])
    make_program(patient=patients[2])
    url = reverse("therapist:patient_list")
    expected = {
        "nl": ["0 actieve programma's", "3 actieve programma's", "1 actief programma"],
        "en": ["0 active programs", "3 active programs", "1 active program"],
    }
    for language, counts in expected.items():
        practice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = practice_client.get(url).content.decode()
        lines = html.split('class="patient-list"')[1].split("</ul>")[0]
        links_found = dict(re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', lines))
        assert links_found == {patient.get_absolute_url(): patient.name for patient in patients}
        for patient, count in zip(patients, counts, strict=True):
            assert count in unescape(_listed(html)[patient.name]), (language, patient.name)
            assert practice_client.get(patient.get_absolute_url()).status_code == 200
