"""The project's URLs plus the tasks API router (until it is registered in config/api_urls)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from dangjian.config.urls import urlpatterns as project_urls
from dangjian.tasks.api import TaskViewSet

router = DefaultRouter()
router.include_format_suffixes = False
router.register("tasks", TaskViewSet, basename="api-task")

urlpatterns = [path("api/", include(router.urls)), *project_urls]
