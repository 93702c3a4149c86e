from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadersConfig(AppConfig):
    name = "dangjian.leaders"
    verbose_name = _("Leading cadres")
