"""The plan's two reads in plain SQL (programs/plan/reads.py) give what the ORM
gives, on the database the suite runs on (make test runs it on SQLite and on
PostgreSQL): the link check is the security boundary of every patient request."""

import datetime

import pytest
from django.utils import timezone

from programs import links, selectors, services
from programs.models import ExerciseTick, Patient, PatientLink, Program, TickSource
from programs.plan import reads
from tests import factories


def _fields(instance) -> dict:
    return {name: value for name, value in vars(instance).items() if not name.startswith("_")}


def _by_orm(link_id: int) -> tuple[PatientLink | None, set[int]]:
    link = (
        PatientLink.objects.filter(links.active_links(), pk=link_id)
        .select_related("patient__practice")
        .first()
    )
    if link is None:
        return None, set()
    revisions = selectors.patient_latest_revisions(patient=link.patient)
    return link, set(revisions.values_list("pk", flat=True))


def _assert_same(link_id: int) -> PatientLink | None:
    expected, expected_revisions = _by_orm(link_id)
    found, revisions = reads.link_and_revisions(link_id)
    if expected is None:
        assert (found, revisions) == (None, ())
        return None
    assert _fields(found) == _fields(expected)
    assert _fields(found.patient) == _fields(expected.patient)
    assert _fields(found.patient.practice) == _fields(expected.patient.practice)
    assert sorted(revisions) == sorted(expected_revisions)
    return found


def test_a_working_link_brings_its_patient_practice_and_latest_revisions(
    started, make_program, publish, link_for, practice_user
):
    first = started("knee-osteoarthritis", "Anna")
    patient = first.patient
    publish(first)  # a second revision: only the latest counts
    second = make_program("back-rehabilitation", patient=patient)
    publish(second)
    make_program("hip-osteoarthritis-home", patient=patient)  # never published: no revision
    archived = publish(make_program("amputation-transtibial", patient=patient))
    services.program_archive(program=archived, user=practice_user)
    link, _token = link_for(patient)
    patient.practice.call_hours = "ma–vr 8–17 uur, <b>niet</b> op feestdagen"
    patient.practice.save()

    found = _assert_same(link.pk)
    assert found.patient.name == "Anna" and found.patient.practice == patient.practice
    assert len(reads.link_and_revisions(link.pk)[1]) == 2
    assert found.created_at.tzinfo is not None  # made aware, as the ORM does


def test_a_link_without_a_running_program_works_and_has_no_revisions(link_for, practice_user):
    patient = factories.make_patient(practice_user, "Bram")
    link, _token = link_for(patient)
    assert _assert_same(link.pk) is not None
    assert reads.link_and_revisions(link.pk)[1] == ()


@pytest.mark.parametrize("state", ["revoked", "expired", "expires later", "unknown id"])
def test_revoked_expired_and_unknown_links_are_refused_as_by_the_orm(
    started, link_for, practice_user, state
):
    program = started()
    link, _token = link_for(program.patient)
    now, same_link = timezone.now(), PatientLink.objects.filter(pk=link.pk)
    if state == "revoked":
        links.patient_link_revoke(patient=program.patient, user=practice_user)
    elif state == "expired":
        same_link.update(expires_at=now - datetime.timedelta(seconds=1))
    elif state == "expires later":
        same_link.update(expires_at=now + datetime.timedelta(hours=1))
    found = _assert_same(link.pk + 1000 if state == "unknown id" else link.pk)
    assert (found is not None) == (state == "expires later")
    assert reads.link_and_revisions("1") == (None, ())  # only an id from the signed cookie


def test_the_week_ticks_are_the_orms(started, make_program, publish):
    program = started()
    other = publish(make_program("knee-osteoarthritis", "Bram"))
    today = timezone.localdate()
    item = program.items.first().pk
    for days_ago, session, pain, note, source in [
        (0, 1, 3, "Ging goed, wat stijf", TickSource.PHONE),
        (0, 2, None, "", TickSource.PHONE),
        (1, 1, 0, "", TickSource.LATER),
        (6, 1, 10, "<script>au</script>", TickSource.PAPER),
        (7, 1, 2, "a week back: outside", TickSource.PHONE),
    ]:
        ExerciseTick.objects.create(
            program=program,
            item_id=item,
            date=today - datetime.timedelta(days=days_ago),
            session=session,
            pain=pain,
            note=note,
            source=source,
        )
    ExerciseTick.objects.create(program=other, item_id=1, date=today, session=1)
    first = today - datetime.timedelta(days=6)

    def both(programs: list[Program]) -> tuple[list, list]:
        found = reads.week_ticks(programs=programs, first=first, last=today)
        expected = selectors.program_ticks(programs=programs, first=first, last=today)

        def printed(tick) -> dict:
            return {name: value for name, value in _fields(tick).items() if name in shown}

        return sorted(map(printed, found), key=str), sorted(map(printed, expected), key=str)

    shown = {"id", "program_id", *reads.TICK_FIELDS}

    found, expected = both([program])
    assert found == expected and len(found) == 4
    assert {tick["date"] for tick in found} >= {today, first}
    found, expected = both([program, other])
    assert found == expected and len(found) == 5
    assert reads.week_ticks(programs=[], first=first, last=today) == []


def test_a_deleted_patient_takes_the_link_with_it(started, link_for):
    program = started()
    link, _token = link_for(program.patient)
    Patient.objects.filter(pk=program.patient.pk).delete()
    assert _assert_same(link.pk) is None
