"""Copying a program to another patient: a page that finds the patient (search,
pages, htmx), one button per patient, the copy; not a list in the editor."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import AccessAction, AccessLogEntry, Patient, Program
from tests.factories import make_practice

HTMX = {"HX-Request": "true"}


def _url(program: Program) -> str:
    return reverse("therapist:program_copy", args=[program.pk])


def _choices(html: str) -> list[int]:
    """The patients the page offers: the value of each copy button."""
    return [int(value) for value in re.findall(r'name="patient" value="(\d+)"', html)]


@pytest.fixture
def others(practice):
    """Three other patients of the practice, and one of another practice."""
    bram = Patient.objects.create(practice=practice, name="Bram", reference="B-1207")
    carla = Patient.objects.create(practice=practice, name="Carla")
    dirk = Patient.objects.create(practice=practice, name="Dirk", reference="ZH-88")
    stranger = Patient.objects.create(practice=make_practice("Fysio Oost"), name="Bert")
    return bram, carla, dirk, stranger


def test_the_page_offers_the_practices_other_patients_by_name(
    practice_client, make_program, others
):
    program = make_program()
    bram, carla, dirk, stranger = others
    response = practice_client.get(_url(program))
    assert response.status_code == 200
    html = response.content.decode()
    # By name, the program's own patient and another practice's not among them.
    assert _choices(html) == [bram.pk, carla.pk, dirk.pk]
    assert "Bert" not in html
    assert "3 patiënten" in html
    assert "Kopiëren naar Bram" in html and "(B-1207)" in html
    # What the copy is: the protocol and its variant, named once each.
    name = f"{program.protocol} ({program.variant})"
    assert str(program.protocol) != str(program.variant)
    assert f"een nieuw programma: {name}, met dezelfde oefeningen" in unescape(html)


def test_a_protocol_whose_one_variant_bears_its_name_is_named_once(practice_client, make_program):
    program = make_program("back-rehabilitation")
    html = unescape(practice_client.get(_url(program)).content.decode())
    assert f"een nieuw programma: {program.protocol}, met dezelfde oefeningen" in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bra", ["Bram"]),
        ("B-12", ["Bram"]),
        ("zh-8", ["Dirk"]),
        ("r", ["Bram", "Carla", "Dirk"]),
        ("Anna", []),
        ("Bert", []),
    ],
)
def test_a_search_finds_by_name_or_reference_whatever_the_case(
    practice_client, make_program, others, text, expected
):
    program = make_program()
    names = dict(Patient.objects.values_list("pk", "name"))
    html = practice_client.get(_url(program), {"q": text}).content.decode()
    assert [names[pk] for pk in _choices(html)] == expected
    if not expected:
        assert "Geen patiënten gevonden." in html


def test_the_list_comes_in_pages_and_a_bad_page_is_refused_with_a_message(
    practice_client, make_program, practice
):
    program = make_program()
    Patient.objects.bulk_create(
        Patient(practice=practice, name=f"Patiënt {number:02}") for number in range(30)
    )
    first = practice_client.get(_url(program)).content.decode()
    second = practice_client.get(_url(program), {"page": 2}).content.decode()
    assert len(_choices(first)) == 25 and len(_choices(second)) == 5
    assert not set(_choices(first)) & set(_choices(second))
    assert "Pagina 1 van 2" in first and 'rel="next" href="?q=&amp;page=2"' in first
    bad = practice_client.get(_url(program), {"page": "x"})
    assert bad.status_code == 400
    assert "Paginanummer" in bad.content.decode() and not _choices(bad.content.decode())


def test_htmx_gets_only_the_results(practice_client, make_program, others):
    program = make_program()
    response = practice_client.get(
        _url(program), {"q": "car"}, headers={**HTMX, "HX-Target": "copy-results"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="copy-results"')
    assert _choices(html) == [others[1].pk]
    # The choice posts to the address searched: a refused one shows the same list.
    assert f'action="{_url(program)}?q=car"' in html


def test_a_choice_copies_the_program_and_opens_the_copy(practice_client, make_program, others):
    program = make_program()
    bram = others[0]
    response = practice_client.post(_url(program), {"patient": bram.pk}, follow=True)
    copy = bram.programs.get()
    assert response.redirect_chain[-1][0] == copy.get_absolute_url()
    assert "Programma gekopieerd naar Bram." in response.content.decode()
    assert copy.items.count() == program.items.count() and copy.protocol == program.protocol
    assert AccessLogEntry.objects.filter(action=AccessAction.COPY, patient=bram).exists()


def test_no_choice_shows_the_list_again_with_a_message_and_copies_nothing(
    practice_client, make_program, others
):
    program = make_program()
    response = practice_client.post(_url(program) + "?q=r", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kies de patiënt naar wie u het programma wilt kopiëren." in html
    assert len(_choices(html)) == 3
    assert Program.objects.count() == 1


def test_another_practices_program_or_patient_is_a_404(
    client, practice_client, make_program, others
):
    program = make_program()
    stranger = others[3]
    assert practice_client.post(_url(program), {"patient": stranger.pk}).status_code == 404
    assert not stranger.programs.exists()
    foreign = make_program("back-rehabilitation", name="Xena")
    foreign.patient.practice = stranger.practice
    foreign.patient.save()
    assert practice_client.get(_url(foreign)).status_code == 404


def test_looking_is_logged_with_the_patients_shown(practice_client, make_program, others):
    program = make_program()
    bram, carla, dirk, _ = others
    practice_client.get(_url(program))
    listed = AccessLogEntry.objects.filter(action=AccessAction.LIST).latest("pk")
    assert listed.detail == (
        f"copy of program {program.pk}: list page 1: #{bram.pk} #{carla.pk} #{dirk.pk}"
    )
    read = AccessLogEntry.objects.filter(action=AccessAction.VIEW).latest("pk")
    assert read.patient == program.patient and read.detail == f"{program.pk}: copy"
    views = AccessLogEntry.objects.filter(action=AccessAction.VIEW).count()
    practice_client.get(_url(program), {"q": "dir"}, headers={**HTMX, "HX-Target": "copy-results"})
    listed = AccessLogEntry.objects.filter(action=AccessAction.LIST).latest("pk")
    assert listed.detail == f"copy of program {program.pk}: search page 1: #{dirk.pk}"
    # The results alone do not show the program's patient: no second read of the record.
    assert AccessLogEntry.objects.filter(action=AccessAction.VIEW).count() == views


def test_names_are_escaped(practice_client, make_program, practice):
    program = make_program()
    Patient.objects.create(practice=practice, name='<img src=x onerror="alert(1)">')
    html = practice_client.get(_url(program)).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_the_page_runs_the_same_queries_however_many_patients(
    practice_client, make_program, practice
):
    program = make_program()

    def queries_with(count: int) -> int:
        Patient.objects.bulk_create(
            Patient(practice=practice, name=f"Patiënt {count}-{number:02}")
            for number in range(count)
        )
        with CaptureQueriesContext(connection) as captured:
            assert practice_client.get(_url(program)).status_code == 200
        return len(captured)

    few, many = queries_with(3), queries_with(60)
    assert few == many
    # Session, user, therapist, program, the count and the page; two access-log
    # lines (PostgreSQL takes an advisory lock for each, SQLite its write lock).
    assert many <= (12 if connection.vendor == "postgresql" else 10)


def test_the_editor_links_to_the_page_and_lists_no_other_patient(
    practice_client, make_program, others
):
    program = make_program()
    html = unescape(practice_client.get(program.get_absolute_url()).content.decode())
    assert f'href="{_url(program)}"' in html and "Kopiëren naar een andere patiënt…" in html
    for other in others:
        assert other.name not in html


def test_with_no_other_patient_the_page_says_where_to_add_one(practice_client, make_program):
    program = make_program()
    html = practice_client.get(_url(program)).content.decode()
    assert "0 patiënten" in html and not _choices(html)
    assert "De praktijk heeft nog geen andere patiënt" in html
    assert f'<a href="{reverse("therapist:patient_list")}">voeg er een toe' in html
