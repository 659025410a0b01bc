"""The suite's objects, made the way the app makes them: through the services.

Plain functions, so a test reads as a short story; the fixtures in the
conftest files are thin wrappers around these. The exercise library itself is
loaded once per test database (see tests/conftest.py).
"""

import datetime
import time
from pathlib import Path

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from exercises.dose import DoseValues
from oefenplan.security.sessions import second_factor_mark
from programs import links, services
from programs.models import Patient, PatientLink, Practice, Program, Protocol, Therapist
from programs.selectors import program_open_warnings
from programs.snapshot import ExerciseText, Named, Snapshot, SnapshotItem

FIXTURE_FILES = sorted(str(path) for path in (Path(settings.BASE_DIR) / "fixtures").glob("*.yaml"))
PASSWORD = "pw-long-enough-1"
# Every therapist of the suite enrols this TOTP secret (base32), so a test can
# type the code an authenticator app would show.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MONDAY = datetime.date(2026, 11, 23)


def make_practice(name: str = "Fysio Noord") -> Practice:
    return Practice.objects.create(name=name, phone="050 111 2222", call_hours="ma-vr 8-9")


def make_therapist(practice: Practice, username: str, admin: bool = False) -> User:
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org"
    )
    Therapist.objects.create(user=user, practice=practice, is_practice_admin=admin)
    enrol_totp(user)
    return user


def enrol_totp(user: User) -> None:
    """The user's authenticator app, as allauth stores it (secret encrypted)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, TOTP_SECRET)


def totp_code(at: float | None = None) -> str:
    """The six digits the therapist's app shows now (or at `at`)."""
    return totp_code_for(TOTP_SECRET, at)


def totp_code_for(secret: str, at: float | None = None) -> str:
    return format_hotp_value(hotp_value(secret, int(at or time.time()) // 30))


def sign_in(client, user: User) -> None:
    """A session as after a full sign-in: password and second factor.

    The sign-in itself (password, code, throttling) is tested through the
    login pages; other tests start signed in, as the test client's
    force_login does, plus the second factor the app requires."""
    client.force_login(user)
    session = client.session
    second_factor_mark(session, user)
    session.save()


def make_patient(user: User, name: str = "Anna", **fields) -> Patient:
    return services.patient_create(
        practice=user.therapist.practice, name=name, reference="", user=user, **fields
    )


def make_program(
    user: User,
    protocol: str = "amputation-transtibial",
    name: str = "Anna",
    patient: Patient | None = None,
    start_date: datetime.date = MONDAY,
    weeks: int = 6,
) -> Program:
    """A program from a shipped protocol, not yet published."""
    return services.program_create_from_protocol(
        patient=patient or make_patient(user, name),
        protocol=Protocol.objects.get(slug=protocol),
        start_date=start_date,
        weeks=weeks,
        affected_side="left",
        user=user,
    )


KEPT_FOR_THE_TEST = "Bewust zo gekozen voor deze test."


def publish(program: Program, user: User, **item_changes) -> Program:
    """Publish the program, first setting `item_changes` on every item; a dose a test
    sets outside the leaflet's range is kept on purpose, as a therapist would."""
    if item_changes:
        program.items.update(**item_changes)
    keep = {item.pk: KEPT_FOR_THE_TEST for item, _w in program_open_warnings(program=program)}
    services.program_publish(program=program, user=user, keep=keep)
    return program


def make_link(patient: Patient, user: User, **fields) -> tuple[PatientLink, str]:
    """A patient link and its token (what the patient's address carries)."""
    link = links.patient_link_create(patient=patient, user=user, **fields)
    return link, links.link_token(link)


def anna_starts_today(protocol: str = "amputation-transtibial") -> Program:
    """Therapist "tess" of a practice, and Anna's program starting today (not published)."""
    from django.utils import timezone

    user = make_therapist(make_practice(), "tess")
    return make_program(user, protocol, start_date=timezone.localdate())


# Snapshots for the pure schedule functions: no database.


def snapshot_item(
    item_id: int,
    days: str = "1234567",
    category: str = "strength",
    next_stage_text: str = "",
    **dose,
):
    """A snapshot item; `dose` takes the Dose fields (next_stage as a dict)."""
    return SnapshotItem(
        id=item_id,
        exercise=ExerciseText(
            slug=f"exercise-{item_id}",
            title=f"Exercise {item_id}",
            position="supine",
            steps=("Lie down.",),
            variants=(),
            attention_points=(),
            cautions=(),
            dose_source="leaflet",
            source="Leaflet",
            category=category,
            steps_adapted=False,
        ),
        dose=DoseValues.from_dict(dose),
        days=days,
        note="",
        next_stage_text=next_stage_text,
    )


def snapshot_of(
    *items: SnapshotItem,
    start: datetime.date = MONDAY,
    weeks: int = 4,
    one_type_per_session: bool = False,
) -> Snapshot:
    named = Named(slug="protocol", name="Protocol", name_en="Protocol")
    return Snapshot(
        protocol=named,
        variant=named,
        start_date=start,
        weeks=weeks,
        affected_side="",
        rules=(),
        precautions=(),
        items=tuple(items),
        one_type_per_session=one_type_per_session,
    )
