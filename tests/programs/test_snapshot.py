"""The typed snapshot: versioned JSON, upgraded on read, the same plan as before."""

import dataclasses
import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone, translation

from exercises.dose import DoseValues
from exercises.models import DOSE_FIELDS
from programs import schedule
from programs.handout.context import short_dose
from programs.models import ProgramRevision
from programs.snapshot import CURRENT_VERSION, Snapshot, UnknownSnapshotVersion
from tests.factories import make_link, make_program, publish

DATA = Path(__file__).parent / "data"
VERSION_1 = json.loads((DATA / "snapshot_v1.json").read_text())
VERSION_2 = json.loads((DATA / "snapshot_v2.json").read_text())
RECORDED = [
    (1, VERSION_1, "amputation-transtibial"),
    (1, VERSION_1, "back-rehabilitation"),
    (2, VERSION_2, "hip-osteoarthritis-home"),
    (2, VERSION_2, "hip-replacement-anterior"),
]


def _plan_as_recorded(snapshot: Snapshot, day: datetime.date) -> dict:
    """The fields recorded from the version-1 code, computed by today's code."""
    plan = schedule.day_plan(snapshot, day)
    return {
        "status": plan.status,
        "week": plan.week,
        "frequency": plan.frequency,
        "sessions_planned": plan.sessions_planned,
        "sessions_max": plan.sessions_max,
        "exercises": [
            {
                "item_id": e.item_id,
                "number": e.number,
                "title": e.exercise.title,
                "sessions": e.sessions,
                "dose_lines": e.dose.lines,
                "short": e.dose.short,
                "timer_reps": e.dose.timer_reps,
                "hold_seconds": e.dose.hold_seconds,
                "rest_seconds": e.dose.rest_seconds,
                "next_week": e.next_week_dose.short if e.next_week_dose else None,
                "pictogram": e.exercise.pictogram,
            }
            for e in plan.exercises
        ],
    }


@pytest.mark.parametrize(("version", "data", "protocol"), RECORDED)
def test_an_older_snapshot_gives_the_same_plan_and_handout_doses(version, data, protocol):
    """Revisions published before a format change read as they did (recorded then)."""
    recorded = data[protocol]
    assert recorded["snapshot"].get("version", 1) == version
    snapshot = Snapshot.from_json(recorded["snapshot"])
    with translation.override("nl"):
        for day, expected in recorded["plan_nl"].items():
            computed = _plan_as_recorded(snapshot, datetime.date.fromisoformat(day))
            if expected["status"] != "active":
                # Outside the program's dates the page shows no sessions at all; the
                # first code still counted them, now they are simply one.
                for key in ("sessions_planned", "sessions_max"):
                    del computed[key], expected[key]
            assert computed == expected, day
        cells = {
            str(item.id): [short_dose(schedule.week_dose(item, week)) for week in range(1, 7)]
            for item in snapshot.items
        }
    assert cells == recorded["handout_week_doses_nl"]
    # Fixed days stay fixed: an old "3 days a week" was asked every day, and still is.
    assert all(schedule.weekly_target(item) is None for item in snapshot.items)


def test_a_stored_version_1_revision_opens_on_the_phone(client, library, practice_user):
    """A revision published before versions existed still shows its plan."""
    program = make_program(practice_user, "amputation-transtibial")
    program.start_date = timezone.localdate()
    program.save()
    recorded = VERSION_1["amputation-transtibial"]["snapshot"]
    stored = {**recorded, "start_date": program.start_date.isoformat()}
    # Its items keep their old ids: ticks refer to those, not to today's items.
    ProgramRevision.objects.create(program=program, number=1, snapshot=stored)
    _link, token = make_link(program.patient, practice_user)
    page = client.get(f"/p/{token}/", follow=True).content.decode()
    every_day = [item for item in recorded["items"] if len(item["days"]) == 7]
    for item in every_day:
        assert item["exercise"]["title"] in page
    assert 'id="oefening-3"' in page  # the recorded item id
    assert "3 series van 7 herhalingen" in page  # week 1 of its weekly step
    assert "Rustig opbouwen, stop bij pijn." in page


def test_upgrading_fills_what_the_first_snapshots_left_out():
    old = json.loads(json.dumps(VERSION_1["back-rehabilitation"]["snapshot"]))
    for item in old["items"]:
        del item["id"], item["note"], item["reps_step_per_week"]
        del item["dose"]["borg_min"], item["dose"]["borg_max"]
        for variation in item["exercise"]["variants"]:
            del variation["kind"]
    snapshot = Snapshot.from_json(old)
    assert [item.id for item in snapshot.items] == list(range(1, 22))  # as the plan numbered them
    assert all(item.note == "" and item.dose.progression_step is None for item in snapshot.items)
    assert all(item.dose.borg_min is None for item in snapshot.items)
    variations = [v for item in snapshot.items for v in item.exercise.variants]
    assert variations and {v.kind for v in variations} == {"variant"}


def test_the_current_format_round_trips_through_the_database(library, practice_user):
    program = publish(make_program(practice_user, "hip-osteoarthritis-home"), practice_user)
    revision = ProgramRevision.objects.get(program=program)
    assert revision.snapshot["version"] == CURRENT_VERSION
    typed = revision.content
    assert Snapshot.from_json(typed.to_json()) == typed
    assert Snapshot.from_json(json.loads(json.dumps(typed.to_json()))) == typed
    kinds = {v.kind for item in typed.items for v in item.exercise.variants}
    assert kinds == {"harder"}  # the leaflet's harder next stage, kept as such


def test_a_snapshot_from_newer_code_is_refused_not_misread():
    newer = {**VERSION_1["back-rehabilitation"]["snapshot"], "version": CURRENT_VERSION + 1}
    with pytest.raises(UnknownSnapshotVersion):
        Snapshot.from_json(newer)


def test_dose_values_have_exactly_the_dose_models_fields():
    assert [field.name for field in dataclasses.fields(DoseValues)] == DOSE_FIELDS
