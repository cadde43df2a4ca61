from django.urls import path

from . import views

app_name = "twofactor"
urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("enroll/", views.EnrollView.as_view(), name="enroll"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("recovery/", views.RecoveryRegenerateView.as_view(), name="recovery_regenerate"),
    path("devices/", views.DeviceListView.as_view(), name="device_list"),
    path("devices/<int:pk>/reset/", views.DeviceResetView.as_view(), name="device_reset"),
]
