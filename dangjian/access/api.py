"""API sign-in (a token for a username and password) and "who am I"."""

from __future__ import annotations

import hashlib

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from dangjian.core.api import error_responses

from . import api_tokens, policy
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
        read_only=True,
        help_text="Send it as `Authorization: Token <token>`. Shown this once, never stored.",
    )
    expires_at = serializers.DateTimeField(
        read_only=True, help_text="The latest end; unused for the idle time, it ends earlier."
    )
    second_factor = serializers.BooleanField(
        read_only=True,
        help_text="Issued after a one-time code: needed to reveal or look up personal data.",
    )


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password (and a one-time code) for a new API token."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = [TokenAddressThrottle, TokenUsernameThrottle]
    throttle_scope = "auth_token"

    @extend_schema(
        summary="Get an API token",
        description=(
            "Every call issues a new token (its key is not stored and cannot be shown again). "
            "A user with two-factor login sends `otp_token` as well. A token ends after "
            "DANGJIAN_API_TOKEN_IDLE_HOURS unused, DANGJIAN_API_TOKEN_MAX_DAYS after issue, and "
            "when the password, the second factor, the roles or the account change. Attempts "
            "are limited per address and per username."
        ),
        request=AuthTokenSerializer,
        responses={200: TokenSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # Set by the two-factor middleware when this request's otp_token was accepted.
        verified = getattr(request, api_tokens.TWO_FACTOR_CHECKED, None) == user.pk
        token, key = api_tokens.token_issue(actor=user, user=user, second_factor=verified)
        response = Response(
            {"token": key, "expires_at": token.expires_at, "second_factor": token.second_factor}
        )
        response["Cache-Control"] = "no-store"
        return response


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
