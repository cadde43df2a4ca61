"""The site's URLs plus the topic API (until dangjian/config/api_urls.py registers it)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from dangjian.config.urls import urlpatterns as site_urlpatterns
from dangjian.study.api import TopicViewSet

router = DefaultRouter()
router.include_format_suffixes = False
router.register("topics", TopicViewSet, basename="api-topic")

urlpatterns = [path("api-test/", include(router.urls)), *site_urlpatterns]
