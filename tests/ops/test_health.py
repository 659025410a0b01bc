"""Health checks, the request log, and the page shown while a dependency is away."""

import json
import logging

import pytest
from django.test import Client

from tests.factories import make_link, make_practice, make_program, make_therapist, publish, sign_in

# A Redis that is not there: nothing listens on port 1 of this machine.
REDIS_AWAY = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5},
    }
}


@pytest.fixture
def redis_away(settings):
    caches = settings.CACHES
    settings.REDIS_URL = REDIS_AWAY["default"]["LOCATION"]
    settings.CACHES = REDIS_AWAY
    yield
    settings.CACHES = caches  # back before the suite's own fixtures clear the cache


def test_healthz_answers_without_touching_anything(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "Set-Cookie" not in response


def test_readyz_checks_the_database(db, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_is_unavailable_while_redis_is_away(db, client, redis_away):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "failing"},
    }


def test_a_mistyped_link_gets_a_friendly_503_while_redis_is_away(library, redis_away):
    user = make_therapist(make_practice(), "tess")
    program = publish(make_program(user), user)
    _link, token = make_link(program.patient, user)
    phone = Client(raise_request_exception=False)
    # A right link opens without the cache; a wrong one counts a guess in Redis.
    assert phone.get(f"/p/{token}/").status_code == 302
    token = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = phone.get(f"/p/{token}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Zo weer terug" in page  # Dutch first
    assert "Traceback" not in page and token not in page


def test_every_request_is_one_json_line_without_path_or_token(library, caplog):
    user = make_therapist(make_practice(), "tess")
    program = publish(make_program(user), user)
    _link, token = make_link(program.patient, user)
    request_log = logging.getLogger("oefenplan.requests")
    request_log.addHandler(caplog.handler)
    try:
        phone = Client()
        response = phone.get(f"/p/{token}/", HTTP_X_REQUEST_ID="from-an-untrusted-client")
        therapist = Client()
        sign_in(therapist, user)
        therapist.get(program.patient.get_absolute_url())
    finally:
        request_log.removeHandler(caplog.handler)
    formatter = request_log.handlers[0].formatter  # the one settings.LOGGING configures
    lines = [json.loads(formatter.format(record)) for record in caplog.records]
    assert lines, "no request was logged"
    opened = lines[0]
    assert opened["route"] == "plan:open" and opened["method"] == "GET"
    assert opened["status"] == 302 and opened["duration_ms"] >= 0
    assert {"time", "request_id"} <= opened.keys()
    # Made here, not taken from a client we do not trust; and sent back.
    assert opened["request_id"] != "from-an-untrusted-client"
    assert response["X-Request-ID"] == opened["request_id"]
    assert any(line["route"] == "therapist:patient_detail" for line in lines)
    everything = "\n".join(json.dumps(line) for line in lines)
    assert token not in everything and f"/{program.patient.pk}/" not in everything


def test_a_request_id_from_the_trusted_proxy_is_kept(db, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/healthz", HTTP_X_REQUEST_ID="0f3c2a9b8d7e6f5a")
    assert response["X-Request-ID"] == "0f3c2a9b8d7e6f5a"


def test_django_s_own_error_line_hides_the_link_token(library, redis_away, caplog):
    user = make_therapist(make_practice(), "tess")
    program = publish(make_program(user), user)
    _link, token = make_link(program.patient, user)
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert Client(raise_request_exception=False).get(f"/p/{wrong}/").status_code == 503
    # As the console handler of settings.LOGGING passed it on.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Service Unavailable: /p/<token>" in logged
    assert wrong not in logged
