"""Draft items made before build-ups existed keep what they asked."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("exercises", "0001_initial"), ("programs", "0002_patient_links_and_ticks")]
AFTER = [
    ("exercises", "0004_remove_reps_start_and_target"),
    ("programs", "0005_remove_reps_start_target_and_step"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    """The tests after this one find the database as the migrations leave it."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_a_start_and_target_or_a_weekly_step_become_a_build_up():
    # From an empty database: the library loaded for the other tests holds
    # values (and log lines) the old schema has no room for.
    call_command("flush", interactive=False, verbosity=0)
    apps = _migrate(BEFORE)
    leaflet = apps.get_model("exercises", "Leaflet").objects.create(
        slug="l", title="L", source_file="l.txt"
    )
    variant = apps.get_model("exercises", "ProtocolVariant").objects.create(
        slug="v", leaflet=leaflet, name="V", name_en="V"
    )
    exercise = apps.get_model("exercises", "Exercise").objects.create(
        slug="e",
        leaflet=leaflet,
        number="1",
        title="E",
        category="strength",
        body_region="hip",
        position="supine",
        steps=["Stap."],
        reps_start=5,
        reps_target=10,
    )
    practice = apps.get_model("programs", "Practice").objects.create(name="P", phone="1")
    patient = apps.get_model("programs", "Patient").objects.create(practice=practice, name="A")
    protocol = apps.get_model("programs", "Protocol").objects.create(
        slug="p", name="P", name_en="P", variant=variant, default_weeks=6
    )
    program = apps.get_model("programs", "Program").objects.create(
        patient=patient,
        protocol=protocol,
        variant=variant,
        start_date=datetime.date(2026, 11, 23),
        weeks=6,
    )
    items = apps.get_model("programs", "ProgramItem").objects
    static = items.create(
        program=program, exercise=exercise, sets_min=3, reps_start=5, reps_target=10
    )
    stepped = items.create(
        program=program, exercise=exercise, reps_min=7, reps_max=10, reps_step_per_week=1
    )
    plain = items.create(program=program, exercise=exercise, sets_min=3, reps_min=10)

    apps = _migrate(AFTER)
    items = apps.get_model("programs", "ProgramItem").objects
    static, stepped, plain = (items.get(pk=item.pk) for item in (static, stepped, plain))
    assert (static.progression, static.progression_start, static.progression_step) == (
        "reps",
        5,
        None,
    )
    assert static.progression_target == 10
    assert (stepped.progression_start, stepped.progression_step, stepped.progression_target) == (
        7,
        1,
        10,
    )
    assert stepped.reps_min is None  # the week's number replaced it, as before
    assert (plain.progression, plain.reps_min) == ("", 10)
    assert static.days == stepped.days == "1234567"  # still every day, as before
    migrated = apps.get_model("exercises", "Exercise").objects.get(pk=exercise.pk)
    assert (migrated.progression, migrated.progression_start, migrated.progression_target) == (
        "reps",
        5,
        10,
    )
