from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadersConfig(AppConfig):
    name = "dangjian.leaders"
    verbose_name = _("Leading cadres")

    def ready(self) -> None:
        # Registries of lower apps: they never import this one.
        from dangjian.organizations.views import DETAIL_PANELS
        from dangjian.orglife.forms import LECTURER_SOURCES

        from .panels import leader_lecturers, organization_panel

        DETAIL_PANELS.append(organization_panel)
        LECTURER_SOURCES.append(leader_lecturers)
