"""Each protocol yields its leaflet's exercises for its variant, with the leaflet's dose."""

import pytest
from django.core.management import call_command

from programs.models import Protocol, ProtocolItem
from tests.factories import FIXTURE_FILES


def _slugs(program) -> list[str]:
    return [item.exercise.slug for item in program.items.order_by("order")]


def test_transtibial_has_all_eleven_and_transfemoral_no_b_exercises(make_program):
    assert len(_slugs(make_program("amputation-transtibial"))) == 11
    transfemoral = _slugs(make_program("amputation-transfemoral", name="Bram"))
    assert transfemoral == [
        "amputation-mobility-1",
        "amputation-mobility-2",
        "amputation-strength-1",
        "amputation-strength-2",
        "amputation-strength-3",
        "amputation-strength-4",
    ]


def test_amputation_strength_dose_is_the_leaflets(make_program):
    program = make_program("amputation-transtibial")
    strength = program.items.get(exercise__slug="amputation-strength-4")
    assert (strength.sets_min, strength.reps_min, strength.rest_seconds_min) == (3, 10, 30)
    assert (strength.hold_min, strength.hold_unit) == (10, "seconds")
    prone = program.items.get(exercise__slug="amputation-mobility-1")
    assert (prone.duration_minutes, prone.times_per_day_min) == (30, 2)


def test_anterior_hip_has_no_exercise_4_and_the_leaflets_build_up(make_program):
    program = make_program("hip-replacement-anterior")
    assert _slugs(program) == [f"hip-replacement-{n}" for n in (1, 2, 3, 5, 6)]
    item = program.items.get(exercise__slug="hip-replacement-3")
    assert (item.sets_min, item.progression, item.progression_start) == (3, "reps", 5)
    assert (item.progression_step, item.progression_target) == (1, 10)
    assert (item.hold_min, item.hold_unit) == (3, "counts")
    assert (item.times_per_day_min, item.times_per_day_max) == (2, 3)
    posterolateral = make_program("hip-replacement-posterolateral", name="Cor")
    assert "hip-replacement-4" in _slugs(posterolateral)
    assert posterolateral.items.get(exercise__slug="hip-replacement-4").hold_min == 8


@pytest.mark.parametrize(
    ("slug", "count"),
    [
        # Strength and aerobic work; range of motion and balance are the therapist's additions.
        ("knee-osteoarthritis", 8),
        ("hip-osteoarthritis", 7),
        ("hip-osteoarthritis-home", 3),
        # A home program: the 8 exercises that need a gym's equipment are left out.
        ("back-rehabilitation", 13),
    ],
)
def test_other_protocols(make_program, slug, count):
    program = make_program(slug)
    assert program.items.count() == count
    assert all(item.has_dose for item in program.items.all())


def test_protocols_carry_rules_and_precautions(library):
    posterolateral = Protocol.objects.get(slug="hip-replacement-posterolateral")
    texts = [rule["text"] for rule in posterolateral.rules]
    assert "Voer de oefeningen rustig uit en ga niet over uw pijngrens heen." in texts
    assert any("90 graden" in rule["text"] for rule in posterolateral.precautions)
    assert all(rule["from_leaflet"] is False for rule in posterolateral.precautions)
    assert Protocol.objects.count() == 8


def test_protocol_fixture_loads_idempotently(library):
    before = ProtocolItem.objects.count()
    call_command("loaddata", *FIXTURE_FILES, verbosity=0)
    assert ProtocolItem.objects.count() == before == 11 + 6 + 6 + 5 + 8 + 7 + 3 + 13


def test_every_protocol_is_a_home_program(library):
    """No exercise of a shipped selection needs a gym's equipment."""
    gym = ProtocolItem.objects.filter(exercise__equipment__gym_only=True)
    assert list(gym.values_list("protocol_id", "exercise__slug")) == []


def test_the_osteoarthritis_protocols_keep_one_training_type_per_session(library):
    flagged = set(Protocol.objects.filter(one_type_per_session=True).values_list("pk", flat=True))
    assert flagged == {"knee-osteoarthritis", "hip-osteoarthritis"}
