from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.contrib.auth import signals

        from . import auth_audit

        signals.user_logged_in.connect(auth_audit.logged_in, dispatch_uid="dj-audit-login")
        signals.user_logged_out.connect(auth_audit.logged_out, dispatch_uid="dj-audit-logout")
        signals.user_login_failed.connect(auth_audit.login_failed, dispatch_uid="dj-audit-fail")

        from . import integrity

        integrity.connect()
