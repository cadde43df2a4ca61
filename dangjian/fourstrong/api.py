"""REST API of the four-strong evaluation: indicator systems, cycles, assessments and
every step of a cycle, through :mod:`dangjian.fourstrong.services` (which enforce the
policy: each step its own action) — the same as the pages.

Reads start from ``restrict(user, fourstrong.view)`` (outside scope: 404). Each step
asks the service's own permission first (visible but not yours: 403), then validates
the input (400, in the request's language) and calls the service; a stale ``version``
is 409. Router lines (dangjian/config/api_urls.py)::

    router.register("fourstrong/systems", IndicatorSystemViewSet, basename="api-fs-system")
    router.register("fourstrong/indicators", IndicatorViewSet, basename="api-fs-indicator")
    router.register("fourstrong/cycles", CycleViewSet, basename="api-fs-cycle")
    router.register("fourstrong/assessments", AssessmentViewSet, basename="api-fs-assessment")
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dangjian.access.roles import Action
from dangjian.core.api import (
    NamedChoiceField,
    PolicyViewSetMixin,
    ScopedPrimaryKeyRelatedField,
    error_responses,
    reread,
)
from dangjian.core.api import validated as _validated
from dangjian.organizations.models import Organization

from . import selectors, services
from .models import (
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    ComputedKey,
    Cycle,
    CycleStatus,
    Dimension,
    Indicator,
    IndicatorSystem,
    Objection,
    Score,
    Source,
    SystemStatus,
)

VIEW = Action.FOURSTRONG_VIEW
SCORE = {"max_digits": 6, "decimal_places": 2}
VERSION_HELP = "The assessment's `version` you read; a stale one is refused with 409."


def _dimension(**kwargs):
    return NamedChoiceField(
        enum_name="FourStrongDimensionEnum", choices=Dimension.choices, **kwargs
    )


# ---------------------------------------------------------------- indicator systems


class IndicatorSerializer(serializers.ModelSerializer):
    dimension = _dimension(read_only=True)
    source = NamedChoiceField(
        enum_name="FourStrongSourceEnum", choices=Source.choices, read_only=True
    )
    computed_key = serializers.CharField(read_only=True, help_text="Empty for reviewed ones.")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    max_score = serializers.DecimalField(**SCORE, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "system",
            "dimension",
            "name",
            "weight",
            "max_score",
            "rule",
            "source",
            "computed_key",
            "order",
        ]
        read_only_fields = fields


class IndicatorSystemSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(
        enum_name="FourStrongSystemStatusEnum", choices=SystemStatus.choices, read_only=True
    )
    indicator_count = serializers.IntegerField(read_only=True)
    cycle_count = serializers.IntegerField(
        read_only=True, help_text="Cycles using this version (then it cannot change)."
    )

    class Meta:
        model = IndicatorSystem
        fields = [
            "id",
            "name",
            "version_number",
            "status",
            "copied_from",
            "indicator_count",
            "cycle_count",
            "created_at",
        ]
        read_only_fields = fields


class IndicatorSystemDetailSerializer(IndicatorSystemSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)
    weight_total = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)

    class Meta(IndicatorSystemSerializer.Meta):
        fields = [*IndicatorSystemSerializer.Meta.fields, "weight_total", "indicators"]
        read_only_fields = fields


class IndicatorSystemInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class IndicatorInputSerializer(serializers.Serializer):
    dimension = _dimension()
    name = serializers.CharField(max_length=200)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_score = serializers.DecimalField(**SCORE)
    rule = serializers.CharField(required=False, allow_blank=True, default="")
    source = NamedChoiceField(
        enum_name="FourStrongSourceEnum", choices=Source.choices, default=Source.REVIEWED
    )
    computed_key = serializers.ChoiceField(
        choices=[("", "—"), *ComputedKey.choices], required=False, allow_blank=True, default=""
    )
    order = serializers.IntegerField(min_value=0, required=False, default=0)


class IndicatorUpdateSerializer(IndicatorInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


def _systems(user):
    return selectors.system_list(user=user)


@extend_schema_view(
    list=extend_schema(
        summary="Indicator systems (platform-wide rules), every version",
        responses={200: IndicatorSystemSerializer(many=True), **error_responses(403)},
    ),
    retrieve=extend_schema(
        summary="One indicator system with its indicators",
        responses={200: IndicatorSystemDetailSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Create a draft indicator system",
        request=IndicatorSystemInputSerializer,
        responses={201: IndicatorSystemDetailSerializer, **error_responses(400, 403)},
    ),
)
class IndicatorSystemViewSet(PolicyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Versioned indicator systems: a draft gets indicators, is published (weights add up to
    100) and is then fixed; a cycle keeps the version it started with."""

    serializer_class = IndicatorSystemSerializer
    policy_actions = {
        "list": VIEW,
        "retrieve": VIEW,
        "create": Action.FOURSTRONG_SYSTEM_MANAGE,
        "indicators": Action.FOURSTRONG_SYSTEM_MANAGE,
        "publish": Action.FOURSTRONG_SYSTEM_MANAGE,
        "new_version": Action.FOURSTRONG_SYSTEM_MANAGE,
    }

    def get_queryset(self):
        return _systems(self.request.user)

    def _detail(self, pk) -> dict:
        qs = _systems(self.request.user).prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("dimension", "order", "id"))
        )
        system = reread(qs, pk)
        system.weight_total = sum((i.weight for i in system.indicators.all()), start=0)
        return IndicatorSystemDetailSerializer(system).data

    def _valid(self, serializer_class, **kwargs) -> dict:
        return _validated(self, serializer_class, self.request.data, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object().pk))

    def create(self, request):
        data = self._valid(IndicatorSystemInputSerializer)
        with transaction.atomic():
            system = services.system_create(actor=request.user, **data)
            body = self._detail(system.pk)
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Add an indicator to a draft system (not one a cycle uses)",
        request=IndicatorInputSerializer,
        responses={201: IndicatorSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def indicators(self, request, pk=None):
        system = self.get_object()
        data = self._valid(IndicatorInputSerializer)
        indicator = services.indicator_add(actor=request.user, system=system, **data)
        return Response(IndicatorSerializer(indicator).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Publish a draft (its weights must add up to 100)",
        request=None,
        responses={200: IndicatorSystemDetailSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        system = self.get_object()
        with transaction.atomic():
            services.system_publish(actor=request.user, system=system)
            body = self._detail(system.pk)
        return Response(body)

    @extend_schema(
        summary="Copy into the next version (a draft with the same indicators)",
        request=None,
        responses={201: IndicatorSystemDetailSerializer, **error_responses(403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        system = self.get_object()
        with transaction.atomic():
            copy = services.system_new_version(actor=request.user, system=system)
            body = self._detail(copy.pk)
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    partial_update=extend_schema(
        summary="Change an indicator of a draft system (not one a cycle uses)",
        request=IndicatorUpdateSerializer,
        responses={200: IndicatorSerializer, **error_responses(400, 403, 404)},
    ),
)
class IndicatorViewSet(PolicyViewSetMixin, viewsets.GenericViewSet):
    serializer_class = IndicatorSerializer
    policy_actions = {"partial_update": Action.FOURSTRONG_SYSTEM_MANAGE}

    def get_queryset(self):
        return Indicator.objects.filter(system__in=_systems(self.request.user))

    def partial_update(self, request, pk=None):
        indicator = self.get_object()
        data = _validated(self, IndicatorUpdateSerializer, request.data, partial=True)
        indicator = services.indicator_update(actor=request.user, indicator=indicator, **data)
        return Response(IndicatorSerializer(indicator).data)


# ---------------------------------------------------------------- cycles


class CycleSerializer(serializers.ModelSerializer):
    system_name = serializers.CharField(source="system.name", read_only=True)
    system_version = serializers.IntegerField(source="system.version_number", read_only=True)
    scope_name = serializers.CharField(source="scope.name", read_only=True)
    status = NamedChoiceField(
        enum_name="FourStrongCycleStatusEnum", choices=CycleStatus.choices, read_only=True
    )
    assessment_count = serializers.IntegerField(
        read_only=True, help_text="Assessments of the cycle in your scope."
    )

    class Meta:
        model = Cycle
        fields = [
            "id",
            "year",
            "system",
            "system_name",
            "system_version",
            "scope",
            "scope_name",
            "status",
            "assessment_count",
            "created_at",
        ]
        read_only_fields = fields


class CycleInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2999)
    system = serializers.PrimaryKeyRelatedField(
        queryset=IndicatorSystem.objects.all(), help_text="A published system."
    )
    scope = ScopedPrimaryKeyRelatedField(
        model=Organization,
        action=Action.FOURSTRONG_REVIEW,
        help_text="Every active branch below it is assessed.",
    )


@extend_schema_view(
    list=extend_schema(
        summary="Cycles over your scope or covering a branch you see",
        responses={200: CycleSerializer(many=True), **error_responses(403)},
    ),
    retrieve=extend_schema(
        summary="One cycle",
        responses={200: CycleSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Start a yearly cycle (computed indicators are filled in)",
        request=CycleInputSerializer,
        responses={201: CycleSerializer, **error_responses(400, 403)},
    ),
)
class CycleViewSet(PolicyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CycleSerializer
    policy_actions = {"list": VIEW, "retrieve": VIEW, "create": Action.FOURSTRONG_REVIEW}

    def get_queryset(self):
        user = self.request.user
        visible = Assessment.objects.restrict(user, VIEW)
        return (
            selectors.cycle_list(user=user)
            .annotate(
                assessment_count=Count(
                    "assessments", filter=Q(assessments__in=visible.values("pk")), distinct=True
                )
            )
            .order_by("-year", "id")
        )

    def retrieve(self, request, pk=None):
        return Response(CycleSerializer(self.get_object()).data)

    def create(self, request):
        data = _validated(self, CycleInputSerializer, request.data)
        with transaction.atomic():
            cycle = services.cycle_start(actor=request.user, **data)
            body = CycleSerializer(reread(self.get_queryset(), cycle.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- assessments


class ScoreSerializer(serializers.ModelSerializer):
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    dimension = _dimension(source="indicator.dimension", read_only=True)
    weight = serializers.DecimalField(
        source="indicator.weight", max_digits=5, decimal_places=2, read_only=True
    )
    max_score = serializers.DecimalField(source="indicator.max_score", **SCORE, read_only=True)
    source = NamedChoiceField(
        enum_name="FourStrongSourceEnum",
        choices=Source.choices,
        source="indicator.source",
        read_only=True,
    )
    suggested = serializers.DecimalField(**SCORE, read_only=True, allow_null=True)
    self_score = serializers.DecimalField(**SCORE, read_only=True, allow_null=True)
    final_score = serializers.DecimalField(**SCORE, read_only=True, allow_null=True)

    class Meta:
        model = Score
        fields = [
            "indicator",
            "indicator_name",
            "dimension",
            "weight",
            "max_score",
            "source",
            "suggested",
            "self_score",
            "final_score",
            "evidence",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    step_label = serializers.CharField(read_only=True)

    class Meta:
        model = AssessmentEvent
        fields = ["step", "step_label", "actor_name", "at", "comment"]
        read_only_fields = fields


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "text", "submitted_on", "answer", "answered_at"]
        read_only_fields = fields


class DimensionShareSerializer(serializers.Serializer):
    dimension = _dimension(read_only=True)
    self = serializers.FloatField(read_only=True, allow_null=True, help_text="% of its weight.")
    final = serializers.FloatField(read_only=True, allow_null=True, help_text="% of its weight.")


class AssessmentSerializer(serializers.ModelSerializer):
    cycle_year = serializers.IntegerField(source="cycle.year", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    status = NamedChoiceField(
        enum_name="FourStrongAssessmentStatusEnum",
        choices=AssessmentStatus.choices,
        read_only=True,
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    total = serializers.DecimalField(**SCORE, read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "cycle",
            "cycle_year",
            "branch",
            "branch_name",
            "status",
            "status_display",
            "total",
            "notice_start",
            "notice_end",
            "version",
        ]
        read_only_fields = fields


class AssessmentDetailSerializer(AssessmentSerializer):
    dimensions = DimensionShareSerializer(many=True, read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    objections = ObjectionSerializer(many=True, read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "dimensions", "scores", "events", "objections"]
        read_only_fields = fields


class SelfScoreSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    self_score = serializers.CharField(
        allow_blank=True, allow_null=True, help_text="A number from 0 to the maximum; blank clears."
    )
    evidence = serializers.CharField(required=False, allow_blank=True)


class ScoresInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)
    scores = SelfScoreSerializer(many=True)


class StepInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class FinalScoreSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    final_score = serializers.CharField(allow_blank=True, allow_null=True)


class ReviewInputSerializer(StepInputSerializer):
    final_scores = FinalScoreSerializer(
        many=True, required=False, help_text="Indicators left out keep the self score."
    )


class NoticeInputSerializer(StepInputSerializer):
    start = serializers.DateField()
    end = serializers.DateField()


class NameInputSerializer(StepInputSerializer):
    named = serializers.BooleanField(help_text="true: named a four-strong branch; false: not.")


class ObjectionInputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


class ObjectionField(serializers.PrimaryKeyRelatedField):
    """An objection to the assessment in the serializer's context."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Objection.objects.none(), **kwargs)

    def get_queryset(self):
        return Objection.objects.filter(assessment=self.context["assessment"])


class AnswerInputSerializer(serializers.Serializer):
    objection = ObjectionField()
    answer = serializers.CharField(allow_blank=True)


class AssessmentQuerySerializer(serializers.Serializer):
    cycle = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=AssessmentStatus.choices, required=False)


def _step_schema(summary, request, code=200, extra=(409,)):
    body = (
        ObjectionSerializer if request is ObjectionInputSerializer else AssessmentDetailSerializer
    )
    return extend_schema(
        summary=summary,
        request=request,
        responses={code: body, **error_responses(400, 403, 404, *extra)},
    )


@extend_schema_view(
    list=extend_schema(
        summary="Assessments of branches in your scope",
        parameters=[AssessmentQuerySerializer],
        responses={200: AssessmentSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One assessment: scores, dimension shares, steps taken, objections",
        responses={200: AssessmentDetailSerializer, **error_responses(403, 404)},
    ),
)
class AssessmentViewSet(PolicyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A branch's assessment through the cycle: self-assessment (branch secretary),
    recommendation (the superior committee), review and final score, public notice,
    objections, naming and revocation (the organ party committee office)."""

    serializer_class = AssessmentSerializer
    policy_actions = {
        "list": VIEW,
        "retrieve": VIEW,
        "scores": Action.FOURSTRONG_SELF_ASSESS,
        "submit": Action.FOURSTRONG_SELF_ASSESS,
        "recommend": Action.FOURSTRONG_RECOMMEND,
        "send_back": Action.FOURSTRONG_RECOMMEND,
        "review": Action.FOURSTRONG_REVIEW,
        "notice": Action.FOURSTRONG_REVIEW,
        "name_branch": Action.FOURSTRONG_REVIEW,
        "revoke": Action.FOURSTRONG_REVIEW,
        "answer": Action.FOURSTRONG_REVIEW,
        "objections": Action.FOURSTRONG_OBJECT,
    }
    # The service's own check for one assessment (visible but not yours: 403).
    allowed = {
        "scores": services.can_self_assess,
        "submit": services.can_self_assess,
        "recommend": services.can_recommend,
        "send_back": services.can_recommend,
        "review": services.can_review,
        "notice": services.can_review,
        "name_branch": services.can_review,
        "revoke": services.can_review,
        "answer": services.can_review,
        "objections": services.can_object,
    }

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            data = _validated(self, AssessmentQuerySerializer, self.request.query_params)
            qs = (
                Assessment.objects.restrict(user, VIEW)
                .select_related("cycle", "branch")
                .order_by("-cycle__year", "cycle_id", "branch__path")
            )
            if data.get("cycle"):
                qs = qs.filter(cycle_id=data["cycle"])
            if data.get("status"):
                qs = qs.filter(status=data["status"])
            return qs
        return selectors.assessment_detail_queryset(user=user)

    def _detail(self, pk) -> dict:
        qs = selectors.assessment_detail_queryset(user=self.request.user).prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("indicator")),
            "events",
            "objections",
        )
        assessment = reread(qs, pk)
        shares = selectors.dimension_scores(assessment.scores.all())
        assessment.dimensions = [
            {"dimension": d, "self": shares[d]["self"], "final": shares[d]["final"]}
            for d in Dimension.values
        ]
        return AssessmentDetailSerializer(assessment).data

    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object().pk))

    def _start(self, serializer_class) -> tuple[Assessment, dict]:
        """The assessment (404 outside scope), the user's right to this step on it (403),
        then the input (400)."""
        assessment = self.get_object()
        if not self.allowed[self.action](self.request.user, assessment):
            raise exceptions.PermissionDenied()
        serializer = serializer_class(
            data=self.request.data,
            context={**self.get_serializer_context(), "assessment": assessment},
        )
        serializer.is_valid(raise_exception=True)
        return assessment, dict(serializer.validated_data)

    def _answer(self, assessment, call, **kwargs) -> Response:
        with transaction.atomic():
            call(actor=self.request.user, assessment=assessment, **kwargs)
            body = self._detail(assessment.pk)
        return Response(body)

    @_step_schema("Save the branch's own scores and evidence", ScoresInputSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        assessment, data = self._start(ScoresInputSerializer)
        scores = {s["indicator"]: s["self_score"] for s in data["scores"]}
        evidence = {s["indicator"]: s["evidence"] for s in data["scores"] if "evidence" in s}
        return self._answer(
            assessment,
            services.self_assessment_save,
            version=data["version"],
            scores=scores,
            evidence=evidence,
        )

    @_step_schema("Submit the self-assessment", StepInputSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        assessment, data = self._start(StepInputSerializer)
        return self._answer(assessment, services.self_assessment_submit, **data)

    @_step_schema("Recommend (the superior committee)", StepInputSerializer)
    @action(detail=True, methods=["post"])
    def recommend(self, request, pk=None):
        assessment, data = self._start(StepInputSerializer)
        return self._answer(assessment, services.recommend, **data)

    @_step_schema("Send the self-assessment back (reason required)", StepInputSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        assessment, data = self._start(StepInputSerializer)
        return self._answer(assessment, services.send_back, **data)

    @_step_schema("Review: final scores and the total", ReviewInputSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        assessment, data = self._start(ReviewInputSerializer)
        finals = {s["indicator"]: s["final_score"] for s in data.pop("final_scores", [])}
        return self._answer(assessment, services.review, final_scores=finals, **data)

    @_step_schema("Start the public notice", NoticeInputSerializer)
    @action(detail=True, methods=["post"])
    def notice(self, request, pk=None):
        assessment, data = self._start(NoticeInputSerializer)
        return self._answer(assessment, services.notice_start, **data)

    @_step_schema("Name the branch (or not) once every objection is answered", NameInputSerializer)
    @action(detail=True, methods=["post"], url_path="name")
    def name_branch(self, request, pk=None):  # not "name": ViewSet.as_view sets cls.name
        assessment, data = self._start(NameInputSerializer)
        return self._answer(assessment, services.decide, **data)

    @_step_schema("Revoke the title on re-review (reason required)", StepInputSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        assessment, data = self._start(StepInputSerializer)
        return self._answer(assessment, services.revoke, **data)

    @_step_schema("Raise an objection during the public notice", ObjectionInputSerializer, 201, ())
    @action(detail=True, methods=["post"])
    def objections(self, request, pk=None):
        assessment, data = self._start(ObjectionInputSerializer)
        objection = services.objection_add(
            actor=request.user, assessment=assessment, text=data["text"]
        )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    @_step_schema("Answer an objection", AnswerInputSerializer, 200, ())
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        assessment, data = self._start(AnswerInputSerializer)
        with transaction.atomic():
            services.objection_answer(
                actor=request.user, objection=data["objection"], answer=data["answer"]
            )
            body = self._detail(assessment.pk)
        return Response(body)
