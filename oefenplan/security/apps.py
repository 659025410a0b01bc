from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "oefenplan.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        from oefenplan.security import signals  # noqa: F401  (connects the receivers)
