from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign_list"),
    path("new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("<int:pk>/edit/", views.CampaignUpdateView.as_view(), name="campaign_update"),
    path(
        "<int:pk>/requirements/new/",
        views.RequirementCreateView.as_view(),
        name="requirement_create",
    ),
    path("<int:pk>/planned/new/", views.PlannedActivityCreateView.as_view(), name="planned_create"),
    path("<int:pk>/ledger/", views.LedgerView.as_view(), name="ledger"),
    path("<int:pk>/ledger.xlsx", views.LedgerExportView.as_view(), name="ledger_export"),
    path(
        "<int:pk>/requirements/<int:req>/report/<int:org>/",
        views.ReportView.as_view(),
        name="report",
    ),
    path(
        "submissions/<int:pk>/return/",
        views.SubmissionReturnView.as_view(),
        name="submission_return",
    ),
    path(
        "submissions/<int:pk>/accept/",
        views.SubmissionAcceptView.as_view(),
        name="submission_accept",
    ),
]
