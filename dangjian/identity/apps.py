from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "dangjian.identity"
    verbose_name = _("Electronic member identity")
