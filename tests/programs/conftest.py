import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.factories import sign_in


@pytest.fixture
def practice(db):
    return factories.make_practice()


@pytest.fixture
def practice_user(practice):
    return factories.make_therapist(practice, "tess", admin=True)


@pytest.fixture
def practice_client(client, practice_user):
    sign_in(client, practice_user)
    return client


@pytest.fixture
def make_program(library, practice_user):
    """Makes a program from a protocol for the practice's therapist ("Anna" by default)."""

    def make(protocol: str = "amputation-transtibial", name: str = "Anna", patient=None):
        return factories.make_program(practice_user, protocol, name, patient=patient)

    return make


@pytest.fixture
def publish(practice_user):
    """Publishes a program, first setting the given fields on every item."""

    def publish(program, **changes):
        return factories.publish(program, practice_user, **changes)

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
    """Makes a patient link: (link, token)."""

    def link_for(patient, **kwargs):
        return factories.make_link(patient, practice_user, **kwargs)

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
