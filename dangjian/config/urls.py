from django.contrib.auth import views as auth_views
from django.urls import include, path

from dangjian.core.health import healthz
from dangjian.security.views import LoginView

urlpatterns = [
    # Load-balancer probe: no log-in, JSON, 200/503 (dangjian/core/health.py).
    path("healthz", healthz, name="healthz"),
    # A log-in always starts a new session (dangjian/security/views.py, issue 11 point 9).
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("dangjian.core.urls")),
    path("orgs/", include("dangjian.organizations.urls")),
    path("members/", include("dangjian.people.urls")),
    path("access/", include("dangjian.access.urls")),
    path("security/", include("dangjian.security.urls")),
    path("topics/", include("dangjian.study.urls")),
    path("meetings/", include("dangjian.meetings.urls")),
    path("tasks/", include("dangjian.tasks.urls")),
    path("documents/", include("dangjian.reports.urls")),
    path("fourstrong/", include("dangjian.fourstrong.urls")),
    path("campaigns/", include("dangjian.campaigns.urls")),
    path("training/", include("dangjian.training.urls")),
    path("2fa/", include("dangjian.twofactor.urls")),
    path("me/", include("dangjian.privacy.urls")),
    path("import-report/", include("dangjian.reports.import_urls")),
    path("api/", include("dangjian.config.api_urls")),
]

# An unmatched /api/ URL answers the structured JSON error (dangjian.core.api).
handler404 = "dangjian.core.api.not_found"
