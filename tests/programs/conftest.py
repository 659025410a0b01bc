import datetime

import pytest

from programs import services
from programs.models import Practice, Protocol, Therapist


def make_practice(name: str = "Fysio Noord") -> Practice:
    return Practice.objects.create(name=name, phone="050 111 2222", call_hours="ma-vr 8-9")


def make_therapist(django_user_model, practice: Practice, username: str, admin: bool = False):
    user = django_user_model.objects.create_user(username=username, password="pw-long-enough-1")
    Therapist.objects.create(user=user, practice=practice, is_practice_admin=admin)
    return user


@pytest.fixture
def practice(db) -> Practice:
    return make_practice()


@pytest.fixture
def practice_user(django_user_model, practice):
    return make_therapist(django_user_model, practice, "tess", admin=True)


@pytest.fixture
def practice_client(client, practice_user):
    client.force_login(practice_user)
    return client


@pytest.fixture
def make_program(library, practice, practice_user):
    def make(protocol: str = "amputation-transtibial", name: str = "Anna", patient=None):
        patient = patient or services.patient_create(
            practice=practice, name=name, reference="", user=practice_user
        )
        return services.program_create_from_protocol(
            patient=patient,
            protocol=Protocol.objects.get(slug=protocol),
            start_date=datetime.date(2026, 11, 23),
            weeks=6,
            affected_side="left",
            user=practice_user,
        )

    return make
