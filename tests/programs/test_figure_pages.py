"""The exercise figures on the pages: the plan, the library, the handout (issue 15).

Each page shows the drawing of the program's variant with its alternative text;
a therapist's photo still comes first, and an exercise without a figure keeps
its position pictogram.
"""

import io
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from exercises.figures import lookup
from exercises.models import Exercise
from programs.handout.context import handout_for
from programs.handout.render import handout_pdf


def _pictures(html: str) -> list[str]:
    return re.findall(r'<picture class="exercise-figure[^"]*">.*?</picture>', html, re.S)


def test_the_plan_shows_each_exercises_animated_figure_with_still_frames_for_reduced_motion(
    patient_client,
):
    page = patient_client.get("/plan/").content.decode()
    pictures = _pictures(page)
    assert pictures
    first = pictures[0]
    assert (
        '<source media="(prefers-reduced-motion: reduce)" srcset="/static/exercises/figures/'
        in first
    )
    assert re.search(
        r'<img class="exercise-figure-image" src="/static/exercises/figures/[a-z0-9-]+\.svg"'
        r' width="240" height="[0-9]+" alt="[^"]{10,}"',
        first,
    )
    # Anna's program is transtibial: the below-knee drawings, never the above-knee ones.
    assert "-transtibial.svg" in page and "-transfemoral" not in page
    assert "exercises/pictograms/" not in page


def test_the_alt_text_names_the_exercise_and_its_movement(patient_client):
    page = patient_client.get("/plan/").content.decode()
    figure = lookup.figure_of("amputation-mobility-4", "transtibial")
    assert figure.alt.startswith("Buiging van de knie: ")
    assert f'alt="{figure.alt}"' in page.replace("&#x27;", "'")


def test_an_above_knee_program_shows_the_above_knee_figures(client, started, link_for):
    program = started(protocol="amputation-transfemoral", name="Bram")
    _link, token = link_for(program.patient)
    client.get(f"/p/{token}/")
    page = client.get("/plan/").content.decode()
    assert "-transfemoral.svg" in page and "-transtibial" not in page
    step = client.get(reverse("plan:step")).content.decode()
    assert "-transfemoral.svg" in step and "-transtibial" not in step


def test_the_library_shows_a_figure_per_exercise_and_both_levels_on_the_detail(practice_client):
    page = practice_client.get(reverse("exercises:library")).content.decode()
    assert len(_pictures(page)) >= 10
    assert "exercises/figures/amputation-mobility-1-transtibial.svg" in page
    detail = practice_client.get(
        Exercise.objects.get(slug="amputation-mobility-1").get_absolute_url()
    ).content.decode()
    assert "amputation-mobility-1-transtibial.svg" in detail
    assert "amputation-mobility-1-transfemoral.svg" in detail


def test_an_exercise_without_a_figure_keeps_its_pictogram(practice_client, monkeypatch):
    monkeypatch.setattr(lookup, "_index", lambda: {})
    page = practice_client.get(reverse("exercises:library")).content.decode()
    assert "exercises/pictograms/" in page and "exercises/figures/" not in page


def test_the_handout_prints_the_still_frames_and_the_pdf_renders(patient_client, practice_client):
    program = patient_client.program
    printed = practice_client.get(
        reverse("therapist:handout_print", args=[program.pk])
    ).content.decode()
    stills = re.findall(r'<img class="exercise-figure exercise-figure-stills[^>]*>', printed)
    assert stills and all('alt="' in tag and "-stills.svg" in tag for tag in stills)
    assert "<picture" not in printed  # no animation on paper
    pdf = PdfReader(io.BytesIO(handout_pdf(handout_for(program=program))))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Buiging van de knie" in text


def test_the_editors_open_dose_form_shows_the_movement_of_the_programs_variant(
    practice_client, make_program
):
    """The therapist doses what the patient will see: the above-knee drawing for a
    transfemoral program, only in the one form that is open (the lines stay lean)."""
    program = make_program("amputation-transfemoral")
    item = program.items.get(exercise__slug="amputation-strength-1")
    closed = practice_client.get(program.get_absolute_url()).content.decode()
    assert not _pictures(closed)
    edit = reverse("therapist:program_item_edit", args=[program.pk, item.pk])
    opened = practice_client.get(edit, headers={"HX-Request": "true"}).content.decode()
    [picture] = _pictures(opened)
    assert "amputation-strength-1-transfemoral.svg" in picture
    assert "transtibial" not in picture
    assert re.search(r'alt="[^"]*\(bovenbeenamputatie\)"', picture)


def _mirrored_figures(html: str) -> set[str]:
    """The figure files drawn mirrored on a page."""
    return set(
        re.findall(
            r'class="exercise-figure[^"]* figure-mirrored">.*?src="/static/exercises/figures/'
            r'([a-z0-9-]+)\.svg"',
            html,
            re.S,
        )
    )


@pytest.mark.parametrize("side", ["left", "right"])
def test_the_residual_limb_is_drawn_on_the_programs_affected_side(
    client, make_program, publish, link_for, side
):
    """Each figure is drawn with the residual limb on one side (a side view faces
    right: the patient's left is near); the plan, the editor and the handout
    mirror the ones drawn on the other side."""
    program = make_program("amputation-transtibial", f"Cas {side}")
    program.affected_side = side
    program.start_date = timezone.localdate()
    program.save()
    publish(program)
    _link, token = link_for(program.patient)
    client.get(f"/p/{token}/")
    page = client.get("/plan/").content.decode()
    index = json.loads((settings.BASE_DIR / "static/exercises/figures/index.json").read_text())
    shown = set(re.findall(r'src="/static/exercises/figures/([a-z0-9-]+)-transtibial\.svg"', page))
    assert len(shown) == 11
    drawn_elsewhere = {
        f"{slug}-transtibial"
        for slug in shown
        if index[slug]["transtibial"]["amputated_side"] != side
    }
    assert drawn_elsewhere, "both sides occur among the transtibial figures"
    assert _mirrored_figures(page) == drawn_elsewhere
