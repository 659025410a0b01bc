"""Secure by default: Django's deployment check is clean with DEBUG off, the
main pages score at least 100 the way Mozilla's HTTP Observatory scores, and
no page with patient data may be kept by a cache."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client

from oefenplan.settings.base import https_settings
from programs import links
from tests import factories
from tests.factories import sign_in
from tests.security.observatory import observatory_score


def _check_deploy(**env) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "EMAIL_")) and key != "DATABASE_URL"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="oefenplan.settings.app",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="oefenplan.example.org",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deployment_check_is_clean_with_debug_off_and_nothing_silenced():
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    # Served over plain HTTP on purpose, the same check names what is missing.
    plain = _check_deploy(DJANGO_HTTPS_ONLY="0")
    assert plain.returncode != 0
    assert "SECURE_HSTS_SECONDS" in plain.stdout + plain.stderr


@pytest.fixture
def production(settings):
    """The HTTPS settings production runs with (the test settings turn them off)."""
    for name, value in https_settings(True).items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def world(library):
    program = factories.anna_starts_today()
    user = program.patient.access_log.first().user
    factories.publish(program, user)
    link = links.patient_link_create(patient=program.patient, user=user)
    token = links.link_url(link, "https://testserver/").rsplit("/p/", 1)[1].strip("/")
    return program, user, token


def _both(client: Client, path: str):
    return client.get(path, secure=True), client.get(path, secure=False)


def test_the_main_pages_score_at_least_100_on_the_observatory(production, world):
    program, user, token = world
    anonymous, therapist, phone = Client(), Client(), Client()
    sign_in(therapist, user)
    pages = {
        "login": _both(anonymous, "/accounts/login/"),
        "patients": _both(therapist, "/patients/"),
        "patient": _both(therapist, program.patient.get_absolute_url()),
        "editor": _both(therapist, program.get_absolute_url()),
        "link": _both(phone, f"/p/{token}/"),
        "plan": _both(phone, "/plan/"),
    }
    for name, (https, http) in pages.items():
        assert https.status_code in (200, 302), (name, https.status_code)
        score = observatory_score(https, http)
        assert score.total >= 100, (name, score.total, score.modifiers)
    # The cookies these pages set are all Secure, HttpOnly, SameSite, __Host-.
    link_cookies = pages["link"][0].cookies
    assert list(link_cookies) == ["__Host-oefenplan_plan"]
    login_cookies = pages["login"][0].cookies
    assert "__Host-csrftoken" in login_cookies
    for cookie in [*link_cookies.values(), *login_cookies.values()]:
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
        assert cookie["path"] == "/" and not cookie["domain"]


def test_hsts_for_two_years_with_subdomains_and_preload(production, world):
    response = Client().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=63072000; includeSubDomains; preload")
    assert Client().get("/accounts/login/").status_code == 301


def test_every_page_forbids_what_the_app_never_uses(client, db):
    policy = client.get("/accounts/login/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
    assert "publickey-credentials-get=(self)" in policy  # passkeys keep working


def test_no_page_with_patient_data_may_be_stored_by_a_cache(world, client):
    program, user, token = world
    user.therapist.is_practice_admin = True  # reads the access log too
    user.therapist.save()
    sign_in(client, user)
    paths = [
        "/patients/",
        program.patient.get_absolute_url(),
        program.get_absolute_url(),
        f"/programs/{program.pk}/preview/",
        f"/programs/{program.pk}/handout/",
        f"/programs/{program.pk}/handout.pdf",
        "/practice/access-log/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    phone = Client()
    phone.get(f"/p/{token}/")
    assert "no-store" in phone.get("/plan/")["Cache-Control"]
