"""The preview is the patient's own page: same exercises, same words, ticking off."""

import datetime
import re

from django.urls import reverse
from django.utils import dateformat, translation

from programs.models import AccessLogEntry
from tests.factories import make_practice, make_therapist, sign_in

PLAN = "/plan/"


def _preview(client, program, **params):
    return client.get(reverse("therapist:program_preview", args=[program.pk]), params)


def _exercises(html: str) -> str:
    """The page's list of exercises, without what differs per response or audience:
    CSRF tokens, and the `disabled` that switches ticking off in the preview."""
    start = html.index('<ol class="plan-exercises">')
    part = html[start : html.index("</section>", start)]
    part = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", part)
    return part.replace(" disabled", "")


def test_the_preview_of_the_published_revision_is_the_patients_page(
    patient_client, practice_client
):
    program = patient_client.program
    patient_page = patient_client.get(PLAN).content.decode()
    preview = _preview(practice_client, program).content.decode()
    assert _exercises(preview) == _exercises(patient_page)
    assert "Hallo Anna" in preview
    assert "Versie 1, zoals de patiënt het op" in preview
    # Everything works but ticking: the controls are there, switched off.
    assert preview.count('<fieldset class="plan-tick-fields" disabled>') == (
        program.items.count() + 1  # each exercise, and "all exercises done"
    )
    assert 'class="plan-nav"' not in preview  # no patient navigation to wander into


def test_the_draft_preview_shows_unpublished_changes_and_the_revision_does_not(
    practice_client, started
):
    program = started()
    item = program.items.get(exercise__slug="amputation-strength-1")
    item.reps_min, item.note = 15, "Nieuw: rustig opbouwen"
    item.save()
    draft = _preview(practice_client, program, draft=1).content.decode()
    assert "3 series van 15 herhalingen" in draft and "Nieuw: rustig opbouwen" in draft
    assert "Het concept, zoals de patiënt het op" in draft
    published = _preview(practice_client, program).content.decode()
    assert "3 series van 15 herhalingen" not in published
    assert "3 series van 10 herhalingen" in published
    # The editor's button opens the draft.
    editor = practice_client.get(program.get_absolute_url()).content.decode()
    assert f"{reverse('therapist:program_preview', args=[program.pk])}?draft=1" in editor


def test_an_unpublished_program_previews_its_draft(practice_client, make_program):
    program = make_program()
    page = _preview(practice_client, program).content.decode()
    assert "Het concept" in page and "Buikligging" in page


def test_the_therapist_picks_the_day_within_the_program(practice_client, started):
    program = started(days_ago=0)
    start = program.start_date
    not_on_start = "".join(d for d in "1234567" if d != str(start.isoweekday()))
    item = program.items.get(exercise__slug="amputation-strength-1")
    item.days = not_on_start
    item.save()
    first_day = _preview(practice_client, program, draft=1, dag=start.isoformat())
    text = first_day.content.decode()
    assert item.exercise.title not in text
    next_day = start + datetime.timedelta(days=1)
    assert f"dag={next_day.isoformat()}" in text  # "Next day"
    assert "Vorige dag" not in text  # the first day has none before it
    second = _preview(practice_client, program, draft=1, dag=next_day.isoformat())
    assert item.exercise.title in second.content.decode()
    # A day outside the program, or nonsense, shows the nearest day of the program.
    before = _preview(practice_client, program, draft=1, dag="2000-01-01").content.decode()
    with translation.override("nl"):
        assert f'<p class="plan-date">{dateformat.format(start, "l j F")}</p>' in before
    assert "Hallo Anna" in _preview(practice_client, program, dag="morgen").content.decode()
    after = _preview(practice_client, program, dag="2100-01-01").content.decode()
    assert "week 6 van 6" in after


def test_the_preview_speaks_the_patients_language(practice_client, started):
    program = started()
    program.patient.language = "en"
    program.patient.save()
    page = _preview(practice_client, program).content.decode()
    assert '<html lang="en">' in page and "Hello Anna" in page
    assert "3 sets of 10 repetitions" in page


def test_the_preview_is_access_logged_and_walled(practice_client, client, started):
    program = started()
    assert _preview(practice_client, program).status_code == 200
    assert AccessLogEntry.objects.filter(patient=program.patient, detail="preview").exists()
    sign_in(client, make_therapist(make_practice("Elders"), "otto"))
    assert _preview(client, program).status_code == 404


def test_the_preview_runs_the_same_queries_for_a_short_and_a_long_program(
    practice_client, started, django_assert_max_num_queries
):
    counts = []
    for protocol, name in (("hip-osteoarthritis-home", "Kort"), ("back-rehabilitation", "Lang")):
        program = started(protocol, name)
        with django_assert_max_num_queries(20) as queries:
            assert _preview(practice_client, program, draft=1).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
