from django.apps import AppConfig


class HandoutConfig(AppConfig):
    """An app only so that its management commands are found; it has no models."""

    name = "programs.handout"
    label = "handout"
    verbose_name = "Handout"
