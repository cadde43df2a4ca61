"""REST API of meetings with their agenda and attendance (same services and scope as the pages).

Register in dangjian/config/api_urls.py::

    router.register("meetings", MeetingViewSet, basename="api-meeting")
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dangjian.access.roles import Action
from dangjian.core.api import (
    NamedChoiceField,
    PolicyViewSetMixin,
    ScopedPrimaryKeyRelatedField,
    UserFilterBackend,
    VersionedUpdateMixin,
    error_responses,
    reread,
)
from dangjian.organizations.api import OrganizationField
from dangjian.people.models import Member

from . import selectors, services
from .filters import MeetingFilter
from .models import (
    AgendaItem,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Measure,
    Meeting,
    MeetingKind,
    StatementBlock,
    StatementKind,
)


class AttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    status = NamedChoiceField(
        enum_name="AttendanceStatusEnum", choices=AttendanceStatus.choices, read_only=True
    )

    role = NamedChoiceField(
        enum_name="AttendanceRoleEnum", choices=AttendanceRole.choices, read_only=True
    )

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "role", "status", "reason", "signed_in_at", "via_qr"]
        read_only_fields = fields


class MeasureSerializer(serializers.ModelSerializer):
    """A measure, verbatim; ``number`` is 1 for 一要…, null when it is not numbered."""

    class Meta:
        model = Measure
        fields = ["id", "order", "number", "text"]
        read_only_fields = fields


class StatementBlockSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(
        enum_name="StatementKindEnum", choices=StatementKind.choices, read_only=True
    )
    topics = serializers.SerializerMethodField()
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = StatementBlock
        fields = ["id", "order", "kind", "prose", "topics", "measures"]
        read_only_fields = fields

    def get_topics(self, block) -> list[int]:
        return sorted(t.pk for t in block.topics.all())


class AgendaItemSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(
        enum_name="AgendaItemKindEnum", choices=AgendaItem.Kind.choices, read_only=True
    )
    topics = serializers.SerializerMethodField(help_text="Topic ids in the report's order.")
    topics_named_in_blocks_only = serializers.SerializerMethodField()
    blocks = StatementBlockSerializer(many=True, read_only=True, source="block_list")

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "order",
            "kind",
            "title",
            "topics",
            "topics_named_in_blocks_only",
            "minutes",
            "decisions",
            "blocks",
        ]
        read_only_fields = fields

    def get_topics(self, item) -> list[int]:
        return [r.topic_id for r in item.topic_rows]

    def get_topics_named_in_blocks_only(self, item) -> list[int]:
        return [r.topic_id for r in item.topic_rows if not r.listed]


class MeetingSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind = NamedChoiceField(enum_name="MeetingKindEnum", choices=MeetingKind.choices)
    status = NamedChoiceField(
        enum_name="MeetingStatusEnum", choices=Meeting.Status.choices, read_only=True
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "venue",
            "status",
            "chair",
            "recorder",
            "chair_name",
            "invited_leaders",
            "summary",
            "version",
        ]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    agenda_items = AgendaItemSerializer(many=True, read_only=True)
    attendances = AttendanceSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda_items", "attendances"]
        read_only_fields = fields


class MemberRefField(ScopedPrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(model=Member, action=Action.MEMBER_VIEW, **kwargs)


class LeaderSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True)


class MeetingCreateSerializer(serializers.Serializer):
    organization = OrganizationField()
    kind = NamedChoiceField(enum_name="MeetingKindEnum", choices=MeetingKind.choices)
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    chair = MemberRefField(required=False, allow_null=True)
    recorder = MemberRefField(required=False, allow_null=True)
    chair_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    invited_leaders = LeaderSerializer(many=True, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)


class MeetingUpdateSerializer(VersionedUpdateMixin, MeetingCreateSerializer):
    organization = OrganizationField(required=False, help_text="Cannot change.")
    version = serializers.IntegerField(
        min_value=1, help_text="The `version` you read; a stale one is refused with 409."
    )


class AttendanceEntrySerializer(serializers.Serializer):
    member = MemberRefField()
    status = NamedChoiceField(enum_name="AttendanceStatusEnum", choices=AttendanceStatus.choices)
    role = NamedChoiceField(
        enum_name="AttendanceRoleEnum", choices=AttendanceRole.choices, required=False
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AttendanceInputSerializer(serializers.Serializer):
    entries = AttendanceEntrySerializer(many=True)
    version = serializers.IntegerField(min_value=1, required=False)


def _topics_in_order(serializer, value) -> list:
    from dangjian.study.models import Topic

    user = serializer.context["request"].user
    found = {
        t.pk: t for t in Topic.objects.restrict(user, Action.MEETING_VIEW).filter(pk__in=value)
    }
    if len(found) != len(set(value)):
        raise serializers.ValidationError(_("A topic is not in the library or not visible to you."))
    return [found[pk] for pk in dict.fromkeys(value)]


class MeasureInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    number = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Omitted: read from 一要…"
    )


class BlockInputSerializer(serializers.Serializer):
    kind = NamedChoiceField(enum_name="StatementKindEnum", choices=StatementKind.choices)
    prose = serializers.CharField(required=False, allow_blank=True)
    topics = serializers.ListField(child=serializers.IntegerField(), required=False)
    measures = MeasureInputSerializer(many=True, required=False)

    def validate_topics(self, value):
        return _topics_in_order(self, value)


class AgendaInputSerializer(serializers.Serializer):
    kind = NamedChoiceField(enum_name="AgendaItemKindEnum", choices=AgendaItem.Kind.choices)
    title = serializers.CharField(max_length=300)
    topics = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="In the report's order."
    )
    minutes = serializers.CharField(required=False, allow_blank=True)
    decisions = serializers.ListField(child=serializers.CharField(max_length=2000), required=False)
    blocks = BlockInputSerializer(many=True, required=False)
    order = serializers.IntegerField(min_value=1, required=False)

    def validate_topics(self, value):
        return _topics_in_order(self, value)

    def validate_blocks(self, value):
        return [
            {**block, "measures": [{"number": "auto", **m} for m in block.get("measures", [])]}
            for block in value
        ]


@extend_schema_view(
    list=extend_schema(
        summary="Meetings in your scope",
        responses={200: MeetingSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One meeting with its agenda and attendance",
        responses={200: MeetingDetailSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Record a meeting (expected attendees filled in by default)",
        request=MeetingCreateSerializer,
        responses={201: MeetingDetailSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a meeting",
        request=MeetingUpdateSerializer,
        responses={200: MeetingDetailSerializer, **error_responses(400, 403, 404, 409)},
    ),
)
class MeetingViewSet(PolicyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Meetings of leading groups and branches, with agenda and attendance."""

    serializer_class = MeetingSerializer
    filter_backends = [UserFilterBackend]
    filterset_class = MeetingFilter
    policy_actions = {
        "list": Action.MEETING_VIEW,
        "retrieve": Action.MEETING_VIEW,
        "create": Action.MEETING_MANAGE,
        "partial_update": Action.MEETING_MANAGE,
        "attendance": Action.MEETING_MANAGE,
        "agenda": Action.MEETING_MANAGE,
        "held": Action.MEETING_MANAGE,
        "cancel": Action.MEETING_MANAGE,
    }

    def get_queryset(self):
        if self.action == "list":
            return (
                Meeting.objects.restrict(self.request.user, Action.MEETING_VIEW)
                .select_related("organization")
                .order_by("-starts_at", "-id")
            )
        return selectors.meeting_detail_queryset(user=self.request.user)

    def _detail(self, pk) -> dict:
        meeting = reread(selectors.meeting_detail_queryset(user=self.request.user), pk)
        return MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data

    def _valid(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def retrieve(self, request, pk=None):
        meeting = self.get_object()
        return Response(
            MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data
        )

    def create(self, request):
        data = self._valid(MeetingCreateSerializer)
        with transaction.atomic():
            meeting = services.meeting_create(actor=request.user, **data)
            body = self._detail(meeting.pk)
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        meeting = self.get_object()
        data = self._valid(MeetingUpdateSerializer, partial=True)
        with transaction.atomic():
            services.meeting_update(actor=request.user, meeting=meeting, **data)
            body = self._detail(meeting.pk)
        return Response(body)

    @extend_schema(
        summary="Record attendance (all entries or none)",
        request=AttendanceInputSerializer,
        responses={200: MeetingDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        meeting = self.get_object()
        data = self._valid(AttendanceInputSerializer)
        entries = [dict(e) for e in data["entries"]]
        services.attendance_record(
            actor=request.user, meeting=meeting, entries=entries, version=data.get("version")
        )
        return Response(self._detail(meeting.pk))

    @extend_schema(
        summary="Add an agenda item",
        request=AgendaInputSerializer,
        responses={201: AgendaItemSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        meeting = self.get_object()
        data = self._valid(AgendaInputSerializer)
        item = services.agenda_item_add(actor=request.user, meeting=meeting, **data)
        item = AgendaItem.objects.prefetch_related(selectors.TOPIC_ROWS, selectors.BLOCKS).get(
            pk=item.pk
        )
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record that the meeting was held",
        request=None,
        responses={200: MeetingDetailSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        meeting = self.get_object()
        services.meeting_mark_held(actor=request.user, meeting=meeting)
        return Response(self._detail(meeting.pk))

    @extend_schema(
        summary="Cancel the meeting",
        request=None,
        responses={200: MeetingDetailSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        services.meeting_cancel(actor=request.user, meeting=meeting)
        return Response(self._detail(meeting.pk))
