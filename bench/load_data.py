"""The people of a load run, made in the load run's database (bench/load.py runs
this with the production set's environment): a practice, therapists signed in
(sessions as after the password and the second factor), patients with a
published program and a link. Prints them as JSON for the load clients.

    python bench/load_data.py PATIENTS THERAPISTS
"""

import datetime
import json
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oefenplan.settings.app")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from oefenplan.security.sessions import second_factor_mark, signed_in_mark  # noqa: E402
from programs import links, services  # noqa: E402
from programs.models import Practice, Protocol, Therapist  # noqa: E402
from programs.selectors import program_open_warnings  # noqa: E402

PROTOCOLS = ("amputation-transtibial", "hip-osteoarthritis-home", "knee-osteoarthritis")


def main(patients: int, therapists: int) -> dict:
    practice = Practice.objects.create(name=f"Belasting {timezone.now():%H%M%S}")
    users = []
    for number in range(therapists):
        user = get_user_model().objects.create_user(
            username=f"load-{practice.pk}-{number}", password=None
        )
        Therapist.objects.create(user=user, practice=practice)
        users.append(user)
    people = []
    for number in range(patients):
        user = users[number % len(users)]
        patient = services.patient_create(
            practice=practice, name=f"Patiënt {number}", reference="", user=user
        )
        program = services.program_create_from_protocol(
            patient=patient,
            protocol=Protocol.objects.get(slug=PROTOCOLS[number % len(PROTOCOLS)]),
            start_date=timezone.localdate() - datetime.timedelta(days=3),
            weeks=6,
            affected_side="left",
            user=user,
        )
        keep = {item.pk: "load test" for item, _w in program_open_warnings(program=program)}
        services.program_publish(program=program, user=user, keep=keep)
        link = links.patient_link_create(patient=patient, user=user)
        people.append(
            {"token": links.link_token(link), "program": program.pk, "therapist": user.pk}
        )
    sessions = []
    for user in users:
        client = Client()
        client.force_login(user)
        session = client.session
        second_factor_mark(session, user)
        signed_in_mark(session)
        session.save()
        programs = [person["program"] for person in people if person["therapist"] == user.pk]
        patient_ids = list(
            practice.patients.filter(programs__in=programs).values_list("pk", flat=True)
        )
        sessions.append(
            {"session": session.session_key, "programs": programs, "patients": patient_ids}
        )
    return {"patients": people, "therapists": sessions}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
