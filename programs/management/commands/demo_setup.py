"""Create the demo practice, its therapist login and a few patients with
programs, once: running it again changes nothing.

The demo therapist gets a random password and a random authenticator secret,
printed once, when the login is made: no password is published anywhere, and
a demo set-up reachable from elsewhere is not open to anyone who read the
README. The login is a practice administrator, not a site admin.
"""

import secrets

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from programs import links, services
from programs.models import Practice, Protocol, Therapist

DEMO_USERNAME = "demo"
# bench/scale_data.py makes a practice of this name, which the demo then joins.
DEMO_PRACTICE_NAME = "Fysiotherapie De Demo"
DEMO_PATIENTS = [
    ("Anna", "D-001", "amputation-transtibial", "left"),
    ("Bram", "D-002", "amputation-transfemoral", "right"),
    ("Carla", "D-003", "hip-replacement-anterior", "right"),
    ("Dirk", "D-004", "knee-osteoarthritis", "left"),
    ("Els", "D-005", "back-rehabilitation", ""),
]


class Command(BaseCommand):
    help = "Create the demo practice, therapist login and patients (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"first_name": "Demo", "last_name": "Therapeut"}
        )
        if created:
            password = secrets.token_urlsafe(12)
            totp_secret = generate_totp_secret()
            user.set_password(password)
            user.save(update_fields=["password"])
            TOTP.activate(user, totp_secret)
        practice, _ = Practice.objects.get_or_create(
            name=DEMO_PRACTICE_NAME,
            defaults={
                "phone": "050 123 4567",
                "call_hours": "ma-vr 08.15-09.00 uur",
                "address": "Voorbeeldstraat 1, Groningen",
            },
        )
        Therapist.objects.get_or_create(
            user=user, defaults={"practice": practice, "is_practice_admin": True}
        )
        for name, reference, protocol_slug, side in DEMO_PATIENTS:
            if practice.patients.filter(reference=reference).exists():
                continue
            patient = services.patient_create(
                practice=practice, name=name, reference=reference, user=user
            )
            protocol = Protocol.objects.get(slug=protocol_slug)
            program = services.program_create_from_protocol(
                patient=patient,
                protocol=protocol,
                start_date=timezone.localdate(),
                weeks=protocol.default_weeks,
                affected_side=side,
                user=user,
            )
            services.program_publish(program=program, user=user)
            links.patient_link_create(patient=patient, user=user)
        if created:
            self.stdout.write(
                f"Demo login (shown once): user '{DEMO_USERNAME}', password '{password}'\n"
                f"Second step: add this secret to an authenticator app: {totp_secret}\n"
                f"  (or scan: otpauth://totp/Oefenplan:{DEMO_USERNAME}"
                f"?secret={totp_secret}&issuer=Oefenplan)"
            )
        else:
            self.stdout.write(
                f"Demo login: user '{DEMO_USERNAME}' (password and secret were shown when it was"
                " made; `python manage.py changepassword demo` sets a new password)"
            )
        self.stdout.write(f"{practice.name}: {practice.patients.count()} patients")
        anna = practice.patients.filter(reference=DEMO_PATIENTS[0][1]).first()
        link = anna and links.patient_active_link(patient=anna)
        if link and (url := links.link_url(link)):
            self.stdout.write(f"Demo patient plan ({anna.name}, on a phone): {url}")
