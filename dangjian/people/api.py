"""REST API of members, their posts and transfers.

Personal data leaves only masked (``id_number_masked``, ``phone_masked``); the
clear value comes from the audited ``reveal`` action alone. ID numbers and
phones never travel in a URL: exact look-ups are a POST with a JSON body, and
the list's ``q`` refuses them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dangjian.access.api_tokens import HasSecondFactor
from dangjian.access.roles import Action
from dangjian.core.api import (
    PolicyViewSetMixin,
    UserFilterBackend,
    VersionedUpdateMixin,
    error_responses,
    reread,
)
from dangjian.core.validators import validate_id_number, validate_no_markup, validate_phone
from dangjian.organizations.api import OrganizationField
from dangjian.organizations.models import Organization
from dangjian.security.lookups import LookupBudgetSpent

from . import services
from .filters import MemberFilter
from .models import SENSITIVE_FIELDS, Member, MemberTransfer, PostAssignment

LOOKUP_LIMIT = 20
# Reveal and look-up: the policy, then the second factor of a user who has one.
SECOND_FACTOR_PERMISSIONS = [*PolicyViewSetMixin.permission_classes, HasSecondFactor]


@contextmanager
def budget_as_throttled():
    """A spent daily look-up budget answers 429 with the message and ``Retry-After``."""
    try:
        yield
    except LookupBudgetSpent as exc:
        raise exceptions.Throttled(wait=exc.wait, detail=exc.messages[0]) from None


# Reading


class PostSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    title_display = serializers.CharField(source="get_title_display", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = PostAssignment
        fields = [
            "id",
            "member",
            "organization",
            "organization_name",
            "title",
            "title_display",
            "started_on",
            "ended_on",
            "is_current",
        ]
        read_only_fields = fields


class TransferSerializer(serializers.ModelSerializer):
    from_organization_name = serializers.CharField(
        source="from_organization.name", read_only=True, allow_null=True
    )
    to_organization_name = serializers.CharField(source="to_organization.name", read_only=True)

    class Meta:
        model = MemberTransfer
        fields = [
            "id",
            "from_organization",
            "from_organization_name",
            "to_organization",
            "to_organization_name",
            "transferred_on",
            "reason",
            "recorded_at",
        ]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    gender_display = serializers.CharField(source="get_gender_display", read_only=True)
    education_display = serializers.CharField(source="get_education_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    id_number_masked = serializers.CharField(
        read_only=True, help_text="The ID number masked; the reveal action gives it in full."
    )
    phone_masked = serializers.CharField(
        read_only=True, help_text="The phone masked; the reveal action gives it in full."
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "gender",
            "gender_display",
            "ethnicity",
            "birth_date",
            "education",
            "education_display",
            "id_number_masked",
            "phone_masked",
            "joined_party_on",
            "full_member_on",
            "status",
            "status_display",
            "organization",
            "organization_name",
            "admin_title",
            "left_at",
            "version",
        ]
        read_only_fields = fields


class MemberDetailSerializer(MemberSerializer):
    posts = PostSerializer(
        many=True, read_only=True, source="current_posts", help_text="Posts held now."
    )
    transfers = TransferSerializer(
        many=True, read_only=True, help_text="Membership history, newest first."
    )

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "posts", "transfers"]
        read_only_fields = fields


# Writing (validated here, saved only by the services)

_PERSONAL_HELP = "Write-only; answers show it masked."


class MemberCreateSerializer(serializers.ModelSerializer):
    organization = OrganizationField(help_text="The member's party organization.")
    id_number = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=30, help_text=_PERSONAL_HELP
    )
    phone = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=30, help_text=_PERSONAL_HELP
    )

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "education",
            "id_number",
            "phone",
            "joined_party_on",
            "full_member_on",
            "status",
            "organization",
            "admin_title",
        ]


class MemberUpdateSerializer(VersionedUpdateMixin, MemberCreateSerializer):
    organization = OrganizationField(
        required=False,
        help_text="Must stay the same: use the transfer action to move a member.",
    )
    version = serializers.IntegerField(
        min_value=1, help_text="The `version` you read; a stale one is refused with 409."
    )

    class Meta(MemberCreateSerializer.Meta):
        fields = [*MemberCreateSerializer.Meta.fields, "version"]


class TransferInputSerializer(serializers.Serializer):
    to_organization = OrganizationField(help_text="The organization the member moves to.")
    transferred_on = serializers.DateField(required=False, help_text="Default: today.")
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=200, validators=[validate_no_markup]
    )


class PostInputSerializer(serializers.ModelSerializer):
    organization = OrganizationField(help_text="Where the post is held.")

    class Meta:
        model = PostAssignment
        fields = ["organization", "title", "started_on"]


class PostEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, help_text="Default: today.")


class RevealInputSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=SENSITIVE_FIELDS)


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=SENSITIVE_FIELDS, read_only=True)
    value = serializers.CharField(read_only=True, help_text="The clear value; empty if none.")


class LookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)

    def _check(self, check, value):
        try:
            return check(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate_id_number(self, value):
        return self._check(validate_id_number, value) if value else ""

    def validate_phone(self, value):
        return self._check(validate_phone, value) if value else ""

    def validate(self, attrs):
        if not (attrs.get("id_number") or attrs.get("phone")):
            raise serializers.ValidationError(_("Give an ID number or a phone number to look up."))
        return attrs


def refuse_personal_data(value: str) -> None:
    """The list's search is in the address, where ID numbers and phones must never be."""
    compact = re.sub(r"[\s\-()（）]", "", value or "").upper()
    if len(compact) >= 7 and re.fullmatch(r"\d+X?", compact):
        raise DjangoValidationError(
            _("Search by ID number or phone with POST /api/members/lookup/, never in the address."),
            code="personal_data_in_url",
        )


