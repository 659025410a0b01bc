"""Today's plan on the phone through HTTP: exercises, ticks, the week, the cost."""

import datetime
import gzip
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from exercises.models import Exercise
from programs import links, services
from programs.models import ExerciseTick, PatientLink, ProgramRevision
from tests import factories

PLAN = "/plan/"


def _dutch_date(day) -> str:
    with translation.override("nl"):
        return dateformat.format(day, "l j F")


def _whole_back_program(make_program):
    """The back protocol with the gym exercises added: 21, published, started today."""
    program = make_program("back-rehabilitation")
    user = program.patient.access_log.first().user
    for exercise in Exercise.objects.filter(leaflet="back-rehabilitation").exclude(
        pk__in=program.items.values("exercise")
    ):
        services.program_add_exercise(program=program, exercise=exercise, user=user)
    program.start_date = timezone.localdate()
    program.save()
    factories.publish(program, user)
    return program


def tick(client, program, item, *, day=None, session=1, htmx=False, **extra):
    data = {
        "item": item.pk,
        "date": (day or timezone.localdate()).isoformat(),
        "session": session,
        **extra,
    }
    headers = {"HX-Request": "true", "HX-Target": f"tick-{item.pk}"} if htmx else {}
    return client.post(reverse("plan:tick"), data, headers=headers)


# Today's plan ------------------------------------------------------------------


def test_today_shows_only_exercises_for_this_weekday_with_the_sessions(client, started, link_for):
    today = timezone.localdate()
    not_today = "".join(d for d in "1234567" if d != str(today.isoweekday()))
    program = started()
    item_today, item_other = program.items.order_by("order")[:2]
    item_other.days = not_today
    item_other.save()
    item_today.times_per_day_min, item_today.times_per_day_max = 2, 3
    item_today.save()
    factories.publish(program, program.patient.access_log.first().user)
    _link, token = link_for(program.patient)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    assert item_today.exercise.title in text
    assert item_other.exercise.title not in text
    assert "2 tot 3 keer per dag" in text
    # Three session buttons, the third one within the range ("2 tot 3 keer").
    assert "Sessie 3" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def test_this_weeks_dose_grows_with_the_weekly_step(client, started, link_for):
    program = started(days_ago=7)  # week 2
    item = program.items.get(exercise__slug="amputation-strength-1")
    item.sets_min, item.reps_min, item.reps_max = 3, None, None
    item.progression, item.progression_start, item.progression_step = "reps", 7, 1
    item.progression_target = 10
    item.hold_min, item.hold_max, item.hold_unit = 3, None, "counts"
    item.rest_seconds_min = 30
    item.save()
    factories.publish(program, program.patient.access_log.first().user)
    _link, token = link_for(program.patient)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    assert "3 series van 8 herhalingen" in text
    assert "3 tellen vasthouden" in text
    assert "30 seconden rust tussen de series" in text
    week = client.get(reverse("plan:week")).content.decode()
    assert "deze week 3 x 8, volgende week 3 x 9" in week


def test_the_plan_follows_the_date_in_amsterdam(client, started, link_for, monkeypatch):
    program = started(days_ago=0)
    monday_late = datetime.datetime(2026, 11, 23, 23, 30, tzinfo=datetime.UTC)  # Tue 00:30 NL
    program.start_date = datetime.date(2026, 11, 23)
    program.save()
    factories.publish(program, program.patient.access_log.first().user)
    _link, token = link_for(program.patient)
    monkeypatch.setattr(timezone, "now", lambda: monday_late)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    assert "dinsdag 24 november" in text


def test_rules_and_precautions_are_on_the_plan(client, started, link_for):
    program = started("hip-replacement-posterolateral")
    _link, token = link_for(program.patient)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    snapshot = ProgramRevision.objects.get(program=program).content
    assert snapshot.precautions
    for line in snapshot.rules + snapshot.precautions:
        assert line.text in text.replace("&#x27;", "'").replace("&quot;", '"')


