"""An exercise reads the same on the phone, in the preview and on paper: one partial."""

import io
import re

from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from exercises.models import Exercise
from programs.handout.context import handout_for
from programs.handout.render import handout_pdf
from tests.factories import make_link, sign_in

VARIATIONS = [
    {"kind": "easier", "text": "Met steun van een stoel."},
    {"kind": "harder", "text": "Met een gewicht in de handen."},
    {"kind": "variant", "text": "Met de armen gekruist."},
]
NOTE = "Twee keer per dag, https://example.org/een-heel-lange-uitleg-zonder-spaties"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_variations_cautions_and_notes_read_the_same_everywhere(client, practice_user, started):
    exercise = Exercise.objects.get(slug="amputation-strength-1")
    exercise.variants = VARIATIONS
    exercise.cautions = ["Stop bij pijn in de stomp."]
    exercise.save()
    program = started(note=NOTE)  # published after the library change
    _link, token = make_link(program.patient, practice_user)
    phone = _text(client.get(f"/p/{token}/", follow=True).content.decode())
    practice_client = Client()
    sign_in(practice_client, practice_user)
    preview = _text(
        practice_client.get(
            reverse("therapist:program_preview", args=[program.pk])
        ).content.decode()
    )
    handout_html = practice_client.get(reverse("therapist:handout_print", args=[program.pk]))
    printed = _text(handout_html.content.decode())
    pdf = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(handout_pdf(handout_for(program=program)))).pages
    )
    pdf = re.sub(r"\s+", " ", pdf)
    for page in (phone, preview, printed, pdf):
        assert "Makkelijker: Met steun van een stoel." in page
        assert "Moeilijker: Met een gewicht in de handen." in page
        # A plain variation has no label.
        assert "Met de armen gekruist." in page and ": Met de armen gekruist." not in page
        assert "Let op Stop bij pijn in de stomp." in page
        assert "Notitie van uw therapeut Twee keer per dag" in page


def test_the_figure_is_the_same_drawing_on_the_phone_and_on_paper(patient_client, practice_client):
    """The phone animates it (still frames for reduced motion); paper prints the still frames."""
    program = patient_client.program
    phone = patient_client.get("/plan/").content.decode()
    printed = practice_client.get(
        reverse("therapist:handout_print", args=[program.pk])
    ).content.decode()
    stills = r'src(?:set)?="(/static/exercises/figures/[a-z0-9-]+-stills\.svg)"'
    assert re.findall(stills, phone) and set(re.findall(stills, phone)) == set(
        re.findall(stills, printed)
    )
