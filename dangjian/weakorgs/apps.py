from django.apps import AppConfig


class WeakorgsConfig(AppConfig):
    name = "dangjian.weakorgs"
    label = "weakorgs"
    verbose_name = "weak organizations"