def test_before_the_start_and_after_the_end_the_plan_says_so(client, started, link_for):
    program = started(days_ago=-3)
    _link, token = link_for(program.patient)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    assert "begint op" in text
    program.start_date = timezone.localdate() - datetime.timedelta(weeks=10)
    program.save()
    factories.publish(program, program.patient.access_log.first().user)
    assert "afgelopen" in client.get(PLAN).content.decode()


# Ticks ---------------------------------------------------------------------


def test_ticking_saves_once_shows_done_and_can_be_undone(patient_client):
    program = patient_client.program
    item = program.items.order_by("order").first()
    first = tick(patient_client, program, item, pain="3", note="ging goed")
    assert first.status_code == 302
    assert first["Location"].startswith(PLAN)
    tick(patient_client, program, item, pain="3", note="ging goed")
    saved = ExerciseTick.objects.get()
    assert (saved.item_id, saved.pain, saved.note) == (item.pk, 3, "ging goed")

    text = patient_client.get(PLAN).content.decode()
    assert "Gedaan" in text and "pijn 3 van 10" in text
    assert "Ongedaan maken" in text

    undone = tick(patient_client, program, item, action="undo")
    assert undone.status_code == 302
    assert not ExerciseTick.objects.exists()


def test_an_htmx_tick_returns_the_ticked_exercise_and_the_progress(patient_client):
    program = patient_client.program
    item = program.items.order_by("order").first()
    response = tick(patient_client, program, item, htmx=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert f'id="tick-{item.pk}"' in text
    assert "✓ Gedaan" in text
    assert 'hx-swap-oob="true"' in text and "1 van 11 gedaan" in text
    overview = text[text.index('class="plan-overview"') :]
    assert overview.count("✓") == 1  # the overview follows the tick too
    assert "<html" not in text


def test_the_whole_session_can_be_ticked_at_once(patient_client):
    program = patient_client.program
    first = program.items.order_by("order").first()
    tick(patient_client, program, first, note="eerst")
    response = patient_client.post(
        reverse("plan:session_done"),
        {"date": timezone.localdate().isoformat(), "session": 1},
    )
    assert response.status_code == 302
    assert ExerciseTick.objects.count() == program.items.count()
    assert ExerciseTick.objects.get(item_id=first.pk).note == "eerst"  # kept


@pytest.mark.parametrize(
    "forged",
    [
        {"day": "three days ago"},
        {"day": "tomorrow"},
        {"pain": "11"},
        {"pain": "abc"},
        {"pain": "-1"},
        {"session": 7},
        {"item": "other patient"},
        {"item": "not a number"},
        {"note": "x" * 301},
    ],
)
def test_forged_ticks_are_refused_without_changing_anything(patient_client, started, forged):
    program = patient_client.program
    item = program.items.order_by("order").first()
    other = started(name="Bram").items.first()
    day = timezone.localdate()
    data = {"item": item.pk, "date": day.isoformat(), "session": 1}
    if forged.get("day") == "three days ago":
        data["date"] = (day - datetime.timedelta(days=3)).isoformat()
    elif forged.get("day") == "tomorrow":
        data["date"] = (day + datetime.timedelta(days=1)).isoformat()
    elif forged.get("item") == "other patient":
        data["item"] = other.pk
    elif forged.get("item"):
        data["item"] = forged["item"]
    else:
        data.update(forged)
    for headers in ({}, {"HX-Request": "true"}):
        response = patient_client.post(reverse("plan:tick"), data, headers=headers)
        assert response.status_code in (302, 422)
        if headers:
            assert response.status_code == 422
            assert response["HX-Retarget"] == "#plan-alert"
            assert response.content
    assert not ExerciseTick.objects.exists()


# Week view, language ------------------------------------------------------------


def test_the_week_view_shows_what_was_done_each_day(patient_client):
    """Anna's program started a week ago: today is the first day of program week 2."""
    program = patient_client.program
    for item in program.items.all():
        tick(patient_client, program, item)
    text = patient_client.get(reverse("plan:week")).content.decode()
    assert "vandaag" in text
    # Lying prone is twice a day, the other daily exercises once, and the seven
    # strength exercises (3 days a week, any days) count on the day they were done:
    # 11 of 12 sessions, the second round of lying prone still open.
    assert "11 van 12 oefeningen afgevinkt" in text
    # The week is the program's own: from today, seven days on.
    today = timezone.localdate()
    assert text.index(_dutch_date(today)) < text.index(
        _dutch_date(today + datetime.timedelta(days=6))
    )
    assert text.count("oefeningen gepland") == 6  # the days still to come
    assert text.count("op 1 van 3 dagen gedaan deze week") == 7


def test_the_language_is_chosen_per_link_and_remembered(patient_client):
    response = patient_client.post(reverse("plan:language"), {"language": "en", "next": PLAN})
    assert response.status_code == 302
    text = patient_client.get(PLAN).content.decode()
    assert 'lang="en"' in text and "Today" in text
    # Another phone with the same link opens in English too.
    link = PatientLink.objects.get(revoked_at__isnull=True)
    assert link.language == "en"
    assert 'lang="en"' in patient_client.get(reverse("plan:week")).content.decode()


# Cost ------------------------------------------------------------------------


def _query_counts(client, started, link_for, protocol: str, name: str) -> list[int]:
    program = started(protocol, name)
    client.cookies.clear()
    client.get(f"/p/{links.link_token(link_for(program.patient)[0])}/")
    counts = []
    for request in (
        lambda: client.get(PLAN),
        lambda: client.get(reverse("plan:week")),
        lambda: tick(client, program, program.items.first(), htmx=True),
        lambda: tick(client, program, program.items.first()),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert request().status_code in (200, 302)
        counts.append(len(queries))
    return counts


def test_plan_week_and_tick_run_a_fixed_number_of_queries(
    client, started, link_for, django_assert_max_num_queries
):
    short = _query_counts(client, started, link_for, "hip-osteoarthritis-home", "Kort")
    long = _query_counts(client, started, link_for, "knee-osteoarthritis", "Lang")
    assert short == long
    program = started("back-rehabilitation", "Els")
    client.get(f"/p/{links.link_token(link_for(program.patient)[0])}/")
    with django_assert_max_num_queries(4):  # link, the revision read once, ticks, photos
        client.get(PLAN)
    with django_assert_max_num_queries(2):  # the link with its revision's id, week's ticks
        client.get(reverse("plan:week"))
    with django_assert_max_num_queries(10):  # + the upsert and its savepoint
        tick(client, program, program.items.first(), htmx=True)


def test_the_plan_page_without_images_stays_under_60_kb(client, started, link_for, make_program):
    """The longest program (back, all 21 exercises, the gym's too): the page
    gzip-compressed as sent, CSS and JavaScript compressed as WhiteNoise serves them."""
    program = _whole_back_program(make_program)
    client.get(f"/p/{links.link_token(link_for(program.patient)[0])}/")
    response = client.get(PLAN, headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content)
    assert html.count(b'class="plan-card plan-exercise"') == 21
    assets = re.findall(rb'(?:src|href)="/static/([^"]+\.(?:js|css|webmanifest))"', html)
    assert any(a.endswith(b".js") for a in assets) and any(a.endswith(b".css") for a in assets)
    total = len(response.content)
    for asset in assets:
        path = finders.find(asset.decode())
        total += len(gzip.compress(Path(path).read_bytes()))
    assert total < 60 * 1024, total


def test_the_plan_can_sit_on_the_home_screen(patient_client):
    html = patient_client.get(PLAN).content.decode()
    href = re.search(r'<link rel="manifest" href="/static/([^"]+)"', html).group(1)
    manifest = json.loads(Path(finders.find(href)).read_text())
    assert manifest["start_url"] == PLAN and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert finders.find(str(Path(href).parent / icon["src"]))


def test_two_running_programs_share_one_plan(client, started, make_program, publish, link_for):
    amputation = started()
    knee = make_program("hip-osteoarthritis-home", patient=amputation.patient)
    knee.start_date = timezone.localdate()
    knee.save()
    publish(knee)
    _link, token = link_for(amputation.patient)
    with CaptureQueriesContext(connection) as queries:
        text = client.get(f"/p/{token}/", follow=True).content.decode()
    # The link twice (open, plan), revisions, ticks, photos; the access log's line
    # for the opened link (the chain's last hash, the insert, and on PostgreSQL its lock).
    assert len(queries) <= 8
    total = amputation.items.count() + knee.items.count()
    assert f"Vandaag: {total} oefeningen" in text
    assert "Beenamputatie, transtibiaal" in text and "Heupartrose, thuis oefenen" in text

    # A tick lands on the right program; the whole session ticks both.
    knee_item = knee.items.first()
    tick(client, knee, knee_item)
    assert ExerciseTick.objects.get().program == knee
    client.post(
        reverse("plan:session_done"),
        {"date": timezone.localdate().isoformat(), "session": 1},
    )
    assert ExerciseTick.objects.filter(program=knee).count() == knee.items.count()
    assert ExerciseTick.objects.filter(program=amputation).count() == amputation.items.count()

    week = client.get(reverse("plan:week")).content.decode()
    assert week.count('class="plan-program"') == 2

    # An archived program leaves the phone.
    services.program_archive(program=knee, user=knee.patient.access_log.first().user)
    assert "Heupartrose, thuis oefenen" not in client.get(PLAN).content.decode()


def test_the_phone_marks_default_doses_and_the_practices_own_rules(client, started, link_for):
    program = started("back-rehabilitation")
    _link, token = link_for(program.patient)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    # Every back exercise's dose is the app's default: each card says so.
    default = "De folder noemt voor deze oefening geen dosering: uw praktijk heeft die gekozen."
    assert text.count(default) == program.items.count()
    assert "Heeft u vragen? Neem dan contact op met uw fysiotherapeut. <span" in text
    assert "(advies van uw praktijk)" in text


@pytest.mark.parametrize(
    ("protocol", "reads", "not_reads"),
    [
        ("amputation-transtibial", "rolletje net boven de knie leggen", "uiteinde van de stomp"),
        (
            "amputation-transfemoral",
            "rolletje onder het uiteinde van de stomp leggen",
            "boven de knie",
        ),
    ],
)
def test_the_prone_lying_roll_is_the_line_for_the_patients_own_level(
    client, started, link_for, protocol, reads, not_reads
):
    program = started(protocol)
    prone = program.items.get(exercise__slug="amputation-mobility-1")
    _link, token = link_for(program.patient)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    card = text[text.index(f'id="oefening-{prone.pk}"') :]
    card = card[: card.index("</article>")]
    assert reads in card and not_reads not in card
    assert "Aangepast uit de folder, voor uw situatie." in card


def test_yesterday_can_be_ticked_afterwards_and_is_marked_so(patient_client):
    """A forgotten evening is not a missed one; three days back is too late."""
    program = patient_client.program
    item = program.items.get(exercise__slug="amputation-mobility-2")  # every day
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page = patient_client.get(PLAN).content.decode()
    assert f'href="?dag={yesterday.isoformat()}"' in page  # "Forgot to tick off?"
    past = patient_client.get(f"{PLAN}?dag={yesterday.isoformat()}").content.decode()
    assert "U vinkt" in past and f'name="date" value="{yesterday.isoformat()}"' in past
    response = tick(patient_client, program, item, day=yesterday)
    assert response.status_code == 302 and f"dag={yesterday.isoformat()}" in response["Location"]
    saved = ExerciseTick.objects.get()
    assert (saved.date, saved.source) == (yesterday, "later")
    assert (
        "(later toegevoegd)"
        in patient_client.get(f"{PLAN}?dag={yesterday.isoformat()}").content.decode()
    )
    too_late = tick(
        patient_client,
        program,
        item,
        day=timezone.localdate() - datetime.timedelta(days=3),
        htmx=True,
    )
    assert too_late.status_code == 422
    assert ExerciseTick.objects.count() == 1
    # A day too far back asked for in the address shows today instead.
    old = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    assert "U vinkt" not in patient_client.get(f"{PLAN}?dag={old}").content.decode()
