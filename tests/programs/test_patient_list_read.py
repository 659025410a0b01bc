"""The patient list's read in plain SQL (selectors.patient_list_page) gives what
its ORM twin gives, on the database the suite runs on (make test runs it on
SQLite and on PostgreSQL): the same patients, in the same order, on the same
page, with the same programs counted and the same pain and quiet flags."""

import datetime

import pytest
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from programs import pain, selectors, services
from programs.models import ExerciseTick, Patient, Program, ProgramRevision
from tests import factories


def _figure_per_patient(rows, patient: str, aggregate) -> Subquery:
    return Subquery(
        rows.filter(**{patient: OuterRef("pk")})
        .order_by()
        .values(patient)
        .annotate(figure=aggregate)
        .values("figure")[:1]
    )


def _by_orm(*, practice, text, page_number, today):
    """The read as the ORM wrote it before (issue 14), kept here as the reference."""
    patients = Patient.objects.filter(practice=practice)
    text = text.strip()
    if text:
        patients = patients.filter(Q(name__icontains=text) | Q(reference__icontains=text))
    patients = patients.order_by("name", "pk")
    page = Paginator(patients, selectors.PATIENT_PAGE_SIZE).get_page(page_number)
    if not page.paginator.count:
        return page, []
    on_page = patients.values("pk")[page.start_index() - 1 : page.end_index()]
    week_ago = today - datetime.timedelta(days=pain.QUIET_DAYS)
    two_weeks_ago = week_ago - datetime.timedelta(days=pain.QUIET_DAYS)
    ticks = ExerciseTick.objects.all()
    programs = Program.objects.filter(archived_at__isnull=True)
    last_tick = ticks.filter(program=OuterRef("pk")).order_by("-date").values("date")[:1]
    rows = (
        Patient.objects.filter(pk__in=on_page)
        .annotate(
            program_count=Coalesce(_figure_per_patient(programs, "patient", Count("pk")), Value(0)),
            pain_this_week=_figure_per_patient(
                ticks.filter(date__gt=week_ago, date__lte=today), "program__patient", Max("pain")
            ),
            pain_last_week=_figure_per_patient(
                ticks.filter(date__gt=two_weeks_ago, date__lte=week_ago),
                "program__patient",
                Max("pain"),
            ),
            last_tick=_figure_per_patient(
                Program.objects.annotate(last_tick=Subquery(last_tick)), "patient", Max("last_tick")
            ),
            running_since=_figure_per_patient(
                programs.filter(revisions__isnull=False), "patient", Min("start_date")
            ),
        )
        .order_by("name", "pk")
    )
    return page, [
        (
            patient,
            pain.patient_flags(
                practice=practice,
                today=today,
                pain_this_week=patient.pain_this_week,
                pain_last_week=patient.pain_last_week,
                last_tick=patient.last_tick,
                running_since=patient.running_since,
            ),
        )
        for patient in rows
    ]


def _fields(instance) -> dict:
    return {name: value for name, value in vars(instance).items() if not name.startswith("_")}


def _assert_same(practice, text="", page_number=1, today=None) -> list[str]:
    today = today or timezone.localdate()
    arguments = {"practice": practice, "text": text, "page_number": page_number, "today": today}
    expected_page, expected_rows = _by_orm(**arguments)
    page = selectors.patient_list_page(**arguments)
    assert page.number == expected_page.number
    assert page.paginator.count == expected_page.paginator.count
    assert page.paginator.num_pages == expected_page.paginator.num_pages
    assert (page.has_previous(), page.has_next()) == (
        expected_page.has_previous(),
        expected_page.has_next(),
    )
    assert len(page.object_list) == len(expected_rows)
    for row, (patient, flags) in zip(page.object_list, expected_rows, strict=True):
        # The model's fields and the five figures, as the ORM annotated them.
        assert _fields(row.patient) == _fields(patient)
        assert row.flags == flags
    return [row.patient.name for row in page.object_list]


