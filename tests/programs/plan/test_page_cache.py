"""The plan page from its cached skeleton: the same HTML as rendered whole, and
nothing stale (a new publish, a revoked link, a photo change show at once)."""

import contextlib
import datetime
import io
import pickle
import re

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time
from PIL import Image

from exercises import library_version
from exercises.photos import prepare_photo
from exercises.services import exercise_photo_add
from programs import links
from tests import factories

PLAN = "/plan/"
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
TODAY = datetime.date(2026, 12, 2)  # a Wednesday, in week 2 of both programs


def _html(response) -> str:
    """The page with its CSRF tokens (masked differently on every response) made equal."""
    assert response.status_code == 200
    return CSRF.sub(r"\1-", response.content.decode())


def _forget_pages() -> None:
    caches["plan_local"].clear()
    if "plan_shared" in caches.settings:
        caches["plan_shared"].clear()


def _three_ways(client, settings, url: str) -> list[str]:
    """The page rendered whole (no cache), from a cold cache, and from a warm one."""
    settings.PLAN_PAGE_CACHE = False
    whole = _html(client.get(url))
    settings.PLAN_PAGE_CACHE = True
    _forget_pages()
    cold = _html(client.get(url))
    warm = _html(client.get(url))
    return [whole, cold, warm]


@pytest.fixture
def phone(client, practice_user, library):
    """Anna's phone, on TODAY, with two running programs (transtibial and hip at home)."""
    with freeze_time("2026-12-02 10:00:00"):
        program = factories.make_program(
            practice_user,
            "amputation-transtibial",
            "Anna",
            start_date=TODAY - datetime.timedelta(7),
        )
        factories.publish(program, practice_user)
        other = factories.make_program(
            practice_user,
            "hip-osteoarthritis-home",
            patient=program.patient,
            start_date=TODAY - datetime.timedelta(9),
        )
        factories.publish(other, practice_user)
        link, token = factories.make_link(program.patient, practice_user)
        client.get(f"/p/{token}/")
        client.program, client.other, client.link = program, other, link
        yield client


def _tick(client, item, day=TODAY, **fields):
    data = {"item": item.pk, "date": day.isoformat(), "session": 1, "action": "done", **fields}
    response = client.post(reverse("plan:tick"), data, headers={"HX-Request": "true"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url", [PLAN, f"{PLAN}?sessie=2", f"{PLAN}?dag=2026-12-01"], ids=["today", "session 2", "past"]
)
def test_the_cached_page_is_the_page_rendered_whole(phone, settings, url):
    items = list(phone.program.items.all())
    whole, cold, warm = _three_ways(phone, settings, url)
    assert whole == cold == warm
    assert "\x00" not in warm
    day = datetime.date(2026, 12, 1) if "dag" in url else TODAY
    _tick(phone, items[0], day)
    _tick(phone, items[1], day, action="save", pain="8", note="Zeer <b>na</b> de oefening")
    _tick(phone, items[2], day, action="save", pain="2")
    _tick(phone, items[3], day - datetime.timedelta(days=1))
    # A weekly exercise done the day before rests today: the page changes shape.
    _tick(phone, phone.other.items.first(), day - datetime.timedelta(days=1))
    ticked = _three_ways(phone, settings, url)
    assert ticked[0] == ticked[1] == ticked[2]
    assert ticked[2] != warm
    if url == PLAN:
        assert "3 van 13 gedaan" in ticked[2]  # 11 transtibial, 2 of the 3 hip exercises
        assert "Vandaag rust" in ticked[2] and "Vandaag rust" not in warm
        assert "Zeer &lt;b&gt;na&lt;/b&gt; de oefening" in ticked[2]
        assert "Pijn 8 van 10 is meer" in ticked[2]  # the practice's limit is 5


def test_the_page_is_the_same_with_redis_behind_local_memory(phone, settings):
    """Two levels: a page another process made (in the shared cache only) is used as is."""
    settings.CACHES = {
        **settings.CACHES,
        "plan_shared": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "s",
        },
    }
    _tick(phone, phone.program.items.first())
    whole, cold, warm = _three_ways(phone, settings, PLAN)
    assert whole == cold == warm
    caches["plan_local"].clear()  # another process: only the shared cache has the page
    assert _html(phone.get(PLAN)) == whole


def test_the_plan_works_while_redis_is_down(phone, settings, caplog):
    """Redis only saves work: unreachable, the page is built in the process."""
    settings.CACHES = {
        **settings.CACHES,
        "plan_shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
        },
    }
    _tick(phone, phone.program.items.first(), note="Ging goed")
    settings.PLAN_PAGE_CACHE = False
    whole = _html(phone.get(PLAN))
    settings.PLAN_PAGE_CACHE = True
    _forget_pages_local_only()
    assert _html(phone.get(PLAN)) == whole
    assert "Redis unreachable" in caplog.text


