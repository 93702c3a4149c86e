from django.apps import AppConfig


class LecturesConfig(AppConfig):
    name = "dangjian.lectures"
    label = "lectures"
