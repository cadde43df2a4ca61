from django.urls import path

from . import views

app_name = "fourstrong"
urlpatterns = [
    path("systems/", views.SystemListView.as_view(), name="system_list"),
    path("systems/<int:pk>/", views.SystemDetailView.as_view(), name="system_detail"),
    path("", views.CycleListView.as_view(), name="cycle_list"),
    path("cycles/<int:pk>/", views.CycleDetailView.as_view(), name="cycle_detail"),
    path("cycles/<int:pk>/ranking/", views.RankingView.as_view(), name="ranking"),
    path("assessments/<int:pk>/", views.AssessmentDetailView.as_view(), name="assessment_detail"),
    path(
        "assessments/<int:pk>/scores/",
        views.ScoresSaveView.as_view(),
        name="assessment_scores",
    ),
    path(
        "assessments/<int:pk>/<slug:step>/",
        views.AssessmentStepView.as_view(),
        name="assessment_step",
    ),
]
