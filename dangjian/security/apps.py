from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "dangjian.security"
    label = "security"
    verbose_name = _("Security")

    def ready(self):
        from django.contrib.auth import get_user_model, signals
        from django.db.models.signals import post_save

        from . import checks, receivers  # noqa: F401  (checks registers itself)

        signals.user_logged_in.connect(receivers.logged_in, dispatch_uid="dj-security-login")
        signals.user_logged_out.connect(receivers.logged_out, dispatch_uid="dj-security-logout")
        signals.user_login_failed.connect(receivers.login_failed, dispatch_uid="dj-security-fail")
        post_save.connect(
            receivers.user_saved, sender=get_user_model(), dispatch_uid="dj-security-user-saved"
        )