@pytest.fixture
def practice_with_history(library, practice_user):
    """Patients with every kind of history the list sums up, and another
    practice's patient of the same name (never listed)."""
    user = practice_user
    today = timezone.localdate()
    names = ["Anna", "anna-Marie", "Bob", "Céline", "Daan 50% korting", "Eva_", "Zoë"]
    patients = {name: factories.make_patient(user, name) for name in names}
    Patient.objects.filter(pk=patients["Bob"].pk).update(reference="REF-007")
    patients["Bob"].refresh_from_db()

    def program(patient, protocol="knee-osteoarthritis", days_ago=20, published=True):
        made = factories.make_program(user, protocol, patient=patient)
        made.start_date = today - datetime.timedelta(days=days_ago)
        made.save()
        return factories.publish(made, user) if published else made

    def tick(made, days_ago, pain_score):
        ExerciseTick.objects.create(
            program=made,
            item_id=made.items.first().pk,
            date=today - datetime.timedelta(days=days_ago),
            session=1,
            pain=pain_score,
        )

    anna = program(patients["Anna"])
    for days_ago, score in ((0, 3), (6, 8), (7, 9), (13, 2), (14, 7), (30, 1)):
        tick(anna, days_ago, score)  # the week's edges on either side
    program(patients["Anna"], "back-rehabilitation", published=False)  # no revision
    archived = program(patients["Anna"], "hip-osteoarthritis")
    tick(archived, 1, 4)  # an archived program's ticks still count
    services.program_archive(program=archived, user=user)
    only_archived = program(patients["Eva_"], days_ago=30)  # published, then archived:
    services.program_archive(program=only_archived, user=user)  # nothing runs, not quiet
    rising = program(patients["Bob"], days_ago=40)
    tick(rising, 2, 6)
    tick(rising, 9, 2)
    program(patients["Céline"], days_ago=30)  # running, never ticked: quiet
    program(patients["Daan 50% korting"], days_ago=2)  # just begun: not yet quiet
    tick(program(patients["Zoë"]), 11, None)  # a tick without a pain score
    elsewhere = factories.make_practice("Elders")
    other = factories.make_therapist(elsewhere, "elders")
    factories.make_program(other, "knee-osteoarthritis", "Anna")
    assert ProgramRevision.objects.exists()
    return user.therapist.practice


def test_the_first_page_of_every_kind_of_history(practice_with_history):
    names = _assert_same(practice_with_history)
    # In the database's own order of names (its collation), as the ORM's.
    assert sorted(names) == [
        "Anna",
        "Bob",
        "Céline",
        "Daan 50% korting",
        "Eva_",
        "Zoë",
        "anna-Marie",
    ]


@pytest.mark.parametrize(
    "text", ["anna", "ANNA", "ref-007", "é", "50%", "_", "%", "\\", "nobody", "  Bob  "]
)
def test_a_search_matches_as_the_orm_matches(practice_with_history, text):
    _assert_same(practice_with_history, text=text)


@pytest.mark.parametrize("page_number", [1, 2, 3, 99, 0, -1, "x", None])
def test_pages_past_the_end_and_not_numbers_as_the_paginator_has_them(
    practice_with_history, practice_user, page_number
):
    Patient.objects.bulk_create(
        Patient(practice=practice_with_history, name=f"Patiënt {number:02d}")
        for number in range(40)
    )
    _assert_same(practice_with_history, page_number=page_number)


def test_another_day_moves_the_weeks(practice_with_history):
    for days_ahead in (1, 7, 8, 15):
        _assert_same(
            practice_with_history,
            today=timezone.localdate() + datetime.timedelta(days=days_ahead),
        )


def test_a_practice_without_patients(library, practice_user):
    practice = practice_user.therapist.practice
    assert _assert_same(practice) == []
    assert _assert_same(practice, text="anna", page_number=3) == []


def test_the_therapist_lookup_of_every_page_is_the_orms(library, practice_user):
    """practice_required asks selectors.therapist_of on every therapist page."""
    from django.contrib.auth import get_user_model

    from programs.models import Therapist

    admin = factories.make_therapist(factories.make_practice("Tweede"), "beheer", admin=True)
    nobody = get_user_model().objects.create_user("nobody", password="x" * 16)
    for user in (practice_user, admin, nobody):
        expected = Therapist.objects.select_related("practice").filter(user=user).first()
        found = selectors.therapist_of(user)
        if expected is None:
            assert found is None
            continue
        assert _fields(found) == _fields(expected)
        assert _fields(found.practice) == _fields(expected.practice)
    assert selectors.therapist_of(admin).is_practice_admin
