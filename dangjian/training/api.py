"""REST API of trainings: the records, their attendance and the hours overview.

The same scope and services as the pages: reads start from
``Training.objects.restrict(user, meeting.view)`` (outside scope: 404), writes go
through :mod:`dangjian.training.services` (policy checked again, validated,
audited; a stale ``version`` is 409). Router lines (dangjian/config/api_urls.py)::

    router.register("trainings", TrainingViewSet, basename="api-training")
    router.register("training-hours", TrainingHoursViewSet, basename="api-training-hours")
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.api import (
    NamedChoiceField,
    PolicyViewSetMixin,
    ScopedPrimaryKeyRelatedField,
    VersionedUpdateMixin,
    error_responses,
    reread,
)
from dangjian.core.api import validated as _validated
from dangjian.organizations.models import Organization
from dangjian.people.models import Member

from . import selectors, services
from .capabilities import CAPABILITY_CODES, Capability
from .models import Training, TrainingAttendance, TrainingKind

VIEW = Action.MEETING_VIEW
MANAGE = Action.MEETING_MANAGE
HOURS = {"max_digits": 4, "decimal_places": 1}
VERSION_HELP = "The `version` you read; a stale one is refused with 409."


def _capabilities(**kwargs):
    return serializers.ListField(
        child=NamedChoiceField(enum_name="CapabilityEnum", choices=Capability.choices),
        help_text="Codes of the seven capabilities the training builds (at least one).",
        allow_empty=False,
        # The form's message for none chosen.
        error_messages={"empty": _("Choose at least one capability the training builds.")},
        **kwargs,
    )


# Reading


class TrainingSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind = NamedChoiceField(
        enum_name="TrainingKindEnum", choices=TrainingKind.choices, read_only=True
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    hours = serializers.DecimalField(**HOURS, read_only=True)
    capabilities = _capabilities(read_only=True)
    capability_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    attendee_count = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Training
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "kind_display",
            "title",
            "date",
            "hours",
            "capabilities",
            "capability_labels",
            "summary",
            "attendee_count",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class TrainingAttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    member_organization = serializers.IntegerField(source="member.organization_id", read_only=True)
    member_organization_name = serializers.CharField(
        source="member.organization.name", read_only=True
    )
    hours = serializers.DecimalField(**HOURS, read_only=True)

    class Meta:
        model = TrainingAttendance
        fields = [
            "member",
            "member_name",
            "member_organization",
            "member_organization_name",
            "hours",
        ]
        read_only_fields = fields


class TrainingDetailSerializer(TrainingSerializer):
    attendances = TrainingAttendanceSerializer(many=True, read_only=True)

    class Meta(TrainingSerializer.Meta):
        fields = [*TrainingSerializer.Meta.fields, "attendances"]
        read_only_fields = fields


# Writing (shape only: the service validates the rest, exactly as for the form)


class OrganizationManagedField(ScopedPrimaryKeyRelatedField):
    """An organization where the user may record trainings (the form's picker)."""

    def __init__(self, **kwargs):
        super().__init__(model=Organization, action=MANAGE, **kwargs)


class TrainingCreateSerializer(serializers.Serializer):
    organization = OrganizationManagedField(help_text="The organizing organization.")
    kind = NamedChoiceField(enum_name="TrainingKindEnum", choices=TrainingKind.choices)
    title = serializers.CharField(max_length=200)
    date = serializers.DateField()
    hours = serializers.DecimalField(**HOURS, help_text="More than 0, at most 24.")
    capabilities = _capabilities()
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class TrainingUpdateSerializer(VersionedUpdateMixin, serializers.Serializer):
    kind = NamedChoiceField(
        enum_name="TrainingKindEnum", choices=TrainingKind.choices, required=False
    )
    title = serializers.CharField(max_length=200, required=False)
    date = serializers.DateField(required=False)
    hours = serializers.DecimalField(
        **HOURS,
        required=False,
        help_text="Attendees credited with the full hours follow a change.",
    )
    capabilities = _capabilities(required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class MemberRefField(ScopedPrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(model=Member, action=Action.MEMBER_VIEW, **kwargs)


class TrainingAttendanceEntrySerializer(serializers.Serializer):
    member = MemberRefField()
    hours = serializers.DecimalField(
        **HOURS,
        required=False,
        allow_null=True,
        help_text="Omitted or null: the training's hours.",
    )


class TrainingAttendanceInputSerializer(serializers.Serializer):
    entries = TrainingAttendanceEntrySerializer(
        many=True, help_text="Everyone who attended: replaces the list (empty clears it)."
    )
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


class TrainingQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1901, max_value=2999, required=False)
    capability = serializers.ChoiceField(choices=Capability.choices, required=False)
    organization = ScopedPrimaryKeyRelatedField(
        model=Organization,
        action=VIEW,
        required=False,
        help_text="Trainings organized by this organization or below it.",
    )
    q = serializers.CharField(max_length=100, required=False, help_text="Part of the title.")


@extend_schema_view(
    list=extend_schema(
        summary="Trainings in your scope",
        parameters=[TrainingQuerySerializer],
        responses={200: TrainingSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One training with who attended",
        responses={200: TrainingDetailSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Record a training",
        request=TrainingCreateSerializer,
        responses={201: TrainingDetailSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a training (not its organization)",
        request=TrainingUpdateSerializer,
        responses={200: TrainingDetailSerializer, **error_responses(400, 403, 404, 409)},
    ),
)
class TrainingViewSet(PolicyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Trainings and lectures (学习培训), tagged with the capabilities they build."""

    serializer_class = TrainingSerializer
    policy_actions = {
        "list": VIEW,
        "retrieve": VIEW,
        "create": MANAGE,
        "partial_update": MANAGE,
        "attendance": MANAGE,
    }

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return selectors.training_list(user=user, **self._list_filters())
        return Training.objects.restrict(user, VIEW).select_related("organization")

    def _list_filters(self) -> dict:
        data = _validated(self, TrainingQuerySerializer, self.request.query_params)
        return {
            "year": data.get("year"),
            "capability": data.get("capability"),
            "root": data.get("organization"),
            "q": data.get("q", "").strip(),
        }

    def _valid(self, serializer_class, **kwargs) -> dict:
        return _validated(self, serializer_class, self.request.data, **kwargs)

    def _detail(self, pk) -> dict:
        attendances = TrainingAttendance.objects.select_related(
            "member", "member__organization"
        ).order_by("member__name", "member_id")
        qs = (
            Training.objects.restrict(self.request.user, VIEW)
            .select_related("organization")
            .annotate(attendee_count=Count("attendances"))
            .prefetch_related(Prefetch("attendances", queryset=attendances))
        )
        training = reread(qs, pk)
        return TrainingDetailSerializer(training, context=self.get_serializer_context()).data

    def _managed(self) -> Training:
        """Visible (else 404) and the user's to record (else 403), before the input is read."""
        training = self.get_object()
        if not policy.can(self.request.user, MANAGE, training.organization):
            raise exceptions.PermissionDenied()
        return training

    def retrieve(self, request, pk=None):
        training = self.get_object()
        return Response(self._detail(training.pk))

    def create(self, request):
        data = self._valid(TrainingCreateSerializer)
        with transaction.atomic():
            training = services.training_create(actor=request.user, **data)
            body = self._detail(training.pk)
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        training = self._managed()
        data = self._valid(TrainingUpdateSerializer, partial=True)
        version = data.pop("version")
        with transaction.atomic():
            training = services.training_update(
                actor=request.user, training=training, version=version, **data
            )
            body = self._detail(training.pk)
        return Response(body)

    @extend_schema(
        summary="Set who attended and their hours (all entries or none)",
        request=TrainingAttendanceInputSerializer,
        responses={200: TrainingDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        training = self._managed()
        data = self._valid(TrainingAttendanceInputSerializer)
        entries = [(e["member"], e.get("hours")) for e in data["entries"]]
        with transaction.atomic():
            services.attendance_set(
                actor=request.user,
                training=training,
                entries=entries,
                version=data.get("version"),
            )
            body = self._detail(training.pk)
        return Response(body)


# The hours overview


class TrainingHoursQuerySerializer(serializers.Serializer):
    organization = ScopedPrimaryKeyRelatedField(
        model=Organization,
        action=VIEW,
        required=False,
        help_text="The subtree to sum up; by default the top of your scope.",
    )
    year = serializers.IntegerField(
        min_value=1901, max_value=2999, required=False, help_text="By default this year."
    )


def _hours_field():
    return serializers.DecimalField(max_digits=12, decimal_places=1, read_only=True)


# One field per capability code, then ``total`` (a training's hours counted once).
CapabilityHoursSerializer = type(
    "TrainingCapabilityHours",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "Hours per capability code, and the total (each training counted once).",
        **{code: _hours_field() for code in CAPABILITY_CODES},
        "total": _hours_field(),
    },
)


class TrainingHoursRowSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization.pk", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    own_members_only = serializers.BooleanField(
        read_only=True, help_text="True for the row of the root's own direct members."
    )
    members = serializers.IntegerField(read_only=True, help_text="Current members.")
    members_trained = serializers.IntegerField(source="attendee_count", read_only=True)
    hours = CapabilityHoursSerializer(read_only=True)
    hours_per_member = serializers.DecimalField(
        source="average", max_digits=12, decimal_places=1, read_only=True
    )


class TrainingCapabilitySerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)


class TrainingHoursSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="root.pk", read_only=True)
    organization_name = serializers.CharField(source="root.name", read_only=True)
    year = serializers.IntegerField(read_only=True)
    capabilities = TrainingCapabilitySerializer(many=True, read_only=True)
    total = TrainingHoursRowSerializer(read_only=True)
    rows = TrainingHoursRowSerializer(
        many=True,
        read_only=True,
        help_text="The root's own members (if any), then one row per direct child's subtree.",
    )


def _default_root(user) -> Organization | None:
    paths = policy.paths_for(user, VIEW)
    qs = Organization.objects.active()
    qs = qs.filter(parent__isnull=True) if paths is None else qs.filter(path__in=paths)
    # The widest granted subtree first.
    return qs.order_by("depth", "sort_order", "path").first()


@extend_schema_view(
    list=extend_schema(
        summary="Training hours of a subtree per capability in a year (学习培训学时)",
        description=(
            "Hours count for the attending member's organization and everything above it, "
            "whoever organized the training. A training tagged with several capabilities "
            "credits its hours to each; `total` counts them once."
        ),
        parameters=[TrainingHoursQuerySerializer],
        responses={200: TrainingHoursSerializer, **error_responses(400, 403, 404)},
    ),
)
class TrainingHoursViewSet(PolicyViewSetMixin, viewsets.GenericViewSet):
    """The hours overview: one object, not a list of rows."""

    serializer_class = TrainingHoursSerializer
    pagination_class = None
    policy_actions = {"list": VIEW}

    def get_queryset(self):
        return Organization.objects.restrict(self.request.user, VIEW)

    def list(self, request):
        data = _validated(self, TrainingHoursQuerySerializer, request.query_params)
        root = data.get("organization") or _default_root(request.user)
        if root is None:
            raise Http404
        year = data.get("year") or timezone.localdate().year
        overview = selectors.hours_overview(user=request.user, root=root, year=year)
        overview.total.own_members_only = False
        for row in overview.rows:
            row.own_members_only = row.organization.pk == root.pk
        body = {
            "root": root,
            "year": year,
            "capabilities": [
                {"code": c, "label": str(Capability(c).label)} for c in CAPABILITY_CODES
            ],
            "total": overview.total,
            "rows": overview.rows,
        }
        return Response(TrainingHoursSerializer(body, context=self.get_serializer_context()).data)
