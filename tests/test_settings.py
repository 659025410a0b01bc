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
