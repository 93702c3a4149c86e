from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "dangjian.elections"
    label = "elections"
    verbose_name = "elections"

    def ready(self) -> None:
        from . import reminders  # noqa: F401  (its periodic task registers with the worker)
