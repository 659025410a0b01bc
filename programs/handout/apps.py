from django.apps import AppConfig


class HandoutConfig(AppConfig):
    """An app for its management commands, its task, its listeners and the PDF
    writer's compression (programs/handout/deflate.py); it has no models."""

    name = "programs.handout"
    label = "handout"
    verbose_name = "Handout"

    def ready(self) -> None:
        from programs.handout import deflate
        from programs.handout.cache import handout_cache_forget
        from programs.handout.tasks import handout_prerender_queue
        from programs.signals import handout_changed, revisions_withdrawn

        def forget(sender, revision_ids, **kwargs) -> None:
            handout_cache_forget(revision_ids=revision_ids)

        def prerender(sender, program_ids, **kwargs) -> None:
            handout_prerender_queue(program_ids=program_ids)

        deflate.install()
        revisions_withdrawn.connect(forget, weak=False, dispatch_uid="handout-cache-forget")
        handout_changed.connect(prerender, weak=False, dispatch_uid="handout-prerender")
