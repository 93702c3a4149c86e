from django.apps import AppConfig


class HonoursConfig(AppConfig):
    name = "dangjian.honours"
    label = "honours"
    verbose_name = "honours"
