from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class ExercisesConfig(AppConfig):
    name = "exercises"
    verbose_name = _("Exercise library")

    def ready(self) -> None:
        from exercises.library_version import library_changed
        from exercises.models import Exercise, ExercisePhoto, ProtocolVariant

        pre_save.connect(_refresh_search_text, sender=Exercise, dispatch_uid="exercise_search")
        # Any change to what the cached pages print of the library gives them a new key.
        for model in (ExercisePhoto, Exercise, ProtocolVariant):
            uid = f"library_version_{model.__name__}"
            post_save.connect(library_changed, sender=model, dispatch_uid=f"{uid}_save")
            post_delete.connect(library_changed, sender=model, dispatch_uid=f"{uid}_delete")
        m2m_changed.connect(
            library_changed, sender=Exercise.applies_to.through, dispatch_uid="library_version_m2m"
        )


def _refresh_search_text(sender, instance, **kwargs) -> None:
    # A signal rather than save(): loaddata saves "raw" and skips save(),
    # but still sends pre_save, so fixtures get their search text too.
    instance.search_text = instance.build_search_text()
