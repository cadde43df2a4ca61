"""URL patterns of the roster import and the member export.

No ``app_name`` here: people/urls.py includes these lists inside the
``people`` namespace, under ``members/import/`` (``urlpatterns``) and
``members/`` (``export_urlpatterns``: ``members/export.xlsx``, and for
exports made by the job worker ``members/export/<token>/`` and its
``download/``).
"""

from django.urls import path

from . import roster_views as views

urlpatterns = [
    path("", views.RosterImportView.as_view(), name="roster_import"),
    path("template.xlsx", views.RosterTemplateView.as_view(), name="roster_template"),
    path("<int:pk>/", views.RosterDetailView.as_view(), name="roster_detail"),
    path("<int:pk>/progress/", views.RosterProgressView.as_view(), name="roster_progress"),
    path("<int:pk>/commit/", views.RosterCommitView.as_view(), name="roster_commit"),
]

export_urlpatterns = [
    path("export.xlsx", views.MemberExportView.as_view(), name="member_export"),
    path(
        "export/<str:token>/", views.MemberExportStatusView.as_view(), name="member_export_status"
    ),
    path(
        "export/<str:token>/download/",
        views.MemberExportDownloadView.as_view(),
        name="member_export_download",
    ),
]
