from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "dangjian.evaluation"
    verbose_name = _("Democratic evaluation")

    def ready(self) -> None:
        # A registry of a lower app: the organization page never imports this one.
        from dangjian.organizations.views import DETAIL_PANELS

        from .panels import organization_panel

        DETAIL_PANELS.append(organization_panel)
