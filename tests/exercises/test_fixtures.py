"""The shipped library: every leaflet exercise, faithful to the leaflet."""

import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from exercises.models import DoseSource, Equipment, Exercise, Leaflet, ProtocolVariant
from programs.models import Protocol, ProtocolItem
from tests.factories import FIXTURE_FILES

SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"

EXPECTED_COUNTS = {
    "leg-amputation": 11,
    "hip-replacement": 6,
    "knee-hip-osteoarthritis": 40,
    "hip-osteoarthritis-home": 3,
    "back-rehabilitation": 21,
}

# Sentences copied from each leaflet (extraction breaks repaired): each must
# appear, word for word, in the exercise named.
VERBATIM_SAMPLES = [
    ("amputation-mobility-1", "Ga 2x per dag een half uur op de buik liggen."),
    (
        "amputation-mobility-3",
        "Duw de achterkant van de knie (van het geamputeerde been) in de onderlaag, "
        "houd dit 10 seconde vast.",
    ),
    ("amputation-strength-7", "Bevestig de theraband om de stoel en om de stomp."),
    (
        "hip-replacement-2",
        "Buig langzaam door de knieën alsof u op een stoel gaat zitten en houd hierbij de rug "
        "recht.",
    ),
    ("hip-replacement-4", "Houd de rek in de lies 8 tellen vast."),
    (
        "hip-oa-home-1",
        "Til uw bekken omhoog, zodat uw bovenlichaam in het verlengde van uw bovenbenen komt, "
        "en houd dit 5 tot 10 seconden vast.",
    ),
    ("hip-oa-home-3", "Zorg voor een stevig opstapje, bijvoorbeeld de onderste tree van een trap."),
    (
        "oa-strength-3",
        "Probeer nu omhoog te komen uit de stoel zonder uw handen te gebruiken.",
    ),
    ("back-1", "Steun vanuit een neutrale houding op ellebogen en voeten."),
    ("back-1", "Hou je rug in een neutrale houding. Ga niet doorhangen."),
]


def _exercise_texts(exercise: Exercise) -> list[str]:
    return [
        exercise.title if exercise.title_from_leaflet else "",
        *exercise.steps,
        *(variant["text"] for variant in exercise.variants),
        *exercise.attention_points,
        *exercise.cautions,
    ]


def _fold(text: str) -> str:
    return " ".join(text.split())


def _leaflet_text(source_file: str) -> str:
    """The leaflet as one line: only the PDF's hyphenation and line breaks undone."""
    text = (SOURCES / source_file).read_text(encoding="utf-8")
    text = re.sub(r"\s*\(Zie plaatje \d+\)", "", text)
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)  # "bovenli-\nchaam"
    text = text.replace("↗", " ")
    return _fold(text)


def _empty_library() -> None:
    """The test database comes with the library loaded; this test needs none."""
    ProtocolItem.objects.all().delete()
    Protocol.objects.all().delete()
    Exercise.objects.all().delete()
    for model in (ProtocolVariant, Equipment, Leaflet):
        model.objects.all().delete()


def test_every_fixture_loads_on_an_empty_database(db):
    _empty_library()
    assert Exercise.objects.count() == 0
    call_command("loaddata", *FIXTURE_FILES, verbosity=0)

    counts = Counter(Exercise.objects.values_list("leaflet_id", flat=True))
    assert counts == EXPECTED_COUNTS
    assert Exercise.objects.count() == 81


def test_loading_twice_changes_nothing(library):
    call_command("loaddata", *FIXTURE_FILES, verbosity=0)
    assert Exercise.objects.count() == 81


def test_every_exercise_is_valid_and_has_steps_and_a_dose(library):
    for exercise in Exercise.objects.prefetch_related("applies_to"):
        exercise.full_clean()
        assert exercise.steps, exercise.slug
        assert all(isinstance(step, str) and step.strip() for step in exercise.steps)
        assert exercise.has_dose, exercise.slug
        assert exercise.applies_to.exists(), exercise.slug
        assert {variant["kind"] for variant in exercise.variants} <= {"easier", "harder", "variant"}
        if exercise.dose_source == DoseSource.LEAFLET:
            assert exercise.dose_source_text, f"{exercise.slug}: leaflet dose without its quote"


