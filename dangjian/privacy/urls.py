from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.MyDataView.as_view(), name="my_data"),
    # POST: the copy carries personal data, so nothing about it travels in the address.
    path("download/", views.MyDataDownloadView.as_view(), name="my_data_download"),
]
