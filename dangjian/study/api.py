"""REST API of the topic library: list and search, read, create, change.

Reading needs the right to see meetings somewhere; writing needs the right to
manage the library. Writes go through ``study.services`` like the pages.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from dangjian.access.roles import Action
from dangjian.core.api import (
    NamedChoiceField,
    PolicyViewSetMixin,
    VersionedUpdateMixin,
    error_responses,
)

from . import selectors, services
from .filters import TopicFilterForm
from .models import Topic, TopicAttachment, TopicKind


class TopicAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TopicAttachment
        fields = ["id", "name", "size", "created_at"]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(enum_name="TopicKindEnum", choices=TopicKind.choices, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Topic
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "speaker",
            "given_on",
            "source",
            "link",
            "tags",
            "organization",
            "version",
        ]
        read_only_fields = fields


class TopicDetailSerializer(TopicSerializer):
    attachments = TopicAttachmentSerializer(many=True, read_only=True)

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "text", "attachments", "created_at", "updated_at"]
        read_only_fields = fields


class TopicWriteSerializer(serializers.Serializer):
    """Validated here for shape; the service checks dates, tags and markup."""

    kind = NamedChoiceField(enum_name="TopicKindEnum", choices=TopicKind.choices)
    title = serializers.CharField(max_length=200)
    speaker = serializers.CharField(max_length=100, required=False, allow_blank=True)
    given_on = serializers.DateField(help_text="Not later than today.")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    link = serializers.URLField(max_length=500, required=False, allow_blank=True)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=services.MAX_TAGS,
        help_text="Short texts, at most 10.",
    )


class TopicUpdateSerializer(VersionedUpdateMixin, TopicWriteSerializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The `version` you read; a stale one is refused with 409."
    )


_LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Substring or keywords of title and text."),
    OpenApiParameter("kind", str, enum=[k for k, _ in TopicKind.choices]),
    OpenApiParameter("tag", str),
    OpenApiParameter("given_from", str, description="YYYY-MM-DD"),
    OpenApiParameter("given_to", str, description="YYYY-MM-DD"),
]


@extend_schema_view(
    list=extend_schema(
        summary="Topics of the library, searched and filtered",
        description=(
            "`q` matches a substring of title and text, or all its keywords "
            "(Chinese word segmentation); title matches come first, then the newest."
        ),
        parameters=_LIST_PARAMETERS,
        responses={200: TopicSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One topic with its text and attachments",
        responses={200: TopicDetailSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Add a topic to the library",
        request=TopicWriteSerializer,
        responses={201: TopicDetailSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a topic",
        description="Send the `version` you read.",
        request=TopicUpdateSerializer,
        responses={200: TopicDetailSerializer, **error_responses(400, 403, 404, 409)},
    ),
)
class TopicViewSet(PolicyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The topic library."""

    serializer_class = TopicSerializer
    policy_actions = {
        "list": Action.MEETING_VIEW,
        "retrieve": Action.MEETING_VIEW,
        "create": Action.TOPIC_MANAGE,
        "partial_update": Action.TOPIC_MANAGE,
    }

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            form = TopicFilterForm(self.request.query_params or None)
            if form.is_bound and not form.is_valid():
                raise serializers.ValidationError(form.errors)
            return selectors.topic_list(user=user, **form.selector_kwargs())
        return (
            Topic.objects.restrict(user, Action.MEETING_VIEW)
            .select_related("organization")
            .prefetch_related("attachments")
        )

    def _detail(self, pk) -> dict:
        topic = Topic.objects.prefetch_related("attachments").get(pk=pk)
        return TopicDetailSerializer(topic, context=self.get_serializer_context()).data

    def retrieve(self, request, pk=None):
        topic = self.get_object()
        return Response(TopicDetailSerializer(topic, context=self.get_serializer_context()).data)

    def create(self, request):
        data = self._valid(TopicWriteSerializer)
        with transaction.atomic():
            topic = services.topic_create(actor=request.user, **data)
            body = self._detail(topic.pk)
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        topic = self.get_object()
        # The step after the object (404): topic.manage on the owning organization (403).
        if not services.can_manage(request.user, topic):
            raise exceptions.PermissionDenied(services.not_owner_message(topic))
        data = self._valid(TopicUpdateSerializer, partial=True)
        version = data.pop("version")
        with transaction.atomic():
            topic = services.topic_update(actor=request.user, topic=topic, version=version, **data)
            body = self._detail(topic.pk)
        return Response(body)

    def _valid(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
