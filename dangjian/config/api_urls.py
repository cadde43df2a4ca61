"""The REST API: one router for every app's viewsets, the schema and its docs.

The schema and its docs need a login like everything else: they describe
what the platform holds.
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from dangjian.access.api import MeView, TokenObtainView
from dangjian.campaigns.api import ActivityViewSet, CampaignViewSet, SubmissionViewSet
from dangjian.fourstrong.api import (
    AssessmentViewSet,
    CycleViewSet,
    IndicatorSystemViewSet,
    IndicatorViewSet,
)
from dangjian.meetings.api import MeetingViewSet
from dangjian.organizations.api import OrganizationViewSet, UnitViewSet
from dangjian.people.api import MemberViewSet, PostViewSet
from dangjian.study.api import TopicViewSet
from dangjian.tasks.api import TaskViewSet
from dangjian.training.api import TrainingHoursViewSet, TrainingViewSet

router = DefaultRouter()
router.include_format_suffixes = False  # JSON only
router.register("organizations", OrganizationViewSet, basename="api-organization")
router.register("units", UnitViewSet, basename="api-unit")
router.register("members", MemberViewSet, basename="api-member")
router.register("posts", PostViewSet, basename="api-post")
router.register("tasks", TaskViewSet, basename="api-task")
router.register("meetings", MeetingViewSet, basename="api-meeting")
router.register("topics", TopicViewSet, basename="api-topic")
router.register("trainings", TrainingViewSet, basename="api-training")
router.register("training-hours", TrainingHoursViewSet, basename="api-training-hours")
router.register("campaigns", CampaignViewSet, basename="api-campaign")
router.register("activities", ActivityViewSet, basename="api-activity")
router.register("submissions", SubmissionViewSet, basename="api-submission")
router.register("fourstrong/systems", IndicatorSystemViewSet, basename="api-fs-system")
router.register("fourstrong/indicators", IndicatorViewSet, basename="api-fs-indicator")
router.register("fourstrong/cycles", CycleViewSet, basename="api-fs-cycle")
router.register("fourstrong/assessments", AssessmentViewSet, basename="api-fs-assessment")

urlpatterns = [
    path(
        "openapi.json",
        SpectacularJSONAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="api-schema",
    ),
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", permission_classes=[IsAuthenticated]
            )
        ),
        name="api-docs",
    ),
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("reports/", include("dangjian.reports.import_api")),
    path("", include(router.urls)),
]
