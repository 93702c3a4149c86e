from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    label = "orglife"
