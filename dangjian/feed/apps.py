from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "dangjian.feed"
    label = "feed"

    def ready(self) -> None:
        from . import signals

        signals.connect()
