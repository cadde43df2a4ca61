"""REST API of campaigns, their requirements and planned activities, activities, the
submissions and the ledger (台账): the same scope, services and messages as the pages.

Reads start from the restricted querysets (``restrict(user, meeting.view)``; outside
scope: 404), writes go through :mod:`dangjian.campaigns.services` (policy checked
again, validated, audited). Router lines (dangjian/config/api_urls.py)::

    router.register("campaigns", CampaignViewSet, basename="api-campaign")
    router.register("activities", ActivityViewSet, basename="api-activity")
    router.register("submissions", SubmissionViewSet, basename="api-submission")

Files (the notice, presentation materials, photos) are not uploaded here; the
answers link to the pages that serve them.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.api import (
    Conflict,
    NamedChoiceField,
    PolicyViewSetMixin,
    ScopedPrimaryKeyRelatedField,
    VersionedUpdateMixin,
    error_responses,
    reread,
)
from dangjian.core.api import validated as _validated
from dangjian.meetings.models import MeetingKind
from dangjian.organizations.models import Organization, OrganizationKind, Unit
from dangjian.training.capabilities import Capability
from dangjian.training.models import TrainingKind

from . import selectors, services
from .models import (
    Activity,
    ActivityPhoto,
    ActivityType,
    Campaign,
    LeaderRole,
    PlannedActivity,
    Presentation,
    Requirement,
    Submission,
)

VIEW = Action.MEETING_VIEW
VERSION_HELP = "The `version` you read; a stale one is refused with 409."


def _lock_version(model, pk, version) -> None:
    """Refuse a stale ``version`` with 409, holding the row until the service has written.

    Call inside the transaction of the service call."""
    current = (
        model.objects.select_for_update(of=("self",))
        .filter(pk=pk)
        .values_list("version", flat=True)
        .first()
    )
    if current is not None and current != version:
        raise Conflict()


def _require(allowed: bool) -> None:
    """The service's own check for this object, before the input is read (403)."""
    if not allowed:
        raise exceptions.PermissionDenied()


def _can_review(user, submission) -> bool:
    return policy.can(user, Action.SUBMISSION_REVIEW, submission.organization)


def _capabilities(**kwargs):
    return serializers.ListField(
        child=NamedChoiceField(enum_name="CapabilityEnum", choices=Capability.choices), **kwargs
    )


def _type_field(**kwargs):
    return NamedChoiceField(enum_name="ActivityTypeEnum", choices=ActivityType.choices, **kwargs)


def _types_field():
    return serializers.ListField(
        child=_type_field(),
        required=False,
        help_text="Several kinds of one event, in order (启动仪式暨论坛); the first becomes type.",
    )


def _organizer_text_field():
    return serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Organised in the name of, e.g. the organ itself (text).",
    )


class OrgRefField(ScopedPrimaryKeyRelatedField):
    """An organization the user may ``action`` (others: "does not exist", 400)."""

    def __init__(self, action=VIEW, **kwargs):
        super().__init__(model=Organization, action=action, **kwargs)


