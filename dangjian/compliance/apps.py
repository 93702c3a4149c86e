from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "dangjian.compliance"
    verbose_name = _("Work points and compliance")

    def ready(self) -> None:
        # Every domain's change events reach the engine; the domains never import it.
        from dangjian.core import events

        from .tasks import on_change

        events.subscribe("*", on_change)
