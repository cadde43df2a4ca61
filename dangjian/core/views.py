"""Base views: every scoped page fetches through the restricted queryset."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Count, Q, Sum
from django.views.generic import DetailView, ListView, TemplateView

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.heartbeat import worker_missing


class ScopedMixin(LoginRequiredMixin):
    """Fetch only what ``action`` allows the user to see; anything else is 404."""

    action: str | None = None
    model = None

    def get_queryset(self):
        if self.model is None or self.action is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs model and action")
        return self.model.objects.restrict(self.request.user, self.action)


class ScopedListView(ScopedMixin, ListView):
    paginate_by = 25

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not policy.has_action(request.user, self.action):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedDetailView(ScopedMixin, DetailView):
    pass


class RequireActionMixin(LoginRequiredMixin):
    """For pages not about one scoped object: the user needs ``action`` somewhere."""

    required_action: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not policy.has_action(request.user, self.required_action):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        from dangjian.organizations.models import Organization, OrganizationKind

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        orgs = Organization.objects.restrict(user, Action.ORG_VIEW).active()
        ctx["totals"] = orgs.aggregate(
            organizations=Count("id"),
            branches=Count("id", filter=Q(kind=OrganizationKind.BRANCH)),
            members=Sum("member_count", default=0),
            probationary=Sum("probationary_count", default=0),
        )
        ctx["roots"] = _visible_roots(user)
        ctx["grants"] = user.grants.select_related("organization")
        # The offices and the administrator are told when jobs wait for a worker.
        if policy.has_action(user, Action.TASK_SUPERVISE) or policy.has_action(
            user, Action.USER_MANAGE
        ):
            ctx["worker_missing"] = worker_missing()
        return ctx


def _visible_roots(user):
    from dangjian.organizations.selectors import organization_roots

    return organization_roots(user=user)
