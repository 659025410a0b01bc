"""Hostile input to the therapist's pages: a form error or a 404, never a 500.

Requests that could carry a NUL character run inside `refusing_nul_characters()`:
SQLite stores one where PostgreSQL refuses it, and production runs PostgreSQL.
"""

import datetime

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from programs.models import AccessLogEntry, Patient, Program
from tests.database_refusals import refusing_nul_characters

HTMX = {"HX-Request": "true"}
PATIENTS = reverse("therapist:patient_list")


def test_a_search_with_a_nul_character_is_an_error_not_a_query(practice_client, practice):
    Patient.objects.create(practice=practice, name="Anna")
    with refusing_nul_characters():
        page = practice_client.get(PATIENTS, {"q": "An\x00na"})
        fragment = practice_client.get(
            PATIENTS, {"q": "\x00"}, headers={**HTMX, "HX-Target": "patient-results"}
        )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Zoeken op naam of kenmerk: Null-tekens zijn niet toegestaan." in html
    assert "Anna" not in html
    # htmx swaps a 422 into the results, so the error shows where the list was.
    assert fragment.status_code == 422
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="patient-results"')
    assert "Null-tekens zijn niet toegestaan." in html
    assert not AccessLogEntry.objects.filter(action="list").exists()  # nothing was shown


def test_a_page_number_that_is_no_page_number_is_an_error(practice_client, practice):
    Patient.objects.create(practice=practice, name="Anna")
    for page in ["abc", "-1", "0", "1\x00"]:
        response = practice_client.get(PATIENTS, {"page": page})
        assert response.status_code == 400, page
        assert "Paginanummer: " in response.content.decode()
    # Beyond the last page is the last page, as before.
    response = practice_client.get(PATIENTS, {"page": str(2**70)})
    assert response.status_code == 200 and "Anna" in response.content.decode()


# Dates -----------------------------------------------------------------------

YEAR = datetime.timedelta(days=365)
DAY = datetime.timedelta(days=1)


def _dutch(day: datetime.date) -> str:
    with translation.override("nl"):
        return date_format(day, "j F Y")


def _start_range_message() -> str:
    today = timezone.localdate()
    return (
        f"Kies een startdatum van {_dutch(today - YEAR)} tot en met {_dutch(today + YEAR)}: "
        "hooguit een jaar terug of een jaar vooruit."
    )


def test_a_start_date_more_than_a_year_away_is_refused_with_the_range(
    practice_client, practice, library
):
    patient = Patient.objects.create(practice=practice, name="Anna")
    today = timezone.localdate()

    def start(day: str, **more):
        data = {"protocol": "amputation-transtibial", "start_date": day, **more}
        return practice_client.post(patient.get_absolute_url(), data)

    page = practice_client.get(patient.get_absolute_url()).content.decode()
    assert f'min="{(today - YEAR).isoformat()}" max="{(today + YEAR).isoformat()}"' in page
    for day in ["9999-12-31", "0001-01-01", today + YEAR + DAY, today - YEAR - DAY]:
        response = start(str(day))
        assert response.status_code == 400, day
        assert _start_range_message() in response.content.decode()
    assert not Program.objects.exists()
    assert start(str(today + YEAR)).status_code == 302
    assert start(str(today - YEAR)).status_code == 302


def test_an_end_date_beyond_52_weeks_is_refused_with_the_last_day(
    practice_client, practice, library
):
    patient = Patient.objects.create(practice=practice, name="Anna")
    today = timezone.localdate()
    last = today + datetime.timedelta(weeks=52) - DAY

    def start(end: datetime.date | str):
        data = {"protocol": "amputation-transtibial", "start_date": today, "end_date": end}
        return practice_client.post(patient.get_absolute_url(), data)

    for end in ["9999-12-31", last + DAY]:
        response = start(end)
        assert response.status_code == 400
        message = (
            f"Een programma duurt hooguit 52 weken: kies een einddatum tot en met {_dutch(last)}."
        )
        assert message in response.content.decode()
    assert not Program.objects.exists()
    assert start(last).status_code == 302
    assert Program.objects.get().weeks == 52


def test_rescheduling_to_a_far_start_date_is_refused_and_nothing_saved(
    practice_client, make_program
):
    program = make_program()
    saved = (program.start_date, program.weeks)
    for day in ["9999-12-31", "0001-01-01", str(timezone.localdate() + YEAR + DAY)]:
        response = practice_client.post(
            program.get_absolute_url(), {"start_date": day, "weeks": "6"}
        )
        assert response.status_code == 400, day
        assert _start_range_message() in response.content.decode()
        program.refresh_from_db()
        assert (program.start_date, program.weeks) == saved
    # A program that started long ago keeps its date, and its length can change.
    long_ago = timezone.localdate() - 2 * YEAR
    Program.objects.filter(pk=program.pk).update(start_date=long_ago)
    response = practice_client.post(
        program.get_absolute_url(), {"start_date": long_ago, "weeks": "8"}
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.start_date, program.weeks) == (long_ago, 8)
