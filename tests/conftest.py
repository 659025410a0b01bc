from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

FIXTURE_FILES = sorted(str(path) for path in (Path(settings.BASE_DIR) / "fixtures").glob("*.yaml"))
THERAPIST_PASSWORD = "a-long-test-password-42"


@pytest.fixture
def library(db) -> None:
    """The 81 leaflet exercises, loaded as `make run` loads them."""
    call_command("loaddata", *FIXTURE_FILES, verbosity=0)


@pytest.fixture
def therapist(db, django_user_model):
    return django_user_model.objects.create_user(
        username="therapeut", password=THERAPIST_PASSWORD, first_name="Tess"
    )


@pytest.fixture
def therapist_client(client, therapist):
    client.force_login(therapist)
    return client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Uploads of one test never land in the project or leak into another test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def isolated_caches(settings, tmp_path):
    """Rate-limit counters and rendered handouts never leak from one test into another."""
    from django.core.cache import cache

    settings.HANDOUT_CACHE_DIR = tmp_path / "handouts"
    cache.clear()
    yield
    cache.clear()
