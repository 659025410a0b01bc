"""Create the demo login once; running it again changes nothing."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "oefenplan-demo"


class Command(BaseCommand):
    help = "Create the demo therapist login (idempotent) and print how to log in."

    def handle(self, *args, **options) -> None:
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"first_name": "Demo", "is_staff": True, "is_superuser": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        self.stdout.write(
            f"Demo login: user '{DEMO_USERNAME}', password '{DEMO_PASSWORD}'"
            + (" (created)" if created else "")
        )
