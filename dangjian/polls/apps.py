from django.apps import AppConfig


class PollsConfig(AppConfig):
    name = "dangjian.polls"
    label = "polls"
