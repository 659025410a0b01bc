from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the app in production: health checks, request logs, backups."""

    name = "oefenplan.ops"
    label = "ops"
