from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "dangjian.community"
    verbose_name = _("Theme practice and serving the masses")

    def ready(self) -> None:
        # A registry of a lower app: the organization page never imports this one.
        from dangjian.organizations.views import DETAIL_PANELS

        from .panels import organization_panel

        DETAIL_PANELS.append(organization_panel)