def test_the_page_filled_with_ticks_stays_out_of_the_shared_cache(phone, settings):
    """Today's pain scores and notes are kept in the process only, never in Redis."""
    settings.CACHES = {
        **settings.CACHES,
        "plan_shared": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "t",
        },
    }
    _tick(phone, phone.program.items.first(), action="save", pain="3", note="Stijf in de ochtend")
    _forget_pages()
    assert "Stijf in de ochtend" in phone.get(PLAN).content.decode()
    shared = caches["plan_shared"]
    kept = [repr(pickle.loads(raw)) for raw in shared._cache.values()]  # noqa: SLF001, S301
    assert any("Anna" in value for value in kept), "the skeleton is shared"
    assert not any("Stijf in de ochtend" in value for value in kept)


def _forget_pages_local_only() -> None:
    caches["plan_local"].clear()


def test_the_warm_page_is_the_link_with_its_revisions_and_the_ticks(
    phone, django_assert_max_num_queries
):
    with freeze_time("2026-12-02 10:00:00"):
        _tick(phone, phone.program.items.first())
        with django_assert_max_num_queries(4):  # + the photos, to render it once
            phone.get(PLAN)
        with django_assert_max_num_queries(2):  # the link with its revisions' ids, the ticks
            phone.get(PLAN)


def test_a_new_publish_shows_at_once(phone, practice_user):
    with freeze_time("2026-12-02 10:00:00"):
        assert "Rustig aan vandaag" not in _html(phone.get(PLAN))
        factories.publish(phone.program, practice_user, note="Rustig aan vandaag")
        assert "Rustig aan vandaag" in _html(phone.get(PLAN))


def test_a_revoked_link_is_refused_at_once_with_a_warm_cache(phone, practice_user):
    with freeze_time("2026-12-02 10:00:00"):
        phone.get(PLAN)
        links.patient_link_revoke(patient=phone.program.patient, user=practice_user)
        response = phone.get(PLAN)
        assert response.status_code == 404
        assert "Hallo Anna" not in response.content.decode()


def _jpeg():
    upload = io.BytesIO()
    Image.new("RGB", (400, 300), (40, 120, 90)).save(upload, "JPEG")
    return prepare_photo(SimpleUploadedFile("mat.jpg", upload.getvalue(), "image/jpeg"))


def test_a_photo_change_shows_at_once(phone, practice_user):
    with freeze_time("2026-12-02 10:00:00"):
        assert "Anna op de mat" not in _html(phone.get(PLAN))
        photo = exercise_photo_add(
            exercise=phone.program.items.first().exercise,
            photo=_jpeg(),
            alt_text="Anna op de mat",
            uploaded_by=practice_user,
            practice_id=practice_user.therapist.practice_id,
        )
        assert "Anna op de mat" in _html(phone.get(PLAN))
        photo.alt_text = "Anna op de yogamat"
        photo.save()
        assert "Anna op de yogamat" in _html(phone.get(PLAN))
        photo.delete()
        assert "Anna op de" not in _html(phone.get(PLAN))


def test_a_photo_changed_on_another_server_shows_within_a_second(phone, practice_user):
    """Each process reads the shared library version at most once a second; a photo
    saved on another server changes only the shared one."""
    with freeze_time("2026-12-02 10:00:00") as clock:
        phone.get(PLAN)
        exercise = phone.program.items.first().exercise
        with _another_server():
            exercise_photo_add(
                exercise=exercise,
                photo=_jpeg(),
                alt_text="Anna op de mat",
                uploaded_by=practice_user,
                practice_id=practice_user.therapist.practice_id,
            )
        assert "Anna op de mat" not in _html(phone.get(PLAN))  # this process's copy
        clock.tick(library_version.LOCAL_SECONDS)
        assert "Anna op de mat" in _html(phone.get(PLAN))


@contextlib.contextmanager
def _another_server():
    """What another process does: it changes the shared version, not this one's copy."""
    kept = library_version._local
    yield
    library_version._local = kept


def test_a_message_is_shown_once_and_the_page_after_it_has_none(phone):
    with freeze_time("2026-12-02 10:00:00"):
        phone.get(PLAN)
        phone.post(reverse("plan:session_done"), {"date": TODAY.isoformat(), "session": 1})
        assert "plan-messages" in _html(phone.get(PLAN))
        assert "plan-messages" not in _html(phone.get(PLAN))
