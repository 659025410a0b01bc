"""The program editor through HTTP, including the htmx partials; practice walls."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from exercises.models import Exercise
from programs.models import AccessLogEntry, Patient, Program, ProgramItem
from tests.factories import make_practice, make_therapist, sign_in

HTMX = {"HX-Request": "true"}


def _item(program, slug) -> ProgramItem:
    return program.items.get(exercise__slug=slug)


def _dose_data(item: ProgramItem, **changes) -> dict:
    data = {
        "sets_min": item.sets_min or "",
        "reps_min": item.reps_min or "",
        "hold_min": item.hold_min or "",
        "hold_unit": item.hold_unit,
        "rest_seconds_min": item.rest_seconds_min or "",
        "duration_minutes": item.duration_minutes or "",
        "progression": item.progression,
        "progression_start": item.progression_start or "",
        "progression_step": item.progression_step or "",
        "progression_target": item.progression_target or "",
        "times_per_day_min": item.times_per_day_min or "",
        "days_per_week_min": item.days_per_week_min or "",
        "days": list(item.days),
        "note": item.note,
    }
    data.update(changes)
    return data


def _update_url(item) -> str:
    return reverse("therapist:program_item_update", args=[item.program_id, item.pk])


def test_start_program_from_protocol_and_end_before_start(practice_client, practice, library):
    patient = Patient.objects.create(practice=practice, name="Anna")
    url = patient.get_absolute_url()
    start = timezone.localdate() + datetime.timedelta(days=1)  # start dates lie near today
    response = practice_client.post(
        url,
        {
            "protocol": "amputation-transfemoral",
            "start_date": start.isoformat(),
            "end_date": (start - datetime.timedelta(days=22)).isoformat(),
            "affected_side": "left",
        },
    )
    assert response.status_code == 400
    assert "Het programma eindigt voordat het begint." in response.content.decode()
    assert not Program.objects.exists()
    response = practice_client.post(
        url,
        {
            "protocol": "amputation-transfemoral",
            "start_date": start.isoformat(),
            "affected_side": "left",
        },
    )
    program = Program.objects.get()
    assert response.url == program.get_absolute_url()
    assert (program.weeks, program.variant_id, program.items.count()) == (6, "transfemoral", 6)


def test_dose_is_edited_inline_through_htmx(practice_client, make_program):
    program = make_program()
    item = _item(program, "amputation-strength-1")
    response = practice_client.post(
        _update_url(item), _dose_data(item, reps_min=12, note="Rustig aan"), headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="item-{item.pk}"') and "<html" not in html
    assert "Opgeslagen" in html
    item.refresh_from_db()
    assert (item.reps_min, item.note) == (12, "Rustig aan")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sets_min", "0", "minstens 1 is"),
        ("reps_min", "500", "100 is"),
        ("hold_min", "7200", "600 is"),
        ("sets_min", "abc", "geheel getal"),
        ("rest_seconds_min", "-5", "minstens"),
        # No fixed days and no weekly target: when would the patient do it?
        ("days", [], "Kies minstens één dag van de week."),
        ("progression_target", "2", "Het doel ligt lager dan de start."),
    ],
)
def test_bad_doses_are_refused_next_to_the_field_and_nothing_is_lost(
    practice_client, make_program, field, value, message
):
    program = make_program()
    item = _item(program, "amputation-strength-4")
    before = ProgramItem.objects.values().get(pk=item.pk)
    data = _dose_data(item, **{field: value})
    if field == "days":
        data["days_per_week_min"] = ""
    if field == "progression_target":
        data.update(progression="reps", progression_start="5", progression_step="1")
    response = practice_client.post(_update_url(item), data, headers=HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert ProgramItem.objects.values().get(pk=item.pk) == before


def test_reorder_remove_and_add(practice_client, make_program):
    program = make_program("amputation-transfemoral")
    first, second = program.items.order_by("order")[:2]
    url = reverse("therapist:program_item_up", args=[program.pk, second.pk])
    response = practice_client.post(url, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<ol id="program-items"')
    assert [i.pk for i in program.items.order_by("order")][:2] == [second.pk, first.pk]

    practice_client.post(reverse("therapist:program_item_remove", args=[program.pk, first.pk]))
    assert not program.items.filter(pk=first.pk).exists()

    exercise = Exercise.objects.get(slug="amputation-strength-5")  # transtibial only
    response = practice_client.post(
        reverse("therapist:program_add_exercise", args=[program.pk]),
        {"exercise": exercise.pk},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "Krachtoefening voorkant van het been" in html
    assert "Deze oefening is niet bedoeld voor Transfemoraal (bovenbeen)." in html
    added = _item(program, "amputation-strength-5")
    assert added.sets_min == 3 and added.reps_min == 10  # the leaflet's dose

    keep = reverse("therapist:program_item_keep", args=[program.pk, added.pk])
    refused = practice_client.post(keep, {f"keep-{added.pk}-reason": ""}, headers=HTMX)
    assert refused.status_code == 422  # keeping needs a reason
    practice_client.post(
        keep, {f"keep-{added.pk}-reason": "Knie stabiel, onder begeleiding"}, headers=HTMX
    )
    added.refresh_from_db()
    assert added.warnings_kept == ["Deze oefening is niet bedoeld voor Transfemoraal (bovenbeen)."]
    assert added.warnings_kept_by.username == "tess"
    editor = practice_client.get(program.get_absolute_url()).content.decode()
    assert "Toch behouden door tess" in editor
    assert "Knie stabiel, onder begeleiding" in editor


def test_anterior_program_warns_on_hip_exercise_4_and_on_doses_outside_the_leaflet(
    practice_client, make_program
):
    program = make_program("hip-replacement-anterior")
    practice_client.post(
        reverse("therapist:program_add_exercise", args=[program.pk]),
        {"exercise": Exercise.objects.get(slug="hip-replacement-4").pk},
    )
    editor = practice_client.get(program.get_absolute_url()).content.decode()
    assert "Deze oefening is niet bedoeld voor Voorste (ventrale) benadering." in editor
    item = _item(program, "hip-replacement-1")
    response = practice_client.post(_update_url(item), _dose_data(item, sets_min=8), headers=HTMX)
    assert "Series buiten het bereik van de folder (3)." in response.content.decode()


def test_publishing_freezes_a_numbered_revision(practice_client, make_program):
    program = make_program()
    practice_client.post(reverse("therapist:program_publish", args=[program.pk]))
    revision = program.revisions.get()
    assert revision.number == 1
    frozen = revision.snapshot
    item = _item(program, "amputation-strength-1")
    practice_client.post(_update_url(item), _dose_data(item, reps_min=15))
    revision.refresh_from_db()
    assert revision.snapshot == frozen
    assert [i for i in frozen["items"] if i["exercise"]["slug"] == "amputation-strength-1"][0][
        "dose"
    ]["reps_min"] == 10
    program.refresh_from_db()
    assert program.has_draft_changes
    preview = practice_client.get(reverse("therapist:program_preview", args=[program.pk]))
    assert "3 series van 10 herhalingen" in preview.content.decode()
    # 15 is above the leaflet's 10: publishing asks for the reason first.
    publish = reverse("therapist:program_publish", args=[program.pk])
    review = practice_client.get(publish).content.decode()
    assert "Gewijzigd:</strong> Krachtoefening zijkant" in review
    assert "Herhalingen buiten het bereik van de folder (10)." in review
    refused = practice_client.post(publish)
    assert refused.status_code == 400 and program.revisions.count() == 1
    practice_client.post(publish, {f"reason-{item.pk}": "Sterk genoeg na revalidatie"})
    assert list(program.revisions.values_list("number", flat=True)) == [2, 1]
    item.refresh_from_db()
    assert (item.warnings_kept_reason, item.warnings_kept_by.username) == (
        "Sterk genoeg na revalidatie",
        "tess",
    )
    preview = practice_client.get(reverse("therapist:program_preview", args=[program.pk]))
    assert "3 series van 15 herhalingen" in preview.content.decode()


def test_empty_program_cannot_be_published(practice_client, make_program):
    program = make_program("hip-osteoarthritis-home")
    for item in program.items.all():
        practice_client.post(reverse("therapist:program_item_remove", args=[program.pk, item.pk]))
    response = practice_client.post(
        reverse("therapist:program_publish", args=[program.pk]), follow=True
    )
    assert "minstens één oefening" in response.content.decode()
    assert not program.revisions.exists()


def test_copy_and_archive(practice_client, make_program, practice):
    program = make_program()
    other = Patient.objects.create(practice=practice, name="Bram")
    practice_client.post(
        reverse("therapist:program_copy", args=[program.pk]), {"patient": other.pk}
    )
    copy = other.programs.get()
    assert copy.items.count() == program.items.count()
    practice_client.post(reverse("therapist:program_archive", args=[program.pk]))
    program.refresh_from_db()
    assert program.archived_at is not None
    page = practice_client.get(program.patient.get_absolute_url()).content.decode()
    assert "gearchiveerd" in page


def test_start_date_and_length_can_be_changed_and_bad_input_is_kept(practice_client, make_program):
    program = make_program()
    program.has_draft_changes = False
    program.save()
    bad = practice_client.post(program.get_absolute_url(), {"start_date": "", "weeks": "60"})
    assert bad.status_code == 400
    assert 'name="weeks" value="60"' in bad.content.decode()
    program.refresh_from_db()
    assert (program.start_date, program.weeks) == (datetime.date(2026, 11, 23), 6)

    new_start = timezone.localdate() + datetime.timedelta(days=14)  # near today, as asked
    good = practice_client.post(
        program.get_absolute_url(), {"start_date": new_start.isoformat(), "weeks": "8"}
    )
    assert good.status_code == 302
    program.refresh_from_db()
    assert (program.start_date, program.weeks) == (new_start, 8)
    assert program.has_draft_changes  # the patient sees it once published
    assert AccessLogEntry.objects.filter(detail=f"schedule {new_start.isoformat()} 8w").exists()


def test_another_practice_gets_404_on_every_url(client, make_program):
    program = make_program()
    item = program.items.first()
    patient = program.patient
    stranger = make_therapist(make_practice("Fysio Zuid"), "zara")
    sign_in(client, stranger)
    gets = [
        patient.get_absolute_url(),
        program.get_absolute_url(),
        reverse("therapist:program_preview", args=[program.pk]),
        reverse("therapist:handout_pdf", args=[program.pk]),
        reverse("therapist:handout_print", args=[program.pk]),
        reverse("therapist:program_copy", args=[program.pk]),
    ]
    posts = [
        (
            patient.get_absolute_url(),
            {"protocol": "back-rehabilitation", "start_date": "2026-11-23"},
        ),
        (_update_url(item), _dose_data(item)),
        (reverse("therapist:program_item_remove", args=[program.pk, item.pk]), {}),
        (reverse("therapist:program_item_up", args=[program.pk, item.pk]), {}),
        (reverse("therapist:program_item_keep", args=[program.pk, item.pk]), {}),
        (reverse("therapist:program_add_exercise", args=[program.pk]), {"exercise": 1}),
        (reverse("therapist:program_publish", args=[program.pk]), {}),
        (reverse("therapist:program_copy", args=[program.pk]), {"patient": patient.pk}),
        (reverse("therapist:program_archive", args=[program.pk]), {}),
        (program.get_absolute_url(), {"start_date": "2026-12-01", "weeks": 3}),
        (reverse("therapist:patient_link_create", args=[patient.pk]), {}),
        (reverse("therapist:patient_link_revoke", args=[patient.pk]), {}),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert program.items.filter(pk=item.pk).exists()
    assert not program.revisions.exists()
    assert "Anna" not in client.get(reverse("therapist:patient_list")).content.decode()


def test_tampered_ids_pointing_at_another_practice_are_refused(practice_client, make_program):
    program = make_program()
    foreign = make_program("back-rehabilitation", name="Xena")
    foreign.patient.practice = make_practice("Fysio Oost")
    foreign.patient.save()
    foreign_item = foreign.items.first()
    url = reverse("therapist:program_item_update", args=[program.pk, foreign_item.pk])
    assert practice_client.post(url, _dose_data(foreign_item), headers=HTMX).status_code == 404
    copy = practice_client.post(
        reverse("therapist:program_copy", args=[program.pk]), {"patient": foreign.patient.pk}
    )
    assert copy.status_code == 404
    assert foreign.patient.programs.count() == 1


def test_access_log_records_views_and_changes_and_admins_read_it(
    practice_client, make_program, client, practice
):
    program = make_program()
    practice_client.get(program.patient.get_absolute_url())
    practice_client.get(program.get_absolute_url())
    actions = list(
        AccessLogEntry.objects.filter(patient=program.patient).values_list("action", flat=True)
    )
    assert actions.count("view") == 2 and "create" in actions
    patient_list = practice_client.get(reverse("therapist:patient_list")).content.decode()
    assert f'href="{reverse("therapist:access_log")}"' in patient_list
    page = practice_client.get(reverse("therapist:access_log")).content.decode()
    assert "Anna" in page and "tess" in page
    colleague = make_therapist(practice, "piet")
    sign_in(client, colleague)
    assert client.get(reverse("therapist:access_log")).status_code == 404
    assert (
        reverse("therapist:access_log")
        not in client.get(reverse("therapist:patient_list")).content.decode()
    )


def test_editor_and_patient_list_run_a_fixed_number_of_queries(
    practice_client, make_program, practice, django_assert_max_num_queries
):
    small = make_program("hip-osteoarthritis-home")
    large = make_program("back-rehabilitation", name="Bea")
    # The access log's line for each page is in these figures: the chain's last
    # hash and the insert, and on PostgreSQL the lock that orders the chain.
    for program in (small, large):
        with django_assert_max_num_queries(21):
            assert practice_client.get(program.get_absolute_url()).status_code == 200
    Patient.objects.bulk_create(Patient(practice=practice, name=f"P{n}") for n in range(300))
    with django_assert_max_num_queries(9):
        assert practice_client.get(reverse("therapist:patient_list")).status_code == 200


def test_program_start_date_type(make_program):
    assert make_program().start_date == datetime.date(2026, 11, 23)


@pytest.mark.parametrize("value", ["abc", "", "1.5", "-3", "0", str(2**70)])
def test_ids_that_are_not_record_numbers_are_a_404_not_an_error(
    practice_client, make_program, value
):
    program = make_program()
    copy = reverse("therapist:program_copy", args=[program.pk])
    add = reverse("therapist:program_add_exercise", args=[program.pk])
    assert practice_client.post(copy, {"patient": value}).status_code == 404
    assert practice_client.post(add, {"exercise": value}).status_code == 404
    assert program.items.count() == 11 and Program.objects.count() == 1


@pytest.mark.parametrize("note", ["Goed zo 💪", "Rustig aan 👍🏽 en \U0001f9b5"])
def test_a_note_the_handout_cannot_print_is_refused_with_the_characters_named(
    practice_client, make_program, note
):
    """An emoji is not in the handout's font: it would print as an empty box."""
    program = make_program()
    item = _item(program, "amputation-strength-4")
    before = ProgramItem.objects.values().get(pk=item.pk)
    response = practice_client.post(_update_url(item), _dose_data(item, note=note), headers=HTMX)
    assert response.status_code == 422
    text = response.content.decode()
    assert "Deze tekens kunnen niet op de folder worden afgedrukt" in text
    assert "💪" in text or "👍" in text  # the character is named
    assert note in text  # and what the therapist typed is kept in the field
    assert ProgramItem.objects.values().get(pk=item.pk) == before
    # Dutch letters, dashes and the degree sign do print: they are accepted.
    fine = "Knieën 90° – café, rustig ademen…"
    response = practice_client.post(_update_url(item), _dose_data(item, note=fine), headers=HTMX)
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.note == fine
