from django.urls import path

from . import import_views

app_name = "report_import"
urlpatterns = [
    path("", import_views.ImportStartView.as_view(), name="start"),
    path("save/", import_views.ImportSaveView.as_view(), name="save"),
]
