from django.urls import path

from . import activity_views as av
from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign_list"),
    path("new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("<int:pk>/edit/", views.CampaignUpdateView.as_view(), name="campaign_update"),
    path("<int:pk>/notice/", views.NoticeDownloadView.as_view(), name="notice_download"),
    path(
        "<int:pk>/requirements/new/",
        views.RequirementCreateView.as_view(),
        name="requirement_create",
    ),
    path("<int:pk>/planned/new/", views.PlannedActivityCreateView.as_view(), name="planned_create"),
    path("<int:pk>/ledger/", views.LedgerView.as_view(), name="ledger"),
    path("<int:pk>/ledger.xlsx", views.LedgerExportView.as_view(), name="ledger_export"),
    path("<int:pk>/remind/", views.RemindLateView.as_view(), name="remind_late"),
    path(
        "<int:pk>/requirements/<int:req>/report/<int:org>/",
        views.ReportView.as_view(),
        name="report",
    ),
    path(
        "<int:pk>/requirements/<int:req>/report/<int:org>/record/",
        views.ReportRecordView.as_view(),
        name="report_record",
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
    # Activities, their presentations and photos; exemplary cases.
    path("activities/", av.ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", av.ActivityCreateView.as_view(), name="activity_create"),
    path("activities/<int:pk>/", av.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/edit/", av.ActivityUpdateView.as_view(), name="activity_update"),
    path("activities/<int:pk>/report/", av.ActivityReportView.as_view(), name="activity_report"),
    path(
        "activities/<int:pk>/exemplary/",
        av.ActivityExemplaryView.as_view(),
        name="activity_exemplary",
    ),
    path(
        "activities/<int:pk>/presentations/new/",
        av.PresentationCreateView.as_view(),
        name="presentation_create",
    ),
    path("activities/<int:pk>/agenda/", av.AgendaBuildView.as_view(), name="agenda_build"),
    path("activities/<int:pk>/photos/new/", av.PhotoCreateView.as_view(), name="photo_create"),
    path(
        "presentations/<int:pk>/edit/",
        av.PresentationUpdateView.as_view(),
        name="presentation_update",
    ),
    path(
        "presentations/<int:pk>/delete/",
        av.PresentationDeleteView.as_view(),
        name="presentation_delete",
    ),
    path(
        "presentations/<int:pk>/move/",
        av.PresentationMoveView.as_view(),
        name="presentation_move",
    ),
    path(
        "presentations/<int:pk>/exemplary/",
        av.PresentationExemplaryView.as_view(),
        name="presentation_exemplary",
    ),
    path(
        "presentations/<int:pk>/material/",
        av.MaterialDownloadView.as_view(),
        name="presentation_material",
    ),
    path("photos/<int:pk>/", av.PhotoImageView.as_view(), name="photo_image"),
    path(
        "photos/<int:pk>/thumbnail/",
        av.PhotoImageView.as_view(thumbnail=True),
        name="photo_thumbnail",
    ),
    path("photos/<int:pk>/delete/", av.PhotoDeleteView.as_view(), name="photo_delete"),
    path("cases/", av.ExemplaryCaseListView.as_view(), name="case_list"),
]
