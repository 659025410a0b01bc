"""A program whose start date was stored at the calendar's end (a form let it
through before start dates were bounded) still gives every page, never an
OverflowError: dates derived from it are held at 1 January of year 1 and 31
December 9999."""

import datetime

import pytest
from django.urls import reverse


@pytest.mark.parametrize("start", [datetime.date(9999, 12, 31), datetime.date(1, 1, 1)])
def test_every_page_of_a_program_starting_at_the_calendars_end_still_renders(
    start, practice_client, client, make_program, publish, link_for
):
    program = make_program()
    program.start_date = start
    program.save()
    publish(program)
    therapist_pages = [
        program.patient.get_absolute_url(),
        program.get_absolute_url(),
        reverse("therapist:program_preview", args=[program.pk]),
        f"{reverse('therapist:program_preview', args=[program.pk])}?draft=1&dag={start}",
        reverse("therapist:program_paper", args=[program.pk]),
        f"{reverse('therapist:program_paper', args=[program.pk])}?week=6",
        reverse("therapist:handout_print", args=[program.pk]),
        reverse("therapist:handout_pdf", args=[program.pk]),
        reverse("therapist:patient_list"),
    ]
    for url in therapist_pages:
        assert practice_client.get(url).status_code == 200, url
    _link, token = link_for(program.patient)
    assert client.get(f"/p/{token}/").status_code == 302
    for url in ["/plan/", "/plan/week/"]:
        assert client.get(url).status_code == 200, url
    assert client.get("/plan/oefenen/").status_code in (200, 302)  # no training today: to /plan/
