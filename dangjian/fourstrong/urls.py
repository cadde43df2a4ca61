from django.urls import path

from . import views

app_name = "fourstrong"
urlpatterns = [
    path("systems/", views.SystemListView.as_view(), name="system_list"),
    path("systems/<int:pk>/", views.SystemDetailView.as_view(), name="system_detail"),
    path("systems/new/", views.SystemCreateView.as_view(), name="system_create"),
    path("systems/standard/", views.SystemStandardView.as_view(), name="system_standard"),
    path(
        "systems/<int:pk>/indicators/new/", views.IndicatorAddView.as_view(), name="indicator_add"
    ),
    path("systems/<int:pk>/<slug:action>/", views.SystemActionView.as_view(), name="system_action"),
    path("cycles/new/", views.CycleCreateView.as_view(), name="cycle_create"),
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
