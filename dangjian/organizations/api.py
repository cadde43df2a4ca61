"""REST API of the organization tree and the administrative units.

The same rules as the web pages: reads start from the restricted queryset
(outside scope: 404), writes go through :mod:`dangjian.organizations.services`
(which check the policy again and write the audit row).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import empty
from rest_framework.response import Response

from dangjian.access.roles import Action
from dangjian.core.api import (
    NamedChoiceField,
    PolicyViewSetMixin,
    ScopedPrimaryKeyRelatedField,
    VersionedUpdateMixin,
    error_responses,
    reread,
)

from . import selectors, services
from .models import Organization, OrganizationKind, Unit, UnitKind


class OrganizationField(ScopedPrimaryKeyRelatedField):
    """A reference to an organization the user can see (the service checks the rest)."""

    def __init__(self, **kwargs):
        super().__init__(model=Organization, action=Action.ORG_VIEW, **kwargs)


# Reading


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class SubtreeTotalsSerializer(serializers.Serializer):
    organizations = serializers.IntegerField(
        read_only=True, help_text="Active organizations below (not counting this one)."
    )
    branches = serializers.IntegerField(read_only=True)
    members = serializers.IntegerField(read_only=True)
    probationary = serializers.IntegerField(read_only=True)
    full = serializers.IntegerField(read_only=True)


class OrganizationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    is_dissolved = serializers.BooleanField(read_only=True)
    member_count = serializers.IntegerField(
        read_only=True, help_text="Direct members (see `subtree` on the detail for totals)."
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_display",
            "parent",
            "unit",
            "unit_name",
            "depth",
            "sort_order",
            "established_on",
            "dissolved_at",
            "is_dissolved",
            "member_count",
            "probationary_count",
            "version",
        ]
        read_only_fields = fields


class OrganizationChildSerializer(OrganizationSerializer):
    has_children = serializers.BooleanField(read_only=True)
    subtree = SubtreeTotalsSerializer(read_only=True)

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "has_children", "subtree"]
        read_only_fields = fields


class OrganizationDetailSerializer(OrganizationChildSerializer):
    ancestors = OrganizationRefSerializer(
        many=True,
        read_only=True,
        source="visible_ancestors",
        help_text="The ancestors you may see, root first (the breadcrumb).",
    )

    class Meta(OrganizationChildSerializer.Meta):
        fields = [*OrganizationChildSerializer.Meta.fields, "ancestors"]
        read_only_fields = fields


# Writing (validated here, saved only by the services)


class OrganizationCreateSerializer(serializers.ModelSerializer):
    parent = OrganizationField(
        required=False,
        allow_null=True,
        help_text="The parent organization; none for a new top-level organization.",
    )

    class Meta:
        model = Organization
        fields = ["parent", "name", "kind", "unit", "short_name", "sort_order", "established_on"]


class OrganizationUpdateSerializer(VersionedUpdateMixin, serializers.ModelSerializer):
    version = serializers.IntegerField(
        min_value=1,
        help_text="The `version` you read; a stale one is refused with 409.",
    )

    class Meta:
        model = Organization
        fields = ["name", "kind", "unit", "short_name", "sort_order", "established_on", "version"]

    def validate(self, attrs):
        if "parent" in self.initial_data:
            raise serializers.ValidationError(
                {"parent": [_("Use the move action to put an organization under another.")]}
            )
        return super().validate(attrs)


class OrganizationMoveSerializer(serializers.Serializer):
    parent = OrganizationField(help_text="The new parent organization.")


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class OrganizationFilter(django_filters.FilterSet):
    parent = IdFilter(field_name="parent_id", label=_("Direct children of this organization"))
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("Kind"))
    q = django_filters.CharFilter(method="filter_q", label=_("Name or short name contains"))
    include_dissolved = django_filters.BooleanFilter(
        method="filter_include_dissolved", label=_("Include dissolved organizations")
    )

    class Meta:
        model = Organization
        fields = ["parent", "kind", "q", "include_dissolved"]

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("include_dissolved"):
            queryset = queryset.active()
        return super().filter_queryset(queryset)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))

    def filter_include_dissolved(self, queryset, name, value):
        return queryset  # applied in filter_queryset, since the default (absent) matters


@extend_schema_view(
    list=extend_schema(
        summary="Organizations in your scope",
        description="Active organizations unless `include_dissolved` is true; ordered as a tree.",
        responses={200: OrganizationSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One organization, with subtree totals and ancestors",
        responses={200: OrganizationDetailSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Create an organization",
        request=OrganizationCreateSerializer,
        responses={201: OrganizationDetailSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Change an organization's own fields",
        description="Send the `version` you read. Use the move action to change the parent.",
        request=OrganizationUpdateSerializer,
        responses={200: OrganizationDetailSerializer, **error_responses(400, 403, 404, 409)},
    ),
)
class OrganizationViewSet(PolicyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The party organization tree, within the part of it your roles cover."""

    serializer_class = OrganizationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrganizationFilter
    policy_actions = {
        "list": Action.ORG_VIEW,
        "retrieve": Action.ORG_VIEW,
        "children": Action.ORG_VIEW,
        "create": Action.ORG_MANAGE,
        "partial_update": Action.ORG_MANAGE,
        "move": Action.ORG_MANAGE,
        "dissolve": Action.ORG_MANAGE,
    }

    def get_queryset(self):
        return Organization.objects.restrict(self.request.user, Action.ORG_VIEW).select_related(
            "unit"
        )

    def filter_queryset(self, queryset):
        # Filters belong to the list; a dissolved organization can still be opened.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _detail(self, org: Organization) -> dict:
        org.subtree = selectors.organization_totals(organization=org)
        org.visible_ancestors = selectors.organization_ancestors(
            user=self.request.user, organization=org
        )
        return OrganizationDetailSerializer(org, context=self.get_serializer_context()).data

    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object()))

    def create(self, request):
        data = self._valid(OrganizationCreateSerializer)
        with transaction.atomic():
            org = services.organization_create(actor=request.user, **data)
            org = reread(self.get_queryset(), org.pk)
        return Response(self._detail(org), status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        org = self.get_object()
        data = self._valid(OrganizationUpdateSerializer, partial=True, instance=org)
        with transaction.atomic():
            org = services.organization_update(actor=request.user, organization=org, **data)
            org = reread(self.get_queryset(), org.pk)
        return Response(self._detail(org))

    @extend_schema(
        summary="Move an organization (with its subtree) under another parent",
        request=OrganizationMoveSerializer,
        responses={200: OrganizationDetailSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        org = self.get_object()
        data = self._valid(OrganizationMoveSerializer)
        with transaction.atomic():
            org = services.organization_move(
                actor=request.user, organization=org, new_parent=data["parent"]
            )
            org = reread(self.get_queryset(), org.pk)
        return Response(self._detail(org))

    @extend_schema(
        summary="Dissolve an organization",
        description="Refused while it still has members or active sub-organizations.",
        request=None,
        responses={200: OrganizationDetailSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        org = self.get_object()
        with transaction.atomic():
            org = services.organization_dissolve(actor=request.user, organization=org)
            org = reread(self.get_queryset(), org.pk)
        return Response(self._detail(org))

    @extend_schema(
        summary="Direct children with their subtree totals",
        parameters=[
            OpenApiParameter(
                "include_dissolved",
                OpenApiTypes.BOOL,
                description="Also list dissolved children.",
            )
        ],
        responses={200: OrganizationChildSerializer(many=True), **error_responses(403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def children(self, request, pk=None):
        org = self.get_object()
        flag = serializers.BooleanField(required=False, default=False)
        include_dissolved = flag.run_validation(
            request.query_params.get("include_dissolved", empty)
        )
        rows = selectors.organization_children(
            user=request.user, organization=org, include_dissolved=bool(include_dissolved)
        )
        return Response(
            OrganizationChildSerializer(rows, many=True, context=self.get_serializer_context()).data
        )

    def _valid(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class UnitSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(choices=UnitKind.choices, enum_name="UnitKindEnum")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Unit
        fields = ["id", "name", "kind", "kind_display", "parent", "sort_order"]
        read_only_fields = ["id"]
        # The (parent, name) constraint is checked by the service's full_clean.
        validators = []


@extend_schema_view(
    list=extend_schema(
        summary="Administrative units",
        responses={200: UnitSerializer(many=True), **error_responses(403)},
    ),
    retrieve=extend_schema(
        summary="One administrative unit",
        responses={200: UnitSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Create a unit",
        request=UnitSerializer,
        responses={201: UnitSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a unit",
        request=UnitSerializer,
        responses={200: UnitSerializer, **error_responses(400, 403, 404)},
    ),
)
class UnitViewSet(
    PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Units are not tied to the tree: anyone who may view organizations may read them."""

    serializer_class = UnitSerializer
    policy_actions = {
        "list": Action.ORG_VIEW,
        "retrieve": Action.ORG_VIEW,
        "create": Action.UNIT_MANAGE,
        "partial_update": Action.UNIT_MANAGE,
    }

    def get_queryset(self):
        return Unit.objects.all()

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = services.unit_save(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(unit).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        unit = self.get_object()
        serializer = self.get_serializer(unit, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        unit = services.unit_save(actor=request.user, unit=unit, **serializer.validated_data)
        return Response(self.get_serializer(unit).data)
