from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"

    def ready(self) -> None:
        from dangjian.organizations.views import DETAIL_PANELS

        from .panels import organization_panel

        DETAIL_PANELS.append(organization_panel)
