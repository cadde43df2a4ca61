"""REST API of implementation tasks: the same filters, scope and services as the pages.

Router line (dangjian/config/api_urls.py)::

    router.register("tasks", TaskViewSet, basename="api-task")
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, parsers, serializers, status, viewsets
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
from dangjian.organizations.models import Organization, Unit
from dangjian.people.models import Member

from . import selectors, services
from .filters import TaskFilter
from .models import ProgressReport, Task, TaskEvent, TaskPriority, TaskStatus


class TaskSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True, default=None)
    lead_organization_name = serializers.CharField(
        source="lead_organization.name", read_only=True, default=None
    )
    responsible_name = serializers.CharField(
        source="responsible.name", read_only=True, default=None
    )
    status = NamedChoiceField(
        enum_name="TaskStatusEnum", choices=TaskStatus.choices, read_only=True
    )
    priority = NamedChoiceField(
        enum_name="TaskPriorityEnum", choices=TaskPriority.choices, read_only=True
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Derived: open and past its deadline."
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "details",
            "organization",
            "organization_name",
            "origin_meeting",
            "origin_agenda_item",
            "parent",
            "weight",
            "lead_unit",
            "lead_unit_name",
            "lead_organization",
            "lead_organization_name",
            "responsible",
            "responsible_name",
            "deadline",
            "priority",
            "status",
            "status_display",
            "is_overdue",
            "progress",
            "closed_at",
            "created_at",
            "version",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["is_overdue"] = instance.is_overdue()
        return data


class AttachmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)


class ProgressReportSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True, default=None)
    attachments = AttachmentRefSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "reported_on",
            "text",
            "percent",
            "author_name",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields


class TaskEventSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(
        enum_name="TaskEventKindEnum", choices=TaskEvent.Kind.choices, read_only=True
    )
    actor_name = serializers.CharField(source="actor.__str__", read_only=True, default=None)

    class Meta:
        model = TaskEvent
        fields = ["id", "kind", "actor_name", "reason", "occurred_at"]
        read_only_fields = fields


class TaskDetailSerializer(TaskSerializer):
    cooperating_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    reports = ProgressReportSerializer(many=True, read_only=True)
    events = TaskEventSerializer(many=True, read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "cooperating_units", "reports", "events"]
        read_only_fields = fields


class UnitField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Unit.objects.all(), **kwargs)


class TaskCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    details = serializers.CharField(required=False, allow_blank=True, default="")
    organization = ScopedPrimaryKeyRelatedField(
        model=Organization, action=Action.TASK_MANAGE, help_text="The issuing organization."
    )
    deadline = serializers.DateField(help_text="Not before today.")
    priority = NamedChoiceField(
        enum_name="TaskPriorityEnum",
        choices=TaskPriority.choices,
        required=False,
        default=TaskPriority.NORMAL,
    )
    weight = serializers.IntegerField(min_value=1, max_value=100, required=False, default=1)
    parent = ScopedPrimaryKeyRelatedField(
        model=Task, action=Action.TASK_MANAGE, required=False, allow_null=True
    )
    lead_unit = UnitField(required=False, allow_null=True)
    lead_organization = ScopedPrimaryKeyRelatedField(
        model=Organization, action=Action.TASK_VIEW, required=False, allow_null=True
    )
    cooperating_units = UnitField(many=True, required=False)
    responsible = ScopedPrimaryKeyRelatedField(
        model=Member, action=Action.MEMBER_VIEW, required=False, allow_null=True
    )


class TaskUpdateSerializer(VersionedUpdateMixin, serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    details = serializers.CharField(required=False, allow_blank=True)
    deadline = serializers.DateField(required=False)
    priority = NamedChoiceField(
        enum_name="TaskPriorityEnum", choices=TaskPriority.choices, required=False
    )
    weight = serializers.IntegerField(min_value=1, max_value=100, required=False)
    lead_unit = UnitField(required=False, allow_null=True)
    lead_organization = ScopedPrimaryKeyRelatedField(
        model=Organization, action=Action.TASK_VIEW, required=False, allow_null=True
    )
    cooperating_units = UnitField(many=True, required=False)
    responsible = ScopedPrimaryKeyRelatedField(
        model=Member, action=Action.MEMBER_VIEW, required=False, allow_null=True
    )
    version = serializers.IntegerField(
        min_value=1, help_text="The `version` you read; a stale one is refused with 409."
    )


class ProgressInputSerializer(serializers.Serializer):
    reported_on = serializers.DateField()
    text = serializers.CharField()
    percent = serializers.IntegerField(help_text="0 to 100.")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Multipart upload only."
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


@extend_schema_view(
    list=extend_schema(
        summary="Tasks in your scope",
        description="Filters as on the task list page; `overdue` is yes/no.",
        responses={200: TaskSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One task with its progress reports and lifecycle events",
        responses={200: TaskDetailSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Create a task",
        request=TaskCreateSerializer,
        responses={201: TaskDetailSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a task's own fields",
        request=TaskUpdateSerializer,
        responses={200: TaskDetailSerializer, **error_responses(400, 403, 404, 409)},
    ),
)
class TaskViewSet(PolicyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Implementation tasks (督办事项) within your scope."""

    serializer_class = TaskSerializer
    filter_backends = [UserFilterBackend]
    filterset_class = TaskFilter
    policy_actions = {
        "list": Action.TASK_VIEW,
        "retrieve": Action.TASK_VIEW,
        "create": Action.TASK_MANAGE,
        "partial_update": Action.TASK_MANAGE,
        # Reporters include the responsible member: the service decides, per task.
        "progress": Action.TASK_VIEW,
        "start": Action.TASK_VIEW,
        "request_closure": Action.TASK_VIEW,
        "approve_closure": Action.TASK_SUPERVISE,
        "return_task": Action.TASK_SUPERVISE,
    }

    def get_parsers(self):
        # Called before ``self.action`` is set: read the route's action map instead.
        method = (getattr(self.request, "method", "") or "").lower()
        if getattr(self, "action_map", {}).get(method) == "progress":
            return [parsers.JSONParser(), parsers.MultiPartParser(), parsers.FormParser()]
        return super().get_parsers()

    def get_queryset(self):
        return selectors.task_list(user=self.request.user).order_by("deadline", "id")

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _valid(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _detail(self, pk) -> dict:
        qs = selectors.task_list(user=self.request.user).prefetch_related(
            "cooperating_units", "reports__attachments", "reports__author", "events__actor"
        )
        task = reread(qs, pk)
        return TaskDetailSerializer(task, context=self.get_serializer_context()).data

    def retrieve(self, request, pk=None):
        task = self.get_object()
        return Response(self._detail(task.pk))

    def create(self, request):
        data = self._valid(TaskCreateSerializer)
        with transaction.atomic():
            task = services.task_create(actor=request.user, **data)
            body = self._detail(task.pk)
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        task = self.get_object()
        data = self._valid(TaskUpdateSerializer, partial=True)
        version = data.pop("version")
        with transaction.atomic():
            task = services.task_update(actor=request.user, task=task, version=version, **data)
            body = self._detail(task.pk)
        return Response(body)

    @extend_schema(
        summary="Report progress (JSON, or multipart with attachments)",
        request=ProgressInputSerializer,
        responses={201: ProgressReportSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        task = self.get_object()
        data = self._valid(ProgressInputSerializer)
        report = services.progress_report_add(
            actor=request.user,
            task=task,
            reported_on=data["reported_on"],
            text=data["text"],
            percent=data["percent"],
            attachments=data.get("attachments") or [],
        )
        return Response(ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)

    def _step(self, service, **extra):
        task = self.get_object()
        data = self._valid(ReasonSerializer)
        kwargs = {"actor": self.request.user, "task": task, **extra}
        if service is not services.task_start:
            kwargs["reason"] = data["reason"]
        with transaction.atomic():
            task = service(**kwargs)
            body = self._detail(task.pk)
        return Response(body)

    @extend_schema(
        summary="Start a task",
        request=None,
        responses={200: TaskDetailSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step(services.task_start)

    @extend_schema(
        summary="Request closure",
        request=ReasonSerializer,
        responses={200: TaskDetailSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="request-closure")
    def request_closure(self, request, pk=None):
        return self._step(services.task_request_closure)

    @extend_schema(
        summary="Approve closure (supervising office of the issuing organization)",
        request=ReasonSerializer,
        responses={200: TaskDetailSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="approve-closure")
    def approve_closure(self, request, pk=None):
        return self._step(services.task_approve_closure)

    @extend_schema(
        summary="Return a task whose closure was requested (reason required)",
        request=ReasonSerializer,
        responses={200: TaskDetailSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_task(self, request, pk=None):
        return self._step(services.task_return)
