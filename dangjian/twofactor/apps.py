from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "dangjian.twofactor"
    label = "twofactor"
    verbose_name = _("Two-factor login")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import services

        user_logged_in.connect(
            services.remember_requirement_at_login, dispatch_uid="twofactor_login_flag"
        )
