"""Every write to a patient's record lands together with its access-log line, or not at all."""

import contextlib
import datetime

import pytest
from django.db import DatabaseError, connection

from exercises.models import Exercise
from programs import links, services
from programs.models import AccessLogEntry, Patient, PatientLink, Program, Protocol
from tests.factories import make_link, make_patient, make_program, publish


class LogDown(DatabaseError):
    pass


@pytest.fixture
def log_fails():
    """From now on, writing an access-log line fails (a full disk, a lost
    connection): the database connection refuses the line's INSERT, however
    the app writes it."""
    table = AccessLogEntry._meta.db_table

    def refuse(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and table in sql:
            raise LogDown("access log unavailable")
        return execute(sql, params, many, context)

    with contextlib.ExitStack() as stack:
        yield lambda: stack.enter_context(connection.execute_wrapper(refuse))


def _state(patient: Patient) -> dict:
    """Everything the services below may change, read fresh from the database."""
    programs = Program.objects.filter(patient__practice=patient.practice)
    return {
        "patients": list(Patient.objects.filter(practice=patient.practice).values()),
        "programs": list(programs.values()),
        "items": [list(p.items.order_by("pk").values()) for p in programs],
        "revisions": [list(p.revisions.values_list("number", flat=True)) for p in programs],
        "links": list(PatientLink.objects.filter(patient__practice=patient.practice).values()),
    }


def _item(program):
    return program.items.order_by("order").first()


CHANGES = {
    "patient_create": lambda p, u: services.patient_create(
        practice=p.patient.practice, name="Bram", reference="", user=u
    ),
    "program_create_from_protocol": lambda p, u: services.program_create_from_protocol(
        patient=p.patient,
        protocol=Protocol.objects.get(slug="back-rehabilitation"),
        start_date=datetime.date(2026, 12, 1),
        weeks=4,
        affected_side="",
        user=u,
    ),
    "program_add_exercise": lambda p, u: services.program_add_exercise(
        program=p, exercise=Exercise.objects.get(slug="back-1"), user=u
    ),
    "program_item_update": lambda p, u: services.program_item_update(
        item=_changed(_item(p)), user=u
    ),
    "program_item_keep_warnings": lambda p, u: services.program_item_keep_warnings(
        item=_item(p), warnings=["kept"], reason="Bewust", user=u
    ),
    "program_item_remove": lambda p, u: services.program_item_remove(item=_item(p), user=u),
    "program_item_move": lambda p, u: services.program_item_move(item=_item(p), offset=1, user=u),
    "program_reschedule": lambda p, u: services.program_reschedule(
        program=p, start_date=datetime.date(2027, 1, 4), weeks=3, user=u
    ),
    "program_publish": lambda p, u: services.program_publish(program=p, user=u),
    "program_copy": lambda p, u: services.program_copy(
        program=p, patient=Patient.objects.get(name="Cor"), user=u
    ),
    "program_archive": lambda p, u: services.program_archive(program=p, user=u),
    "patient_link_create": lambda p, u: links.patient_link_create(patient=p.patient, user=u),
    "patient_link_revoke": lambda p, u: links.patient_link_revoke(patient=p.patient, user=u),
}


def _changed(item):
    item.reps_min, item.note = 12, "Rustig aan"
    return item


@pytest.fixture
def program(library, practice_user) -> Program:
    """Anna's published program with a phone link, and Cor, a patient to copy it to."""
    program = publish(make_program(practice_user, "amputation-transtibial"), practice_user)
    make_link(program.patient, practice_user)
    make_patient(practice_user, "Cor")
    return Program.objects.get(pk=program.pk)


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_whose_log_line_fails_leaves_nothing_behind(
    change, program, practice_user, log_fails
):
    before = _state(program.patient)
    log_lines = AccessLogEntry.objects.count()
    log_fails()
    with pytest.raises(LogDown):
        CHANGES[change](program, practice_user)
    assert _state(program.patient) == before
    assert AccessLogEntry.objects.count() == log_lines


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_that_lands_has_its_log_line(change, program, practice_user):
    log_lines = AccessLogEntry.objects.count()
    CHANGES[change](program, practice_user)
    assert AccessLogEntry.objects.count() == log_lines + 1
