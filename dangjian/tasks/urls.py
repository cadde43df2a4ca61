from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.TaskBoardView.as_view(), name="task_board"),
    path("list/", views.TaskListView.as_view(), name="task_list"),
    path("new/", views.TaskCreateView.as_view(), name="task_create"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("<int:pk>/edit/", views.TaskUpdateView.as_view(), name="task_update"),
    path("<int:pk>/start/", views.TaskStartView.as_view(), name="task_start"),
    path("<int:pk>/progress/", views.ProgressCreateView.as_view(), name="progress_create"),
    path("<int:pk>/closure/", views.ClosureRequestView.as_view(), name="closure_request"),
    path("<int:pk>/approve/", views.ClosureApproveView.as_view(), name="closure_approve"),
    path("<int:pk>/return/", views.ClosureReturnView.as_view(), name="closure_return"),
    path(
        "attachments/<int:pk>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path(
        "notifications/<int:pk>/read/",
        views.NotificationReadView.as_view(),
        name="notification_read",
    ),
]
