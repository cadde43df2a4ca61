from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FourStrongConfig(AppConfig):
    name = "dangjian.fourstrong"
    label = "fourstrong"
    verbose_name = _("Four-strong branches")
