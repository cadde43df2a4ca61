from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.TrainingListView.as_view(), name="training_list"),
    path("new/", views.TrainingCreateView.as_view(), name="training_create"),
    path("<int:pk>/", views.TrainingDetailView.as_view(), name="training_detail"),
    path("<int:pk>/edit/", views.TrainingUpdateView.as_view(), name="training_update"),
    path("<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance_update"),
    path("hours/", views.OverviewView.as_view(), name="overview"),
    path("hours.xlsx", views.OverviewExportView.as_view(), name="overview_export"),
]
