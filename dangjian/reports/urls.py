from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path(
        "meetings/<int:pk>/minutes.docx",
        views.MeetingMinutesView.as_view(),
        name="meeting_minutes",
    ),
    path(
        "meetings/<int:pk>/attendance.docx",
        views.MeetingAttendanceSheetView.as_view(),
        name="meeting_attendance_sheet",
    ),
    path(
        "meetings/<int:pk>/signin.docx",
        views.MeetingSigninSheetView.as_view(),
        name="meeting_signin_sheet",
    ),
    path(
        "meetings/<int:pk>/summary.docx",
        views.MeetingSummaryView.as_view(),
        name="meeting_summary",
    ),
    path(
        "meetings/<int:pk>/news-draft/",
        views.MeetingNewsDraftView.as_view(),
        name="meeting_news_draft",
    ),
    path(
        "activities/<int:pk>/news-draft/",
        views.ActivityNewsDraftView.as_view(),
        name="activity_news",
    ),
    path("ledgers/meetings.xlsx", views.MeetingLedgerView.as_view(), name="meeting_ledger"),
    path("ledgers/topics.xlsx", views.TopicLedgerView.as_view(), name="topic_ledger"),
    path("ledgers/tasks.xlsx", views.TaskLedgerView.as_view(), name="task_ledger"),
]
