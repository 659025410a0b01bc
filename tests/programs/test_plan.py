"""The patient's phone plan through HTTP: the link, today's plan, ticks, the week."""

import datetime
import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs import links, services
from programs.models import ExerciseTick, PatientLink, ProgramRevision
from tests.programs.conftest import make_practice, make_therapist

PLAN = "/plan/"


@pytest.fixture
def publish(practice_user):
    def publish(program, **changes):
        if changes:
            program.items.update(**changes)
        services.program_publish(program=program, user=practice_user)
        return program

    return publish


@pytest.fixture
def started(make_program, publish):
    """Anna's transtibial program, started a week ago (so today is in week 2), published."""

    def started(protocol="amputation-transtibial", name="Anna", days_ago=7, **changes):
        program = make_program(protocol, name)
        program.start_date = timezone.localdate() - datetime.timedelta(days=days_ago)
        program.save()
        return publish(program, **changes)

    return started


@pytest.fixture
def link_for(practice_user):
    def link_for(patient, **kwargs):
        link = links.patient_link_create(patient=patient, user=practice_user, **kwargs)
        return link, links.link_token(link)

    return link_for


@pytest.fixture
def patient_client(client, started, link_for):
    """A phone that opened Anna's link."""
    program = started()
    _link, token = link_for(program.patient)
    response = client.get(f"/p/{token}/")
    assert response.status_code == 302
    client.program = program
    return client


def tick(client, program, item, *, day=None, session=1, htmx=False, **extra):
    data = {
        "item": item.pk,
        "date": (day or timezone.localdate()).isoformat(),
        "session": session,
        **extra,
    }
    headers = {"HX-Request": "true", "HX-Target": f"tick-{item.pk}"} if htmx else {}
    return client.post(reverse("programs:plan_tick"), data, headers=headers)


# The link ------------------------------------------------------------------


def test_link_token_is_long_random_and_stored_only_as_a_hash(started, link_for):
    program = started()
    link, token = link_for(program.patient)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)  # 22 x 6 = 132 bits
    stored = PatientLink.objects.filter(pk=link.pk).values().get()
    assert token not in str(stored)
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    other, other_token = link_for(program.patient)
    assert other_token != token


def test_opening_the_link_sets_a_cookie_and_redirects_to_a_clean_url(client, started, link_for):
    program = started()
    _link, token = link_for(program.patient)
    response = client.get(f"/p/{token}/")
    assert response.status_code == 302
    assert response["Location"] == PLAN
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    cookie = response.cookies["oefenplan_plan"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert token not in cookie.value

    page = client.get(PLAN)
    assert page.status_code == 200
    # A clean address: same-origin keeps form posts' Origin header for CSRF.
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "Anna" in text
    assert "Ligging op de buik" in text or "Buikligging" in text


def test_the_plan_shows_the_first_name_only(client, started, link_for):
    program = started("back-rehabilitation")
    program.patient.reference = "DOSSIER-4711"
    program.patient.save()
    _link, token = link_for(program.patient)
    page = client.get(f"/p/{token}/", follow=True).content.decode()
    assert "Anna" in page
    assert "DOSSIER-4711" not in page


def _error_page(response):
    """The page without its CSRF tokens, which differ per response."""
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())


