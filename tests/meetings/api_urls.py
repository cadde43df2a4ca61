"""The project's URLs plus the meetings API (until it is registered in config/api_urls.py)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from dangjian.config.urls import urlpatterns as project_urls
from dangjian.meetings.api import MeetingViewSet

router = DefaultRouter()
router.register("meetings", MeetingViewSet, basename="api-meeting")

urlpatterns = [path("api-test/", include(router.urls)), *project_urls]
