from django.apps import AppConfig


class HandoutConfig(AppConfig):
    """An app for its management commands and its one listener; it has no models."""

    name = "programs.handout"
    label = "handout"
    verbose_name = "Handout"

    def ready(self) -> None:
        from programs.handout.cache import handout_cache_forget
        from programs.signals import revisions_withdrawn

        def forget(sender, revision_ids, **kwargs) -> None:
            handout_cache_forget(revision_ids=revision_ids)

        revisions_withdrawn.connect(forget, weak=False, dispatch_uid="handout-cache-forget")