def test_wrong_revoked_and_expired_links_get_the_same_friendly_page(
    client, started, link_for, practice_user
):
    program = started()
    wrong = client.get("/p/" + "A" * 22 + "/")
    assert wrong.status_code == 404
    assert wrong["Referrer-Policy"] == "no-referrer"
    assert "contact" in wrong.content.decode().lower()
    assert "Traceback" not in wrong.content.decode()

    revoked_link, revoked = link_for(program.patient)
    links.patient_link_revoke(patient=program.patient, user=practice_user)
    _expired_link, expired = link_for(
        program.patient, expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    for token in (revoked, expired, "short", "x" * 200):
        response = client.get(f"/p/{token}/")
        assert response.status_code == 404
        assert _error_page(response) == _error_page(wrong)
        assert (
            "oefenplan_plan" not in response.cookies or not response.cookies["oefenplan_plan"].value
        )


def test_repeated_wrong_guesses_from_one_address_are_refused(client, started, link_for, settings):
    program = started()
    _link, token = link_for(program.patient)
    for _ in range(settings.PATIENT_LINK_MAX_GUESSES):
        assert client.get("/p/" + "B" * 22 + "/").status_code == 404
    blocked = client.get(f"/p/{token}/")  # even the right link, from this address
    assert blocked.status_code == 429
    assert "too many" in blocked.content.decode().lower() or "te veel" in blocked.content.decode()
    other_address = client.get(f"/p/{token}/", REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 302


def test_behind_a_proxy_guesses_are_counted_per_forwarded_address(
    client, started, link_for, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    program = started()
    _link, token = link_for(program.patient)
    guesser = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "REMOTE_ADDR": "10.0.0.2"}
    for _ in range(settings.PATIENT_LINK_MAX_GUESSES):
        client.get("/p/" + "C" * 22 + "/", **guesser)
    assert client.get(f"/p/{token}/", **guesser).status_code == 429
    # Another patient behind the same proxy is not locked out with the guesser...
    patient = {"HTTP_X_FORWARDED_FOR": "198.51.100.4", "REMOTE_ADDR": "10.0.0.2"}
    assert client.get(f"/p/{token}/", **patient).status_code == 302
    # ...and a forged header cannot dodge the proxy's own, rightmost entry.
    forged = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9", "REMOTE_ADDR": "10.0.0.2"}
    assert client.get(f"/p/{token}/", **forged).status_code == 429


def test_a_revoked_link_stops_working_at_once_also_in_an_open_page(patient_client, practice_user):
    program = patient_client.program
    item = program.items.first()
    assert patient_client.get(PLAN).status_code == 200
    links.patient_link_revoke(patient=program.patient, user=practice_user)

    assert patient_client.get(PLAN).status_code == 404
    htmx = tick(patient_client, program, item, htmx=True)
    assert htmx.status_code == 403
    assert htmx["HX-Refresh"] == "true"
    plain = tick(patient_client, program, item)
    assert plain.status_code == 404
    assert not ExerciseTick.objects.exists()


def test_no_cookie_or_a_forged_cookie_gets_the_error_page(client, started, link_for):
    program = started()
    link, _token = link_for(program.patient)
    assert client.get(PLAN).status_code == 404
    client.cookies["oefenplan_plan"] = str(link.pk)  # unsigned: refused
    assert client.get(PLAN).status_code == 404


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
    services.program_publish(program=program, user=program.patient.access_log.first().user)
    _link, token = link_for(program.patient)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    assert item_today.exercise.title in text
    assert item_other.exercise.title not in text
    assert "2 tot 3 keer per dag" in text
    assert "Sessie 3" in text


def test_this_weeks_dose_grows_with_the_weekly_step(client, started, link_for):
    program = started(days_ago=7)  # week 2
    item = program.items.get(exercise__slug="amputation-strength-1")
    item.sets_min, item.reps_min, item.reps_max, item.reps_step_per_week = 3, 7, 10, 1
    item.hold_min, item.hold_max, item.hold_unit = 3, None, "counts"
    item.rest_seconds_min = 30
    item.save()
    services.program_publish(program=program, user=program.patient.access_log.first().user)
    _link, token = link_for(program.patient)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    assert "3 series van 8 herhalingen" in text
    assert "3 tellen vasthouden" in text
    assert "30 seconden rust tussen de series" in text
    week = client.get(reverse("programs:plan_week")).content.decode()
    assert "deze week 3 x 8, volgende week 3 x 9" in week


def test_the_plan_follows_the_date_in_amsterdam(client, started, link_for, monkeypatch):
    program = started(days_ago=0)
    monday_late = datetime.datetime(2026, 11, 23, 23, 30, tzinfo=datetime.UTC)  # Tue 00:30 NL
    program.start_date = datetime.date(2026, 11, 23)
    program.save()
    services.program_publish(program=program, user=program.patient.access_log.first().user)
    _link, token = link_for(program.patient)
    monkeypatch.setattr(timezone, "now", lambda: monday_late)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    assert "dinsdag 24 november" in text


def test_rules_and_precautions_are_on_the_plan(client, started, link_for):
    program = started("hip-replacement-posterolateral")
    _link, token = link_for(program.patient)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    snapshot = ProgramRevision.objects.get(program=program).snapshot
    assert snapshot["precautions"]
    for line in snapshot["rules"] + snapshot["precautions"]:
        assert line["text"] in text.replace("&#x27;", "'").replace("&quot;", '"')


def test_before_the_start_and_after_the_end_the_plan_says_so(client, started, link_for):
    program = started(days_ago=-3)
    _link, token = link_for(program.patient)
    text = client.get(f"/p/{token}/", follow=True).content.decode()
    assert "begint op" in text
    program.start_date = timezone.localdate() - datetime.timedelta(weeks=10)
    program.save()
    services.program_publish(program=program, user=program.patient.access_log.first().user)
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
        reverse("programs:plan_session_done"),
        {"date": timezone.localdate().isoformat(), "session": 1},
    )
    assert response.status_code == 302
    assert ExerciseTick.objects.count() == program.items.count()
    assert ExerciseTick.objects.get(item_id=first.pk).note == "eerst"  # kept


@pytest.mark.parametrize(
    "forged",
    [
        {"day": "yesterday"},
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
    if forged.get("day") == "yesterday":
        data["date"] = (day - datetime.timedelta(days=1)).isoformat()
    elif forged.get("day") == "tomorrow":
        data["date"] = (day + datetime.timedelta(days=1)).isoformat()
    elif forged.get("item") == "other patient":
        data["item"] = other.pk
    elif forged.get("item"):
        data["item"] = forged["item"]
    else:
        data.update(forged)
    for headers in ({}, {"HX-Request": "true"}):
        response = patient_client.post(reverse("programs:plan_tick"), data, headers=headers)
        assert response.status_code in (302, 422)
        if headers:
            assert response.status_code == 422
            assert response["HX-Retarget"] == "#plan-alert"
            assert response.content
    assert not ExerciseTick.objects.exists()


# Week view, language ------------------------------------------------------------


def test_the_week_view_shows_what_was_done_each_day(patient_client):
    program = patient_client.program
    for item in program.items.all():
        tick(patient_client, program, item)
    text = patient_client.get(reverse("programs:plan_week")).content.decode()
    assert "vandaag" in text
    # Lying prone is twice a day in this leaflet, the others once: 12 ticks,
    # and the second session is still open.
    assert "11 van 12 oefeningen afgevinkt" in text
    assert "1 van 2 sessies gedaan" in text
    assert text.count("0 van 2 sessies gedaan") == 6


def test_the_language_is_chosen_per_link_and_remembered(patient_client):
    response = patient_client.post(
        reverse("programs:plan_language"), {"language": "en", "next": PLAN}
    )
    assert response.status_code == 302
    text = patient_client.get(PLAN).content.decode()
    assert 'lang="en"' in text and "Today" in text
    # Another phone with the same link opens in English too.
    link = PatientLink.objects.get(revoked_at__isnull=True)
    assert link.language == "en"
    assert 'lang="en"' in patient_client.get(reverse("programs:plan_week")).content.decode()


# The therapist's side ---------------------------------------------------------


def test_the_patient_page_shows_the_link_qr_adherence_and_pain(
    patient_client,
    practice_user,
):
    program = patient_client.program
    item = program.items.order_by("order").first()
    tick(patient_client, program, item, pain="6", note="stomp deed pijn")
    therapist = Client()
    therapist.force_login(practice_user)
    text = therapist.get(program.patient.get_absolute_url()).content.decode()
    assert "pijn 6 van 10" in text and "stomp deed pijn" in text
    assert re.search(r"<svg[^>]*qr-code", text)
    token = links.link_token(PatientLink.objects.get(revoked_at__isnull=True))
    assert f"/p/{token}/" in text
    assert "Sessies gedaan van sessies gepland" in text


def test_the_therapist_makes_and_revokes_links_for_own_patients_only(
    practice_client,
    started,
    django_user_model,
):
    program = started()
    patient = program.patient
    made = practice_client.post(reverse("programs:patient_link_create", args=[patient.pk]))
    assert made.status_code == 302
    link = PatientLink.objects.get()
    assert link.revoked_at is None
    practice_client.post(reverse("programs:patient_link_revoke", args=[patient.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None

    stranger = Client()
    stranger.force_login(make_therapist(django_user_model, make_practice("Elders"), "otto"))
    for name in ("patient_link_create", "patient_link_revoke"):
        assert stranger.post(reverse(f"programs:{name}", args=[patient.pk])).status_code == 404
    assert PatientLink.objects.count() == 1


# Cost ------------------------------------------------------------------------


def _query_counts(client, started, link_for, protocol: str, name: str) -> list[int]:
    program = started(protocol, name)
    client.cookies.clear()
    client.get(f"/p/{links.link_token(link_for(program.patient)[0])}/")
    counts = []
    for request in (
        lambda: client.get(PLAN),
        lambda: client.get(reverse("programs:plan_week")),
        lambda: tick(client, program, program.items.last(), htmx=True),
        lambda: tick(client, program, program.items.last()),
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
    with django_assert_max_num_queries(4):  # link, revision, ticks, photos
        client.get(PLAN)
    with django_assert_max_num_queries(3):  # link, revision, week's ticks
        client.get(reverse("programs:plan_week"))
    with django_assert_max_num_queries(10):  # + the upsert and its savepoint
        tick(client, program, program.items.first(), htmx=True)


def test_the_plan_page_without_images_stays_under_60_kb(client, started, link_for):
    """The longest program (back, 21 exercises): the page gzip-compressed as sent,
    CSS and JavaScript compressed as WhiteNoise serves them in production."""
    program = started("back-rehabilitation")
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


def test_the_patient_page_runs_the_same_queries_for_one_or_many_programs_and_ticks(
    practice_client, make_program, publish, practice_user
):
    def page_queries(patient) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert practice_client.get(patient.get_absolute_url()).status_code == 200
        return len(queries)

    one = publish(make_program("hip-osteoarthritis-home", "Een"))
    links.patient_link_create(patient=one.patient, user=practice_user)
    many = publish(make_program("knee-osteoarthritis", "Veel"))
    for protocol in ("back-rehabilitation", "hip-osteoarthritis"):
        publish(make_program(protocol, patient=many.patient))
    for program in many.patient.programs.all():
        for item in program.items.all():
            services.tick_save(
                program=program,
                item_id=item.pk,
                day=timezone.localdate(),
                session=1,
                pain=2,
                note="",
            )
    links.patient_link_create(patient=many.patient, user=practice_user)
    assert page_queries(one.patient) == page_queries(many.patient)


def test_two_running_programs_share_one_plan(client, started, make_program, publish, link_for):
    amputation = started()
    knee = make_program("hip-osteoarthritis-home", patient=amputation.patient)
    knee.start_date = timezone.localdate()
    knee.save()
    publish(knee)
    _link, token = link_for(amputation.patient)
    with CaptureQueriesContext(connection) as queries:
        text = client.get(f"/p/{token}/", follow=True).content.decode()
    assert len(queries) <= 5  # the link twice (open, plan), revisions, ticks, photos
    total = amputation.items.count() + knee.items.count()
    assert f"Vandaag: {total} oefeningen" in text
    assert "Beenamputatie, transtibiaal" in text and "Heupartrose, thuis oefenen" in text

    # A tick lands on the right program; the whole session ticks both.
    knee_item = knee.items.first()
    tick(client, knee, knee_item)
    assert ExerciseTick.objects.get().program == knee
    client.post(
        reverse("programs:plan_session_done"),
        {"date": timezone.localdate().isoformat(), "session": 1},
    )
    assert ExerciseTick.objects.filter(program=knee).count() == knee.items.count()
    assert ExerciseTick.objects.filter(program=amputation).count() == amputation.items.count()

    week = client.get(reverse("programs:plan_week")).content.decode()
    assert week.count('class="plan-program"') == 2

    # An archived program leaves the phone.
    services.program_archive(program=knee, user=knee.patient.access_log.first().user)
    assert "Heupartrose, thuis oefenen" not in client.get(PLAN).content.decode()