def test_back_leaflet_doses_are_marked_as_defaults(library):
    back = Exercise.objects.filter(leaflet_id="back-rehabilitation")
    assert set(back.values_list("dose_source", flat=True)) == {DoseSource.DEFAULT}


@pytest.mark.parametrize(("slug", "sentence"), VERBATIM_SAMPLES)
def test_sample_sentences_appear_verbatim(library, slug, sentence):
    exercise = Exercise.objects.get(slug=slug)
    assert any(sentence in text for text in _exercise_texts(exercise))


def test_every_exercise_text_is_the_leaflets_word_for_word(library):
    leaflets = {leaflet.pk: _leaflet_text(leaflet.source_file) for leaflet in Leaflet.objects.all()}
    missing = []
    for exercise in Exercise.objects.all():
        for text in filter(None, _exercise_texts(exercise)):
            folded = _fold(text)
            # A leaflet title may start lower-case ("ter versterking ..."); a heading doesn't.
            candidates = {folded, folded[0].lower() + folded[1:]}
            if not any(candidate in leaflets[exercise.leaflet_id] for candidate in candidates):
                missing.append(f"{exercise.slug}: {text!r}")
    assert missing == []


def test_variant_mapping_follows_the_domain_rules(library):
    transfemoral = set(
        Exercise.objects.filter(applies_to="transfemoral").values_list("slug", flat=True)
    )
    assert transfemoral == {
        "amputation-mobility-1",
        "amputation-mobility-2",
        *(f"amputation-strength-{number}" for number in range(1, 5)),
    }
    assert Exercise.objects.filter(applies_to="transtibial").count() == 11
    anterior = set(Exercise.objects.filter(applies_to="anterior").values_list("number", flat=True))
    assert anterior == {"1", "2", "3", "5", "6"}
    assert Exercise.objects.filter(applies_to="posterolateral").count() == 6


def test_every_dose_is_the_leaflets_with_its_quote_or_a_marked_default(library):
    """A leaflet dose quotes the leaflet (each part, word for word); what the app chose
    where the leaflet is open (a weekly step, a next stage's pace) is said in dose_note;
    a dose the leaflet does not give at all is marked as the app's default."""
    leaflets = {leaflet.pk: _leaflet_text(leaflet.source_file) for leaflet in Leaflet.objects.all()}
    problems = []
    for exercise in Exercise.objects.all():
        if exercise.dose_source == DoseSource.LEAFLET:
            for part in exercise.dose_source_text.split(" … "):
                if _fold(part) not in leaflets[exercise.leaflet_id]:
                    problems.append(f"{exercise.slug}: not in the leaflet: {part!r}")
        elif exercise.dose_source != DoseSource.DEFAULT:
            problems.append(f"{exercise.slug}: dose source {exercise.dose_source!r}")
        chose = exercise.progression_step or exercise.next_stage
        if chose and not exercise.dose_note:
            problems.append(f"{exercise.slug}: a build-up without a word on what the app chose")
    assert problems == []


def test_steps_adapted_per_variant_only_leave_words_out(library):
    """The prone-lying roll: each level reads its own line, cut from the leaflet's."""
    adapted = Exercise.objects.exclude(steps_by_variant={})
    assert set(adapted.values_list("slug", flat=True)) == {"amputation-mobility-1"}
    for exercise in adapted:
        for variant, steps in exercise.steps_by_variant.items():
            assert variant in set(exercise.applies_to.values_list("pk", flat=True))
            for step in steps:
                assert any(_words_in_order(step, original) for original in exercise.steps), step
    prone = adapted.get()
    transtibial, transfemoral = (prone.steps_for(v)[0][1] for v in ("transtibial", "transfemoral"))
    assert "boven de knie" in transtibial and "stomp" not in transtibial
    assert "stomp" in transfemoral and "boven de knie" not in transfemoral


def _words_in_order(adapted: str, original: str) -> bool:
    words = iter(original.split())
    return all(word in words for word in adapted.split())
