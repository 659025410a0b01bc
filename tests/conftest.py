"""Fixtures for every test: the library loaded once, isolated media and caches.

Objects are made with tests/factories.py; the fixtures here and in the
conftest files below are thin wrappers around it.
"""

from pathlib import Path

import pytest
from django.core.management import call_command

from exercises.models import Exercise
from tests.factories import FIXTURE_FILES, PASSWORD, sign_in

THERAPIST_PASSWORD = PASSWORD


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The 81 leaflet exercises and the protocols, loaded once per test database.

    Each test runs in a transaction that is rolled back, so every test starts
    from this library, as `make run` loads it.
    """
    with django_db_blocker.unblock():
        call_command("loaddata", *FIXTURE_FILES, verbosity=0)


@pytest.fixture
def library(db) -> None:
    """The library, for tests that read it. A transactional test (the browser
    tests' live server) empties every table when it ends; the next one that
    needs the library loads it again here."""
    if not Exercise.objects.exists():
        call_command("loaddata", *FIXTURE_FILES, verbosity=0)


@pytest.fixture
def therapist(db, django_user_model):
    return django_user_model.objects.create_user(
        username="therapeut", password=THERAPIST_PASSWORD, first_name="Tess"
    )


@pytest.fixture
def therapist_client(client, therapist):
    sign_in(client, therapist)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, signed in with the second factor the app requires."""
    sign_in(client, admin_user)
    return client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Uploads of one test never land in the project or leak into another test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def isolated_caches(settings, tmp_path):
    """Rate-limit counters, rendered handouts and the library version never leak
    from one test into another."""
    from django.core.cache import cache

    from exercises import library_version

    settings.HANDOUT_CACHE_DIR = tmp_path / "handouts"
    cache.clear()
    library_version.library_version_forget_local()
    yield
    cache.clear()
    library_version.library_version_forget_local()
