"""Accounts (platform administrator), role grants (security administrator), audit log (auditor)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, ListView

from dangjian.core import audit_display
from dangjian.core.forms import apply_service_errors
from dangjian.core.models import AuditEvent
from dangjian.core.views import RequireActionMixin

from . import api_tokens, policy, services
from .forms import ApiTokenForm, GrantForm, UserCreateForm
from .models import ApiToken, RoleGrant, User
from .roles import SEPARATED_ROLES, Action


class UserListView(RequireActionMixin, ListView):
    required_action = Action.USER_MANAGE
    template_name = "access/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = User.objects.select_related("member").prefetch_related(
            Prefetch("grants", queryset=RoleGrant.objects.select_related("organization"))
        )
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(username__icontains=q) | qs.filter(display_name__icontains=q)
        return qs.order_by("username")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Accounts of the three duties: only the security administrator disables them.
        ctx["duty_ids"] = {
            u.pk
            for u in ctx["object_list"]
            if any(g.role in SEPARATED_ROLES for g in u.grants.all())
        }
        return ctx


class UserCreateView(RequireActionMixin, FormView):
    required_action = Action.USER_MANAGE
    form_class = UserCreateForm
    template_name = "access/user_form.html"

    def form_valid(self, form):
        try:
            services.user_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The account was created."))
        return redirect("access:user_list")


class UserToggleActiveView(LoginRequiredMixin, View):
    """Disable or enable an account: the platform administrator for ordinary accounts, the
    security administrator (from the roles page) for the three duties; the service decides."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (
            policy.has_action(user, Action.USER_MANAGE)
            or policy.has_action(user, Action.GRANT_MANAGE)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk):
        user = get_object_or_404(User, pk=pk)
        try:
            services.user_set_active(actor=request.user, user=user, active=not user.is_active)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        if policy.has_action(request.user, Action.USER_MANAGE):
            return redirect("access:user_list")
        return redirect("access:grant_list")


class GrantListView(RequireActionMixin, ListView):
    required_action = Action.GRANT_MANAGE
    template_name = "access/grant_list.html"
    paginate_by = 50

    def get_queryset(self):
        return RoleGrant.objects.select_related("user", "organization", "granted_by").order_by(
            "user__username", "role"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["separated_roles"] = SEPARATED_ROLES
        return ctx


class GrantCreateView(RequireActionMixin, FormView):
    required_action = Action.GRANT_MANAGE
    form_class = GrantForm
    template_name = "access/grant_form.html"

    def form_valid(self, form):
        try:
            services.grant_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The role was granted."))
        return redirect("access:grant_list")


class GrantRevokeView(RequireActionMixin, View):
    required_action = Action.GRANT_MANAGE
    http_method_names = ["post"]

    def post(self, request, pk):
        grant = get_object_or_404(RoleGrant.objects.select_related("user"), pk=pk)
        try:
            services.grant_revoke(actor=request.user, grant=grant)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The role was revoked."))
        return redirect("access:grant_list")


class AuditListView(RequireActionMixin, ListView):
    required_action = Action.AUDIT_VIEW
    template_name = "access/audit_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = AuditEvent.objects.all()
        g = self.request.GET
        if g.get("action") in AuditEvent.Action.values:
            qs = qs.filter(action=g["action"])
        if g.get("user"):
            qs = qs.filter(actor_name__icontains=g["user"].strip())
        if g.get("object"):
            qs = qs.filter(object_repr__icontains=g["object"].strip())
        if g.get("date_from"):
            qs = (
                qs.filter(occurred_at__date__gte=g["date_from"]) if _is_date(g["date_from"]) else qs
            )
        if g.get("date_to"):
            qs = qs.filter(occurred_at__date__lte=g["date_to"]) if _is_date(g["date_to"]) else qs
        return qs.order_by("-occurred_at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx["querystring_base"] = (params.urlencode() + "&") if params else ""
        ctx["actions"] = AuditEvent.Action.choices
        from dangjian.core import audit_jobs

        ctx.update(audit_jobs.chain_context())
        ctx["current"] = self.request.GET
        for event in ctx["object_list"]:  # field names and choices in words (50 a page)
            event.change_rows = audit_display.change_rows(event)
            event.object_label = audit_display.object_label(event)
        return ctx


class AuditChainStatusView(RequireActionMixin, View):
    """The chain's state (last verification, running job's progress); polled by the page."""

    required_action = Action.AUDIT_VIEW

    def get(self, request):
        from django.shortcuts import render

        from dangjian.core import audit_jobs

        return render(request, "core/_audit_chain.html", audit_jobs.chain_context())


class AuditChainVerifyView(RequireActionMixin, View):
    """ "Verify now": queue a verification of the whole chain for the job worker."""

    required_action = Action.AUDIT_VIEW

    def post(self, request):
        from dangjian.core import audit_jobs

        audit_jobs.request_verification(user=request.user)
        messages.success(request, _("The verification of the audit log has started."))
        return redirect("access:audit_list")


def _is_date(value: str) -> bool:
    import datetime

    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


class ApiTokenListView(LoginRequiredMixin, View):
    """The user's own API tokens (never their keys): issue one, revoke one or all."""

    def get(self, request):
        return _token_page(request, ApiTokenForm())


class ApiTokenCreateView(LoginRequiredMixin, View):
    """Issue a token; its key is on this one answer only (not stored, not cached)."""

    http_method_names = ["post"]

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return _token_page(request, form)
        user = request.user
        _token, key = api_tokens.token_issue(
            actor=user,
            user=user,
            second_factor=user.is_verified(),
            name=form.cleaned_data["name"],
            note="api token issued on the account page",
        )
        response = _token_page(request, ApiTokenForm(), new_key=key)
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        try:
            api_tokens.token_revoke(actor=request.user, token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The token was revoked."))
        return redirect("access:token_list")


class ApiTokenRevokeAllView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        count = api_tokens.revoke_all(
            user=request.user, reason=api_tokens.BY_HOLDER, actor=request.user
        )
        messages.success(
            request,
            ngettext("%(count)d token was revoked.", "%(count)d tokens were revoked.", count)
            % {"count": count},
        )
        return redirect("access:token_list")


def _token_page(request, form, new_key: str = ""):
    tokens = api_tokens.token_list(user=request.user)
    for token in tokens:
        token.ends_at = api_tokens.ends_at(token)
    context = {
        "tokens": tokens,
        "form": form,
        "new_key": new_key,
        "idle_hours": api_tokens.idle_time().total_seconds() / 3600,
        "max_days": api_tokens.max_age().days,
    }
    return render(request, "access/token_list.html", context)
