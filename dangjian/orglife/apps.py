from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    label = "orglife"

    def ready(self) -> None:
        from dangjian.accounts.signals import credentials_ended

        from .calendar import end_feeds

        credentials_ended.connect(end_feeds, dispatch_uid="orglife.calendar.end_feeds")
