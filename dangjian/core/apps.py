from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = "core"

    def ready(self) -> None:
        # Every app's `workflows` module registers its workflows (`core.workflow.REGISTRY`):
        # the deadline reminders and the move view find them there, whichever module ran first.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("workflows")
