import pytest


@pytest.fixture(autouse=True)
def site(settings):
    """The download, the worker and the handout command print the same address for
    the QR code (the root conftest gives each test its own handout cache)."""
    settings.SITE_URL = "http://testserver"
