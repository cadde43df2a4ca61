"""API sign-in (a token for a username and password) and "who am I"."""

from __future__ import annotations

import hashlib

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from dangjian.core import audit
from dangjian.core.api import error_responses

from . import policy
from .roles import Action, Role


class _ConfigurableRate:
    """Rate from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope], else ``default_rate``."""

    default_rate = "10/min"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or self.default_rate


class TokenAddressThrottle(_ConfigurableRate, ScopedRateThrottle):
    """Token requests per client address.

    Without ``NUM_PROXIES`` configured, DRF would trust any X-Forwarded-For a
    client sends, letting it choose its own address; then only REMOTE_ADDR counts.
    """

    def get_ident(self, request):
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR") or ""
        return super().get_ident(request)


class TokenUsernameThrottle(_ConfigurableRate, ScopedRateThrottle):
    """Token requests per username tried, whatever address they come from."""

    def get_cache_key(self, request, view):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username.strip():
            return None
        ident = hashlib.sha256(username.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": f"{self.scope}_user", "ident": ident}


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text="Send it as `Authorization: Token <token>`."
    )


@transaction.atomic
def _issue_token(user) -> Token:
    token, _created = Token.objects.get_or_create(user=user)
    audit.record(actor=user, action=audit.AuditEvent.Action.LOGIN, obj=user, note="api token")
    return token


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for the user's API token."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = [TokenAddressThrottle, TokenUsernameThrottle]
    throttle_scope = "auth_token"

    @extend_schema(
        summary="Get an API token",
        description=(
            "The same token is returned until it is revoked. Attempts are limited per address "
            "and per username."
        ),
        request=AuthTokenSerializer,
        responses={200: TokenSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = _issue_token(serializer.validated_data["user"])
        return Response({"token": token.key})


class GrantSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    role_display = serializers.CharField(source="get_role_display")
    organization = serializers.IntegerField(
        source="organization_id", allow_null=True, help_text="None: the whole platform."
    )
    organization_name = serializers.CharField(source="organization.name", allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    member = serializers.IntegerField(allow_null=True, help_text="Your own member record, if any.")
    roles = GrantSerializer(many=True)
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=Action.choices),
        help_text="Actions your roles allow somewhere (where: see `roles`).",
    )


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Who am I", responses={200: MeSerializer, **error_responses()})
    def get(self, request):
        user = request.user
        me = {
            "id": user.pk,
            "username": user.get_username(),
            "display_name": str(user),
            "member": user.member_id,
            "roles": user.grants.select_related("organization"),
            "actions": [a for a in Action.values if policy.has_action(user, a)],
        }
        return Response(MeSerializer(me).data)
