import pytest

from tests import factories


@pytest.fixture
def practice(db):
    return factories.make_practice()


@pytest.fixture
def therapist(practice):
    """A practice's therapist with an authenticator app enrolled (factories.TOTP_SECRET)."""
    return factories.make_therapist(practice, "tess", admin=True)
