from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class ExercisesConfig(AppConfig):
    name = "exercises"
    verbose_name = _("Exercise library")

    def ready(self) -> None:
        from exercises.models import Exercise, ExercisePhoto
        from exercises.photo_version import photo_changed

        pre_save.connect(_refresh_search_text, sender=Exercise, dispatch_uid="exercise_search")
        # Any photo saved or deleted gives the cached pages that show photos a new key.
        post_save.connect(photo_changed, sender=ExercisePhoto, dispatch_uid="photo_version_save")
        post_delete.connect(photo_changed, sender=ExercisePhoto, dispatch_uid="photo_version_del")


def _refresh_search_text(sender, instance, **kwargs) -> None:
    # A signal rather than save(): loaddata saves "raw" and skips save(),
    # but still sends pre_save, so fixtures get their search text too.
    instance.search_text = instance.build_search_text()
