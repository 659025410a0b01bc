"""The app's settings: `base`, with the secret key from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from oefenplan.settings.base import *  # noqa: F403

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY in the environment (make run and make test do it for you)."
    )
