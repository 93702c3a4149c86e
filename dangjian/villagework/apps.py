from django.apps import AppConfig


class VillageworkConfig(AppConfig):
    name = "dangjian.villagework"
    label = "villagework"
    verbose_name = "village work"
