from django.urls import path

from . import views

app_name = "study"
urlpatterns = [
    path("", views.TopicListView.as_view(), name="topic_list"),
    path("new/", views.TopicCreateView.as_view(), name="topic_create"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("<int:pk>/", views.TopicDetailView.as_view(), name="topic_detail"),
    path("<int:pk>/edit/", views.TopicUpdateView.as_view(), name="topic_update"),
    path("<int:pk>/delete/", views.TopicDeleteView.as_view(), name="topic_delete"),
    path("<int:pk>/attachments/", views.AttachmentAddView.as_view(), name="attachment_add"),
    path(
        "attachments/<int:pk>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
    path(
        "attachments/<int:pk>/download/",
        views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
]