class ApiMemberFilter(MemberFilter):
    q = CharFilter(
        label=_("Name or administrative title contains"),
        method="filter_q",
        validators=[refuse_personal_data],
    )

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(admin_title__icontains=value))


def _with_history(queryset):
    """Members with their current posts and transfers, in two extra queries whatever the rows."""
    return queryset.prefetch_related(
        Prefetch(
            "posts",
            queryset=PostAssignment.objects.filter(ended_on__isnull=True).select_related(
                "organization"
            ),
            to_attr="current_posts",
        ),
        Prefetch(
            "transfers",
            queryset=MemberTransfer.objects.select_related("from_organization", "to_organization"),
        ),
    )


@extend_schema_view(
    list=extend_schema(
        summary="Current members in your scope",
        description=(
            "`organization` includes everything below it. `q` matches name or administrative "
            "title; ID numbers and phones are refused here (use the lookup action)."
        ),
        responses={200: MemberSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One member, with current posts and transfer history",
        responses={200: MemberDetailSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Register a member",
        description=(
            "Rate-limited as personal data (`personal_data`); an `id_number` counts against "
            "your daily look-up budget. A number already in use names its member only "
            "within your scope."
        ),
        request=MemberCreateSerializer,
        responses={201: MemberDetailSerializer, **error_responses(400, 403, 429)},
    ),
    partial_update=extend_schema(
        summary="Change a member's own fields",
        description=(
            "Send the `version` you read. An empty `id_number` or `phone` clears it. "
            "A request with an `id_number` is rate-limited and counted as for create."
        ),
        request=MemberUpdateSerializer,
        responses={200: MemberDetailSerializer, **error_responses(400, 403, 404, 409, 429)},
    ),
)
class MemberViewSet(PolicyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Party members within your scope; personal data only masked."""

    serializer_class = MemberSerializer
    filter_backends = [UserFilterBackend]
    filterset_class = ApiMemberFilter
    policy_actions = {
        "list": Action.MEMBER_VIEW,
        "retrieve": Action.MEMBER_VIEW,
        "create": Action.MEMBER_MANAGE,
        "partial_update": Action.MEMBER_MANAGE,
        "transfer": Action.MEMBER_MANAGE,
        # A member may reveal their own data: the service decides, per member.
        "reveal": Action.MEMBER_VIEW,
        # Matching a clear ID number to a record is as good as revealing it.
        "lookup": Action.MEMBER_REVEAL,
        "posts": Action.MEMBER_VIEW,
    }

    def get_queryset(self):
        qs = Member.objects.restrict(self.request.user, Action.MEMBER_VIEW).select_related(
            "organization"
        )
        if self.action == "list":
            return qs.current()
        if self.action == "retrieve":
            return _with_history(qs)
        return qs

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def check_throttles(self, request):
        # Registering or changing an ID number compares it with every stored member:
        # the personal-data rate, as the look-up has.
        if self.action == "create" or (
            self.action == "partial_update"
            and isinstance(request.data, Mapping)
            and "id_number" in request.data
        ):
            self.throttle_scope = "personal_data"
        super().check_throttles(request)

    def get_policy_action(self):
        if self.action == "posts" and self.request.method == "POST":
            return Action.MEMBER_MANAGE
        return super().get_policy_action()

    def _detail(self, pk) -> dict:
        """The member as written, re-read through the scope (inside the write's transaction)."""
        qs = Member.objects.restrict(self.request.user, Action.MEMBER_VIEW)
        member = reread(_with_history(qs.select_related("organization")), pk)
        return MemberDetailSerializer(member, context=self.get_serializer_context()).data

    def retrieve(self, request, pk=None):
        member = self.get_object()
        return Response(MemberDetailSerializer(member, context=self.get_serializer_context()).data)

    def create(self, request):
        data = self._valid(MemberCreateSerializer)
        # Charged and audited in its own transaction, before (not inside) the write's.
        with budget_as_throttled():
            services.member_id_number_check(
                actor=request.user,
                target=data.get("organization"),
                id_number=data.get("id_number"),
                source="API",
            )
        with transaction.atomic():
            member = services.member_create(actor=request.user, **data)
            body = self._detail(member.pk)
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        member = self.get_object()
        data = self._valid(MemberUpdateSerializer, partial=True)
        with budget_as_throttled():
            services.member_id_number_check(
                actor=request.user,
                target=member,
                id_number=data.get("id_number"),
                exclude_pk=member.pk,
                source="API",
            )
        with transaction.atomic():
            member = services.member_update(actor=request.user, member=member, **data)
            body = self._detail(member.pk)
        return Response(body)

    @extend_schema(
        summary="Transfer a member to another organization",
        request=TransferInputSerializer,
        responses={201: TransferSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        member = self.get_object()
        data = self._valid(TransferInputSerializer)
        transfer = services.member_transfer(actor=request.user, member=member, **data)
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reveal a member's ID number or phone (audited)",
        description=(
            "Allowed to roles that may reveal personal data in the member's organization, and "
            "to members for their own record. Every call is written to the audit log. An account "
            "with two-factor login needs a token issued with `otp_token` (else 403 "
            "`second_factor_required`)."
        ),
        request=RevealInputSerializer,
        responses={200: RevealSerializer, **error_responses(400, 403, 404, 429)},
    )
    @action(
        detail=True,
        methods=["post"],
        throttle_scope="personal_data",
        permission_classes=SECOND_FACTOR_PERMISSIONS,
    )
    def reveal(self, request, pk=None):
        member = self.get_object()
        field = self._valid(RevealInputSerializer)["field"]
        value = services.member_reveal(actor=request.user, member=member, field=field)
        response = Response({"field": field, "value": value})
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="Find members by exact ID number or phone",
        description=(
            "The number travels in the body, never in the address. Searches the members whose "
            "personal data you may reveal; answers show them masked. An account with two-factor "
            "login needs a token issued with `otp_token` (else 403 `second_factor_required`). "
            "Each number counts against your daily look-up budget (429 when spent)."
        ),
        request=LookupSerializer,
        responses={200: MemberSerializer(many=True), **error_responses(400, 403, 429)},
    )
    @action(
        detail=False,
        methods=["post"],
        pagination_class=None,
        filter_backends=[],
        throttle_scope="personal_data",
        permission_classes=SECOND_FACTOR_PERMISSIONS,
    )
    def lookup(self, request):
        data = self._valid(LookupSerializer)
        with budget_as_throttled():
            found = services.member_lookup(
                actor=request.user,
                id_number=data.get("id_number", ""),
                phone=data.get("phone", ""),
                limit=LOOKUP_LIMIT,
            )
        return Response(MemberSerializer(found, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="All posts of a member, current and ended",
        responses={200: PostSerializer(many=True), **error_responses(403, 404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Give a member a post",
        request=PostInputSerializer,
        responses={201: PostSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def posts(self, request, pk=None):
        member = self.get_object()
        if request.method == "GET":
            posts = PostAssignment.objects.filter(member=member).select_related("organization")
            return Response(PostSerializer(posts, many=True).data)
        data = self._valid(PostInputSerializer)
        post = services.post_assign(actor=request.user, member=member, **data)
        post = PostAssignment.objects.select_related("organization").get(pk=post.pk)
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)

    def _valid(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class PostViewSet(PolicyViewSetMixin, viewsets.GenericViewSet):
    """Posts are reached from their member; this viewset only ends them."""

    serializer_class = PostSerializer
    policy_actions = {"end": Action.MEMBER_MANAGE}

    def get_queryset(self):
        # A post is visible with its member, or where it is held.
        user = self.request.user
        return PostAssignment.objects.filter(
            Q(member__in=Member.objects.restrict(user, Action.MEMBER_VIEW))
            | Q(organization__in=Organization.objects.restrict(user, Action.MEMBER_VIEW))
        ).select_related("organization")

    @extend_schema(
        summary="End a post",
        request=PostEndSerializer,
        responses={200: PostSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        post = self.get_object()
        serializer = PostEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.post_end(actor=request.user, post=post, **serializer.validated_data)
        return Response(PostSerializer(post).data)
