"""API plumbing shared by every app: structured errors, the policy permission, scoped
relations and the schema's error responses.

Every error answers ``{"error": code, "detail": text, "fields": {name: [messages]}}``;
``fields`` is empty unless the input was refused. Django's ``ValidationError`` and
``PermissionDenied`` raised by services become 400 and 403, a ``ValidationError`` with
``code="conflict"`` (a stale ``version``) becomes 409.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_description_list
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, parsers, permissions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

from dangjian.access import policy

from . import ratelimit

CONFLICT = "conflict"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Someone else changed this record meanwhile; reload it and try again.")
    default_code = CONFLICT


def _messages(detail):
    if isinstance(detail, dict):
        return {k: _messages(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [str(m) for m in detail]
    return [str(detail)]


def _is_conflict(exc: DjangoValidationError) -> bool:
    if hasattr(exc, "error_dict"):
        return False
    return any(getattr(e, "code", None) == CONFLICT for e in exc.error_list)


def _from_django(exc):
    if isinstance(exc, DjangoValidationError):
        if _is_conflict(exc):
            return Conflict(" ".join(exc.messages))
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return exceptions.ValidationError(fields)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def exception_handler(exc, context):
    """Answer every error with the structured body (see the module docstring)."""
    exc = _from_django(exc)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # Refused before DRF's throttles run: counts for the address's anonymous rate.
        wait = ratelimit.api_anonymous_wait(context.get("request"))
        if wait:
            exc = exceptions.Throttled(wait)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF answers 403 when the first authentication class (session) sends no
        # challenge; a client without credentials must learn to send a token: 401.
        exc.status_code = status.HTTP_401_UNAUTHORIZED
        exc.auth_header = getattr(exc, "auth_header", None) or 'Token realm="api"'
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body = {"error": getattr(exc, "default_code", "error"), "detail": "", "fields": {}}
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"__all__": exc.detail}
        body["error"] = "invalid"
        body["fields"] = {
            ("__all__" if k == "non_field_errors" else k): _messages(v) for k, v in fields.items()
        }
        general = body["fields"].get("__all__")
        # One message about the whole input says more than "Invalid input."
        body["detail"] = (
            general[0]
            if isinstance(general, list) and len(body["fields"]) == 1 and len(general) == 1
            else str(exceptions.ValidationError.default_detail)
        )
    else:
        body["detail"] = str(getattr(exc, "detail", exc))
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        body["error"] = "not_authenticated"
    response.data = body
    return response


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    error = serializers.CharField(
        help_text=(
            "Machine-readable code: invalid, conflict, not_authenticated, permission_denied, "
            "not_found, throttled, parse_error, method_not_allowed …"
        )
    )
    detail = serializers.CharField(help_text="A sentence for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Refused input: field name → messages; __all__ for the input as a whole.",
    )


_ERROR_DESCRIPTIONS = {
    400: "The input was refused; `fields` says why, field by field.",
    401: "No or invalid credentials (send a session cookie or `Authorization: Token …`).",
    403: "Your roles do not allow this action here.",
    404: "No such object within your scope.",
    409: "The `version` sent is stale: someone else changed the record meanwhile.",
    429: "Too many attempts; wait and retry.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error answers an operation can give (401 always)."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in sorted({401, *codes})
    }


class HasPolicyAction(permissions.BasePermission):
    """The user's roles must allow the view's policy action somewhere, else 403.

    Where exactly is decided by the restricted queryset (outside scope: 404) and
    by the service's own ``policy.can`` check (visible but not allowed: 403).
    """

    def has_permission(self, request, view):
        if getattr(view, "action", None) == "metadata":
            return True  # OPTIONS: answered 405 (no metadata class), no data either way
        action = view.get_policy_action()
        return action is not None and policy.has_action(request.user, action)


class PolicyViewSetMixin:
    """A viewset whose every action names the policy action it needs.

    ``policy_actions`` maps viewset actions (list, retrieve, create, move …) to
    :class:`~dangjian.access.roles.Action` values. An action missing from the
    map is a programming error and refuses to run.
    """

    permission_classes = [permissions.IsAuthenticated, HasPolicyAction]
    parser_classes = [parsers.JSONParser]
    policy_actions: dict[str, str] = {}
    # No OPTIONS introspection: it would describe forms the user may not use.
    metadata_class = None
    # A stricter rate for an expensive or sensitive action: @action(throttle_scope="…"),
    # a key of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (core/ratelimit.py).
    throttle_scope: str | None = None

    def get_policy_action(self) -> str | None:
        if self.action is None:
            return None
        try:
            return self.policy_actions[self.action]
        except KeyError:
            raise ImproperlyConfigured(
                f"{type(self).__name__}.policy_actions has no entry for {self.action!r}"
            ) from None


def reread(queryset, pk):
    """The object just written, read back through the user's scope.

    Call inside the transaction of the write: if the user could not see the
    result (they moved it out of their own scope), the write is rolled back.
    """
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        transaction.set_rollback(True)
        raise exceptions.PermissionDenied(
            _("The result would lie outside your scope, so nothing was changed.")
        ) from None


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference accepted only to objects the requesting user may see for ``action``.

    Anything else is "does not exist" (400): the same answer as for an unknown id.
    """

    def __init__(self, *, model, action: str, **kwargs):
        self.scope_model = model
        self.scope_action = action
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.scope_model.objects.restrict(getattr(request, "user", None), self.scope_action)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field described in the schema as the enum component ``enum_name``.

    drf-spectacular names enums after their field; two choice sets under one
    field name ("kind", "status") in several components collide and warn.
    """

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={
                "type": "string",
                "enum": list(field.choices),
                "description": build_choice_description_list(field.choices.items()),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class VersionedUpdateMixin:
    """A partial-update serializer whose ``version`` is required all the same."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "version" not in attrs:
            raise serializers.ValidationError(
                {"version": [self.fields["version"].error_messages["required"]]}
            )
        return attrs


class UserFilterBackend(DjangoFilterBackend):
    """django-filter backend that hands the requesting user to the filterset,
    which scopes its choice fields (organization pickers) by the user."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user}


def not_found(request, exception=None):
    """handler404: under /api/ a URL no route matches (e.g. ``/api/tasks/0.5/``) answers the
    structured error like every other API error; elsewhere Django's 404 page."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        body = {"error": "not_found", "detail": str(exceptions.NotFound.default_detail)}
        return JsonResponse({**body, "fields": {}}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def validated(view, serializer_class, data, **kwargs) -> dict:
    """The request's body or query parameters through ``serializer_class`` (else 400)."""
    serializer = serializer_class(data=data, context=view.get_serializer_context(), **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
