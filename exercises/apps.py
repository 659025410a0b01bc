from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class ExercisesConfig(AppConfig):
    name = "exercises"
    verbose_name = _("Exercise library")

    def ready(self) -> None:
        from exercises.models import Exercise

        pre_save.connect(_refresh_search_text, sender=Exercise, dispatch_uid="exercise_search")


def _refresh_search_text(sender, instance, **kwargs) -> None:
    # A signal rather than save(): loaddata saves "raw" and skips save(),
    # but still sends pre_save, so fixtures get their search text too.
    instance.search_text = instance.build_search_text()
