"""Configuration that matters for safety: secrets, debug, database, headers, languages."""

import os
import subprocess
import sys

import polib
import pytest
from django.conf import settings
from django.urls import reverse


def _settings_in_subprocess(env: dict, expression: str) -> subprocess.CompletedProcess:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DATABASE_URL"}
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "oefenplan.settings.app", **env})
    return subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


def test_secret_key_is_required_from_the_environment():
    result = _settings_in_subprocess({}, "settings.SECRET_KEY")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_test_settings_need_no_secret_in_the_environment():
    result = _settings_in_subprocess(
        {"DJANGO_SETTINGS_MODULE": "oefenplan.settings.test"}, "bool(settings.SECRET_KEY)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_debug_is_off_unless_asked_for():
    off = _settings_in_subprocess({"DJANGO_SECRET_KEY": "x"}, "settings.DEBUG")
    on = _settings_in_subprocess({"DJANGO_SECRET_KEY": "x", "DJANGO_DEBUG": "1"}, "settings.DEBUG")
    assert off.stdout.strip() == "False"
    assert on.stdout.strip() == "True"


def test_database_comes_from_database_url_with_sqlite_as_default():
    default = _settings_in_subprocess(
        {"DJANGO_SECRET_KEY": "x"}, "settings.DATABASES['default']['ENGINE']"
    )
    postgres = _settings_in_subprocess(
        {"DJANGO_SECRET_KEY": "x", "DATABASE_URL": "postgres://u@db.example:5432/oefenplan"},
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']",
    )
    assert default.stdout.strip() == "django.db.backends.sqlite3"
    assert postgres.stdout.split() == ["django.db.backends.postgresql", "oefenplan"]


def test_a_sqlite_database_file_writes_ahead_and_syncs_every_commit(tmp_path):
    """Every page commits its access-log line: with write-ahead logging that is
    one fsync, not a rollback journal's two and a delete; synchronous=FULL (2)
    keeps each committed line through a power cut."""
    pragma = "__import__('django.db').db.connection.cursor().execute('PRAGMA {}').fetchone()[0]"
    result = _settings_in_subprocess(
        {"DJANGO_SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'oefenplan.sqlite3'}"},
        f"{pragma.format('journal_mode')}, {pragma.format('synchronous')}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "2"]


def test_time_zone_and_languages():
    assert settings.TIME_ZONE == "Europe/Amsterdam"
    assert settings.LANGUAGE_CODE == "nl"
    assert [code for code, _ in settings.LANGUAGES] == ["nl", "en"]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_catalogues_are_complete(language):
    path = settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path))
    assert len(catalogue) > 100
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_forms_are_csrf_protected(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("account_login"), {"login": "a", "password": "b"})
    assert response.status_code == 403


def test_the_header_links_lead_where_reverse_says_also_under_a_script_prefix(db, client):
    """The header's addresses are reversed once per URL configuration and script
    prefix (oefenplan.site_urls): each is what reverse() gives, the admin's only
    for staff, and an app served under a prefix links under it."""
    from django.urls import reverse, set_script_prefix

    from tests.factories import make_practice, make_therapist, sign_in

    user = make_therapist(make_practice(), "tess")
    sign_in(client, user)
    names = ["therapist:patient_list", "exercises:library", "mfa_index", "account_logout"]
    html = client.get(reverse("therapist:patient_list")).content.decode()
    header = html.split('<header class="site-header">')[1].split("</header>")[0]
    for name in names + ["set_language"]:
        assert f'"{reverse(name)}"' in header, name
    assert reverse("admin:index") not in header
    user.is_staff = True
    user.save()
    html = client.get(reverse("therapist:patient_list")).content.decode()
    assert f'href="{reverse("admin:index")}"' in html

    from django.test import RequestFactory

    from oefenplan.site_urls import HEADER_URL_NAMES, header_urls

    set_script_prefix("/oefenplan/")
    try:
        urls = header_urls(RequestFactory().get("/"))["header_urls"]
        assert urls == {key: reverse(name) for key, name in HEADER_URL_NAMES.items()}
        assert all(url.startswith("/oefenplan/") for url in urls.values())
    finally:
        set_script_prefix("/")


def test_an_address_completed_from_one_reverse_is_what_reverse_gives():
    from django.urls import reverse

    from oefenplan.site_urls import address_completer

    item_address = address_completer("therapist:program_item_edit", 12)
    for value in (1, 987654321, 2**40):
        assert item_address(value) == reverse("therapist:program_item_edit", args=[12, value])
    exercise_address = address_completer("exercises:detail")
    for slug in ("back-7", "oa-rom-1", "hip-replacement-12"):
        assert exercise_address(slug) == reverse("exercises:detail", args=[slug])