class CampaignRefField(ScopedPrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(model=Campaign, action=VIEW, **kwargs)


class RequirementRefField(serializers.PrimaryKeyRelatedField):
    """A requirement of a campaign the user can see."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Requirement.objects.none(), **kwargs)

    def get_queryset(self):
        user = getattr(self.context.get("request"), "user", None)
        visible = Campaign.objects.restrict(user, VIEW)
        return Requirement.objects.filter(campaign__in=visible).select_related(
            "campaign", "campaign__covered"
        )


# ---------------------------------------------------------------- reading


class RequirementSerializer(serializers.ModelSerializer):
    organization_kinds = serializers.ListField(
        child=NamedChoiceField(enum_name="OrganizationKindEnum", choices=OrganizationKind.choices),
        read_only=True,
        help_text="Empty: every organization in the covered subtree.",
    )

    class Meta:
        model = Requirement
        fields = [
            "id",
            "campaign",
            "title",
            "description",
            "organization_kinds",
            "due_on",
            "meeting_kind",
            "training_kind",
        ]
        read_only_fields = fields


class PlannedActivitySerializer(serializers.ModelSerializer):
    type = _type_field(read_only=True)
    owner_organization_name = serializers.CharField(
        source="owner_organization.name", read_only=True, default=None
    )
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True, default=None)

    class Meta:
        model = PlannedActivity
        fields = [
            "id",
            "campaign",
            "type",
            "theme",
            "owner_organization",
            "owner_organization_name",
            "owner_unit",
            "owner_unit_name",
            "starts_on",
            "ends_on",
        ]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    covered_name = serializers.CharField(source="covered.name", read_only=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, default=None)
    capabilities = _capabilities(read_only=True)
    requirement_count = serializers.IntegerField(read_only=True)
    notice_url = serializers.SerializerMethodField(
        help_text="The notice attachment (a page of the platform), or null."
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "parent",
            "parent_name",
            "organization",
            "organization_name",
            "issued_by_text",
            "superior_body",
            "covered",
            "covered_name",
            "starts_on",
            "ends_on",
            "capabilities",
            "main_capability",
            "requirement_count",
            "notice_file_name",
            "notice_url",
            "version",
        ]
        read_only_fields = fields

    def get_notice_url(self, obj) -> str | None:
        if not obj.notice_file:
            return None
        return reverse("campaigns:notice_download", args=[obj.pk])


class CampaignDetailSerializer(CampaignSerializer):
    requirements = RequirementSerializer(many=True, read_only=True)
    planned_activities = PlannedActivitySerializer(many=True, read_only=True)

    class Meta(CampaignSerializer.Meta):
        fields = [
            *CampaignSerializer.Meta.fields,
            "notice",
            "goals",
            "requirements",
            "planned_activities",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ActivityLeaderSerializer(serializers.Serializer):
    """A leader present; checked by the service (names, roles, who entrusted them)."""

    name = serializers.CharField(allow_blank=True)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    role = serializers.CharField(
        help_text="One of: " + ", ".join(LeaderRole.values) + " (entrusted: 受…委托)."
    )
    entrusted_by = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Only for role entrusted."
    )


class ActivityPresentationSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(
        source="organization.name", read_only=True, default=None
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)
    recommended_by_unit_name = serializers.CharField(
        source="recommended_by_unit.name", read_only=True, default=None
    )
    presenter_label = serializers.CharField(read_only=True)
    material_url = serializers.SerializerMethodField()

    class Meta:
        model = Presentation
        fields = [
            "id",
            "order",
            "organization",
            "organization_name",
            "unit",
            "unit_name",
            "recommended_by_unit",
            "recommended_by_unit_name",
            "presenter",
            "presenter_label",
            "topic",
            "summary",
            "material_name",
            "material_url",
            "exemplary",
            "exemplary_note",
            "source",
        ]
        read_only_fields = fields

    def get_material_url(self, obj) -> str | None:
        if not obj.material:
            return None
        return reverse("campaigns:presentation_material", args=[obj.pk])


class ActivityPhotoSerializer(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ActivityPhoto
        fields = ["id", "caption", "width", "height", "image_url", "thumbnail_url"]
        read_only_fields = fields

    def get_image_url(self, obj) -> str:
        return reverse("campaigns:photo_image", args=[obj.pk])

    def get_thumbnail_url(self, obj) -> str:
        return reverse("campaigns:photo_thumbnail", args=[obj.pk])


class ActivitySerializer(serializers.ModelSerializer):
    type = _type_field(read_only=True)
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    types = serializers.ListField(
        source="kinds",
        child=_type_field(),
        read_only=True,
        help_text="All the kinds of the event, in order; type is the first.",
    )
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    campaign_name = serializers.CharField(source="campaign.name", read_only=True, default=None)
    presentation_count = serializers.IntegerField(read_only=True)
    photo_count = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "type",
            "type_display",
            "types",
            "title",
            "theme",
            "held_on",
            "venue",
            "organization",
            "organization_name",
            "organizer_text",
            "campaign",
            "campaign_name",
            "exemplary",
            "presentation_count",
            "photo_count",
            "version",
        ]
        read_only_fields = fields


class ActivityDetailSerializer(ActivitySerializer):
    leaders = ActivityLeaderSerializer(many=True, read_only=True)
    presentations = ActivityPresentationSerializer(many=True, read_only=True)
    photos = ActivityPhotoSerializer(many=True, read_only=True)

    class Meta(ActivitySerializer.Meta):
        fields = [
            *ActivitySerializer.Meta.fields,
            "summary",
            "leaders",
            "participant_groups",
            "participants",
            "exemplary_note",
            "presentations",
            "photos",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(
        enum_name="SubmissionStatusEnum", choices=Submission.Status.choices, read_only=True
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    campaign = serializers.IntegerField(source="requirement.campaign_id", read_only=True)
    requirement_title = serializers.CharField(source="requirement.title", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    activity_title = serializers.CharField(source="activity.title", read_only=True)
    activity_held_on = serializers.DateField(source="activity.held_on", read_only=True)
    record_title = serializers.CharField(
        read_only=True, help_text="Title of the reported activity, meeting or training."
    )
    reviewer_name = serializers.CharField(source="reviewer.__str__", read_only=True, default=None)

    class Meta:
        model = Submission
        fields = [
            "id",
            "campaign",
            "requirement",
            "requirement_title",
            "organization",
            "organization_name",
            "activity",
            "activity_title",
            "activity_held_on",
            "meeting",
            "training",
            "record_title",
            "status",
            "status_display",
            "comment",
            "reported_at",
            "reviewer_name",
            "reviewed_at",
        ]
        read_only_fields = fields


# ---------------------------------------------------------------- the ledger


class LedgerCellSerializer(serializers.Serializer):
    requirement = serializers.IntegerField(source="requirement.pk", read_only=True)
    status = NamedChoiceField(
        enum_name="LedgerCellStatusEnum",
        choices=["na", "missing", "ready", *Submission.Status.values],
        read_only=True,
        help_text=(
            "na: the requirement does not apply; missing: not reported; ready: a meeting or "
            "training the organization recorded meets it, to be submitted with one click."
        ),
    )
    late = serializers.BooleanField(
        read_only=True, help_text="Past the due date and not reported (or returned)."
    )
    submission = serializers.IntegerField(source="submission.pk", read_only=True, default=None)
    activity = serializers.IntegerField(
        source="submission.activity_id", read_only=True, default=None
    )
    activity_title = serializers.CharField(
        source="submission.activity.title", read_only=True, default=None
    )
    comment = serializers.CharField(source="submission.comment", read_only=True, default=None)
    record_title = serializers.SerializerMethodField(
        help_text="The reported record, or the recorded meeting or training ready to submit."
    )

    def get_record_title(self, cell) -> str | None:
        if cell.submission is not None:
            return cell.submission.record_title
        return cell.record.title if cell.record is not None else None


class LedgerRowSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization.pk", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    cells = LedgerCellSerializer(many=True, read_only=True)


class LedgerRequirementSerializer(serializers.Serializer):
    requirement = serializers.IntegerField(source="requirement.pk", read_only=True)
    title = serializers.CharField(source="requirement.title", read_only=True)
    due_on = serializers.DateField(source="requirement.due_on", read_only=True)
    applicable = serializers.IntegerField(read_only=True)
    reported = serializers.IntegerField(read_only=True)
    accepted = serializers.IntegerField(read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text="Accepted of applicable, %.")


class LedgerSubtreeSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization.pk", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    applicable = serializers.IntegerField(read_only=True)
    reported = serializers.IntegerField(read_only=True)
    accepted = serializers.IntegerField(read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text="Accepted of applicable, %.")
    reported_percent = serializers.IntegerField(read_only=True)


class LedgerSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(source="campaign.pk", read_only=True)
    applicable = serializers.IntegerField(read_only=True)
    reported = serializers.IntegerField(read_only=True)
    accepted = serializers.IntegerField(read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text="Accepted of applicable, %.")
    requirements = LedgerRequirementSerializer(source="per_requirement", many=True, read_only=True)
    rows = LedgerRowSerializer(
        many=True,
        read_only=True,
        help_text="Organizations of the covered subtree in your scope × the requirements.",
    )
    by_subtree = LedgerSubtreeSerializer(
        many=True, read_only=True, help_text="Completion per child of the covered organization."
    )


# ---------------------------------------------------------------- writing


class CampaignCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    parent = CampaignRefField(required=False, allow_null=True)
    organization = OrgRefField(Action.CAMPAIGN_MANAGE, help_text="The issuing organization.")
    covered = OrgRefField(
        Action.CAMPAIGN_MANAGE,
        help_text="The campaign covers this organization and its subtree (the issuer's own).",
    )
    notice = serializers.CharField(required=False, allow_blank=True, default="")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    capabilities = _capabilities(required=False, default=list)
    main_capability = serializers.ChoiceField(
        choices=Capability.choices, required=False, allow_blank=True, default=""
    )
    issued_by_text = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The ad-hoc body that issued the notice by decision of the organization (text).",
    )
    superior_body = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The superior body instructing from outside the tree (text).",
    )
    goals = serializers.CharField(required=False, allow_blank=True, default="")


class CampaignUpdateSerializer(VersionedUpdateMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    parent = CampaignRefField(required=False, allow_null=True)
    covered = OrgRefField(Action.CAMPAIGN_MANAGE, required=False)
    notice = serializers.CharField(required=False, allow_blank=True)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    capabilities = _capabilities(required=False)
    main_capability = serializers.ChoiceField(
        choices=Capability.choices, required=False, allow_blank=True
    )
    issued_by_text = serializers.CharField(max_length=100, required=False, allow_blank=True)
    superior_body = serializers.CharField(max_length=100, required=False, allow_blank=True)
    goals = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class RequirementInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    organization_kinds = serializers.ListField(
        child=NamedChoiceField(enum_name="OrganizationKindEnum", choices=OrganizationKind.choices),
        required=False,
        default=list,
    )
    due_on = serializers.DateField(help_text="Inside the campaign's period.")
    meeting_kind = serializers.ChoiceField(
        choices=MeetingKind.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Met by the organizations' own meetings of this kind (one-click report).",
    )
    training_kind = serializers.ChoiceField(
        choices=TrainingKind.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Met by a training of this kind held by the organization or above it.",
    )


class PlannedActivityInputSerializer(serializers.Serializer):
    type = _type_field()
    theme = serializers.CharField(max_length=200)
    owner_organization = OrgRefField(required=False, allow_null=True)
    owner_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)


class ActivityCreateSerializer(serializers.Serializer):
    type = _type_field()
    title = serializers.CharField(max_length=200)
    theme = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    held_on = serializers.DateField()
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    organization = OrgRefField(Action.MEETING_MANAGE, help_text="The organizer.")
    types = _types_field()
    organizer_text = _organizer_text_field()
    campaign = CampaignRefField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    leaders = ActivityLeaderSerializer(many=True, required=False, default=list)
    participant_groups = serializers.CharField(required=False, allow_blank=True, default="")
    participants = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class ActivityUpdateSerializer(VersionedUpdateMixin, serializers.Serializer):
    type = _type_field(required=False)
    title = serializers.CharField(max_length=200, required=False)
    theme = serializers.CharField(max_length=200, required=False, allow_blank=True)
    held_on = serializers.DateField(required=False)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    types = _types_field()
    organizer_text = _organizer_text_field()
    campaign = CampaignRefField(required=False, allow_null=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    leaders = ActivityLeaderSerializer(many=True, required=False)
    participant_groups = serializers.CharField(required=False, allow_blank=True)
    participants = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class SubmissionReportSerializer(serializers.Serializer):
    requirement = RequirementRefField()
    organization = OrgRefField(
        Action.MEETING_MANAGE, help_text="The reporting organization (in the covered subtree)."
    )
    activity = ScopedPrimaryKeyRelatedField(
        model=Activity,
        action=VIEW,
        help_text="Organized by the reporting organization, above or below it.",
    )


class SubmissionReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=1000)


class SubmissionAcceptSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class CampaignRemindedSerializer(serializers.Serializer):
    reminded = serializers.IntegerField(help_text="Reminders sent now (0: all already reminded).")


class CampaignQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, required=False, help_text="Part of name or goals.")


class ActivityQuerySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ActivityType.choices, required=False)
    campaign = CampaignRefField(required=False)
    organization = OrgRefField(required=False, help_text="Organized in this subtree.")
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    q = serializers.CharField(max_length=100, required=False, help_text="Part of title or theme.")


class SubmissionQuerySerializer(serializers.Serializer):
    campaign = CampaignRefField(required=False)
    requirement = RequirementRefField(required=False)
    organization = OrgRefField(required=False, help_text="Reported by this subtree.")
    status = serializers.ChoiceField(choices=Submission.Status.choices, required=False)


# ---------------------------------------------------------------- campaigns


class _Base(PolicyViewSetMixin, viewsets.GenericViewSet):
    def _valid(self, serializer_class, **kwargs) -> dict:
        return _validated(self, serializer_class, self.request.data, **kwargs)

    def _query(self, serializer_class) -> dict:
        return _validated(self, serializer_class, self.request.query_params)


@extend_schema_view(
    list=extend_schema(
        summary="Campaigns issued in your scope or covering part of it",
        parameters=[CampaignQuerySerializer],
        responses={200: CampaignSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One campaign with its requirements and planned series activities",
        responses={200: CampaignDetailSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Launch a campaign",
        request=CampaignCreateSerializer,
        responses={201: CampaignDetailSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a campaign (not its issuing organization)",
        request=CampaignUpdateSerializer,
        responses={200: CampaignDetailSerializer, **error_responses(400, 403, 404, 409)},
    ),
)
class CampaignViewSet(mixins.ListModelMixin, _Base):
    """Campaigns (专项行动) with their reporting requirements, series activities and ledger."""

    serializer_class = CampaignSerializer
    policy_actions = {
        "list": VIEW,
        "retrieve": VIEW,
        "create": Action.CAMPAIGN_MANAGE,
        "partial_update": Action.CAMPAIGN_MANAGE,
        "requirements": VIEW,  # adding one: campaign.manage, checked in the action
        "planned_activities": VIEW,
        "ledger": VIEW,
        "remind_late": Action.CAMPAIGN_MANAGE,
    }

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            search = self._query(CampaignQuerySerializer).get("q", "").strip()
            return selectors.campaign_list(user=user, search=search)
        return Campaign.objects.restrict(user, VIEW).select_related(
            "organization", "covered", "parent"
        )

    def _detail(self, pk) -> dict:
        qs = (
            Campaign.objects.restrict(self.request.user, VIEW)
            .select_related("organization", "covered", "parent")
            .annotate(requirement_count=Count("requirements", distinct=True))
            .prefetch_related(
                "requirements",
                "planned_activities__owner_organization",
                "planned_activities__owner_unit",
            )
        )
        return CampaignDetailSerializer(reread(qs, pk), context=self.get_serializer_context()).data

    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object().pk))

    def create(self, request):
        data = self._valid(CampaignCreateSerializer)
        with transaction.atomic():
            campaign = services.campaign_create(actor=request.user, **data)
            body = self._detail(campaign.pk)
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        campaign = self.get_object()
        self._manage(campaign)
        data = self._valid(CampaignUpdateSerializer, partial=True)
        version = data.pop("version")
        with transaction.atomic():
            _lock_version(Campaign, campaign.pk, version)
            services.campaign_update(actor=request.user, campaign=campaign, version=version, **data)
            body = self._detail(campaign.pk)
        return Response(body)

    def _manage(self, campaign) -> None:
        """Visible but not this user's to manage: 403 before looking at the input."""
        _require(services.can_manage_campaign(self.request.user, campaign))

    @extend_schema(
        methods=["get"],
        summary="The campaign's reporting requirements",
        responses={200: RequirementSerializer(many=True), **error_responses(403, 404)},
    )
    @extend_schema(
        methods=["post"],
        summary="Add a reporting requirement (due inside the campaign's period)",
        request=RequirementInputSerializer,
        responses={201: RequirementSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def requirements(self, request, pk=None):
        campaign = self.get_object()
        if request.method == "GET":
            items = campaign.requirements.order_by("due_on", "id")
            return Response(RequirementSerializer(items, many=True).data)
        self._manage(campaign)
        data = self._valid(RequirementInputSerializer)
        requirement = services.requirement_add(actor=request.user, campaign=campaign, **data)
        return Response(RequirementSerializer(requirement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        summary="The campaign's planned series activities",
        responses={200: PlannedActivitySerializer(many=True), **error_responses(403, 404)},
    )
    @extend_schema(
        methods=["post"],
        summary="Plan a series activity",
        request=PlannedActivityInputSerializer,
        responses={201: PlannedActivitySerializer, **error_responses(400, 403, 404)},
    )
    @action(
        detail=True, methods=["get", "post"], url_path="planned-activities", pagination_class=None
    )
    def planned_activities(self, request, pk=None):
        campaign = self.get_object()
        if request.method == "GET":
            items = campaign.planned_activities.select_related(
                "owner_organization", "owner_unit"
            ).order_by("starts_on", "id")
            return Response(PlannedActivitySerializer(items, many=True).data)
        self._manage(campaign)
        data = self._valid(PlannedActivityInputSerializer)
        planned = services.planned_activity_add(actor=request.user, campaign=campaign, **data)
        return Response(PlannedActivitySerializer(planned).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The ledger (台账): organizations × requirements, completion by subtree",
        responses={200: LedgerSerializer, **error_responses(403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def ledger(self, request, pk=None):
        ledger = selectors.ledger(user=request.user, campaign=self.get_object())
        return Response(LedgerSerializer(ledger).data)

    @extend_schema(
        summary="Remind the organizations late with a requirement (once per lateness)",
        request=None,
        responses={200: CampaignRemindedSerializer, **error_responses(403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="remind-late")
    def remind_late(self, request, pk=None):
        campaign = self.get_object()
        sent = services.campaign_remind_late(actor=request.user, campaign=campaign)
        return Response({"reminded": sent})


# ---------------------------------------------------------------- activities


@extend_schema_view(
    list=extend_schema(
        summary="Activities organized in your scope",
        parameters=[ActivityQuerySerializer],
        responses={200: ActivitySerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One activity with its leaders, presentations and photos",
        responses={200: ActivityDetailSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Record an activity",
        request=ActivityCreateSerializer,
        responses={201: ActivityDetailSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Change an activity (not its organizer)",
        request=ActivityUpdateSerializer,
        responses={200: ActivityDetailSerializer, **error_responses(400, 403, 404, 409)},
    ),
)
class ActivityViewSet(mixins.ListModelMixin, _Base):
    """Activities (活动): launch ceremonies, forums, themed party days … with the leaders
    present and their role; presentations and photos are read here, edited on the pages."""

    serializer_class = ActivitySerializer
    policy_actions = {
        "list": VIEW,
        "retrieve": VIEW,
        "create": Action.MEETING_MANAGE,
        "partial_update": Action.MEETING_MANAGE,
    }

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            data = self._query(ActivityQuerySerializer)
            return selectors.activity_list(
                user=user,
                type=data.get("type", ""),
                campaign=data.get("campaign"),
                root=data.get("organization"),
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
                q=data.get("q", "").strip(),
            )
        return Activity.objects.restrict(user, VIEW).select_related("organization", "campaign")

    def _detail(self, pk) -> dict:
        from django.db.models import Prefetch

        qs = selectors.activity_list(user=self.request.user).prefetch_related(
            Prefetch(
                "presentations",
                queryset=Presentation.objects.select_related("organization", "unit").order_by(
                    "order", "id"
                ),
            ),
            Prefetch("photos", queryset=ActivityPhoto.objects.order_by("id")),
        )
        return ActivityDetailSerializer(reread(qs, pk), context=self.get_serializer_context()).data

    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object().pk))

    def create(self, request):
        data = self._valid(ActivityCreateSerializer)
        data["leaders"] = [dict(leader) for leader in data.get("leaders", [])]
        with transaction.atomic():
            activity = services.activity_create(actor=request.user, **data)
            body = self._detail(activity.pk)
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        activity = self.get_object()
        _require(services.can_manage_activity(request.user, activity))
        data = self._valid(ActivityUpdateSerializer, partial=True)
        version = data.pop("version")
        if "leaders" in data:
            data["leaders"] = [dict(leader) for leader in data["leaders"]]
        with transaction.atomic():
            _lock_version(Activity, activity.pk, version)
            services.activity_update(actor=request.user, activity=activity, version=version, **data)
            body = self._detail(activity.pk)
        return Response(body)


# ---------------------------------------------------------------- submissions


@extend_schema_view(
    list=extend_schema(
        summary="Submissions of organizations in your scope",
        parameters=[SubmissionQuerySerializer],
        responses={200: SubmissionSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One submission",
        responses={200: SubmissionSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Report an activity against a requirement (again, after a return)",
        request=SubmissionReportSerializer,
        responses={201: SubmissionSerializer, **error_responses(400, 403)},
    ),
)
class SubmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """The ledger's entries: one organization's report against one requirement."""

    serializer_class = SubmissionSerializer
    policy_actions = {
        "list": VIEW,
        "retrieve": VIEW,
        "create": Action.MEETING_MANAGE,
        "return_submission": Action.SUBMISSION_REVIEW,
        "accept": Action.SUBMISSION_REVIEW,
    }

    def get_queryset(self):
        qs = (
            Submission.objects.restrict(self.request.user, VIEW)
            .select_related(
                "requirement", "organization", "activity", "meeting", "training", "reviewer"
            )
            .order_by("requirement__due_on", "requirement_id", "organization__path", "id")
        )
        if self.action == "list":
            data = self._query(SubmissionQuerySerializer)
            if data.get("campaign") is not None:
                qs = qs.filter(requirement__campaign=data["campaign"])
            if data.get("requirement") is not None:
                qs = qs.filter(requirement=data["requirement"])
            if data.get("organization") is not None:
                qs = qs.filter(organization__path__startswith=data["organization"].path)
            if data.get("status"):
                qs = qs.filter(status=data["status"])
        return qs

    def _one(self, pk) -> dict:
        return SubmissionSerializer(reread(self.get_queryset(), pk)).data

    def create(self, request):
        data = self._valid(SubmissionReportSerializer)
        with transaction.atomic():
            submission = services.submission_report(actor=request.user, **data)
            body = self._one(submission.pk)
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Return a reported submission with the reason",
        request=SubmissionReturnSerializer,
        responses={200: SubmissionSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_submission(self, request, pk=None):
        submission = self.get_object()
        _require(_can_review(request.user, submission))
        data = self._valid(SubmissionReturnSerializer)
        with transaction.atomic():
            services.submission_return(
                actor=request.user, submission=submission, reason=data["reason"]
            )
            body = self._one(submission.pk)
        return Response(body)

    @extend_schema(
        summary="Accept a reported submission",
        request=SubmissionAcceptSerializer,
        responses={200: SubmissionSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        submission = self.get_object()
        _require(_can_review(request.user, submission))
        data = self._valid(SubmissionAcceptSerializer)
        with transaction.atomic():
            services.submission_accept(
                actor=request.user, submission=submission, comment=data["comment"]
            )
            body = self._one(submission.pk)
        return Response(body)
