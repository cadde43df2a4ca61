from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.MeetingListView.as_view(), name="meeting_list"),
    path("new/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("<int:pk>/edit/", views.MeetingUpdateView.as_view(), name="meeting_update"),
    path("<int:pk>/cancel/", views.MeetingCancelView.as_view(), name="meeting_cancel"),
    path("<int:pk>/held/", views.MeetingHeldView.as_view(), name="meeting_held"),
    path("<int:pk>/attendance/", views.AttendanceUpdateView.as_view(), name="attendance_update"),
    path("<int:pk>/agenda/new/", views.AgendaCreateView.as_view(), name="agenda_create"),
    path("<int:pk>/signin.svg", views.SigninQrView.as_view(), name="signin_qr"),
    path("agenda/<int:pk>/edit/", views.AgendaUpdateView.as_view(), name="agenda_update"),
    path("agenda/<int:pk>/delete/", views.AgendaDeleteView.as_view(), name="agenda_delete"),
    path("agenda/<int:pk>/move/", views.AgendaMoveView.as_view(), name="agenda_move"),
    path(
        "agenda/<int:pk>/topics/<int:topic_pk>/move/",
        views.AgendaTopicMoveView.as_view(),
        name="agenda_topic_move",
    ),
    path(
        "agenda/<int:pk>/decisions/<int:index>/tasks/",
        views.DecisionTasksView.as_view(),
        name="decision_tasks",
    ),
    path("signin/", views.SigninView.as_view(), name="signin"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("rules/", views.LifeRuleListView.as_view(), name="liferule_list"),
    path("rules/<int:pk>/edit/", views.LifeRuleUpdateView.as_view(), name="liferule_update"),
]
