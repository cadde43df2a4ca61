"""Pages of the organization tree and the units."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.forms import apply_service_errors
from dangjian.core.views import RequireActionMixin, ScopedDetailView
from dangjian.people.models import Member, PostAssignment

from . import selectors, services
from .forms import OrganizationForm, OrganizationMoveForm, UnitForm
from .models import ALLOWED_CHILD_KINDS, Organization, Unit


class OrganizationTreeView(RequireActionMixin, TemplateView):
    """The tree: the user's topmost organizations, expanded on demand with htmx."""

    required_action = Action.ORG_VIEW
    template_name = "organizations/tree.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.get("q", "").strip()
        ctx["query"] = query
        ctx["results"] = selectors.organization_search(user=user, query=query) if query else None
        ctx["roots"] = selectors.organization_roots(user=user)
        ctx["can_create_root"] = policy.paths_for(user, Action.ORG_MANAGE) is None
        return ctx

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "search-results":
            return ["organizations/_partials/search_results.html"]
        return [self.template_name]


class OrganizationChildrenView(ScopedDetailView):
    """htmx partial: the children of one node with their subtree counts."""

    model = Organization
    action = Action.ORG_VIEW
    template_name = "organizations/_partials/tree_nodes.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            offset = max(int(self.request.GET.get("offset", 0)), 0)
        except ValueError:
            offset = 0
        ctx["nodes"] = selectors.organization_children(
            user=self.request.user,
            organization=self.object,
            offset=offset,
            limit=selectors.CHILDREN_PAGE,
        )
        return ctx


class OrganizationDetailView(ScopedDetailView):
    model = Organization
    action = Action.ORG_VIEW
    template_name = "organizations/organization_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("parent", "unit", "unit__parent")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org, user = self.object, self.request.user
        ctx["breadcrumb"] = selectors.organization_ancestors(user=user, organization=org)
        ctx["children"] = selectors.organization_children(
            user=user, organization=org, limit=selectors.CHILDREN_PAGE
        )
        ctx["totals"] = selectors.organization_totals(organization=org)
        ctx["posts"] = (
            PostAssignment.objects.filter(organization=org, ended_on__isnull=True)
            .select_related("member")
            .order_by("title", "member__name")
        )
        can_members = policy.can(user, Action.MEMBER_VIEW, org)
        ctx["can_view_members"] = can_members
        if can_members:
            members = (
                Member.objects.restrict(user, Action.MEMBER_VIEW)
                .current()
                .filter(organization=org)
                .prefetch_related(
                    Prefetch(
                        "posts",
                        queryset=PostAssignment.objects.filter(
                            ended_on__isnull=True, organization=org
                        ),
                        to_attr="current_posts",
                    )
                )
                .order_by("name")
            )
            ctx["members"] = members[:50]
            ctx["member_total"] = org.member_count
        ctx["can_manage"] = policy.can(user, Action.ORG_MANAGE, org)
        ctx["can_manage_members"] = policy.can(user, Action.MEMBER_MANAGE, org)
        ctx["can_export"] = policy.can(user, Action.MEMBER_EXPORT, org)
        ctx["can_import"] = policy.can(user, Action.MEMBER_IMPORT, org)
        ctx["can_add_child"] = ctx["can_manage"] and bool(ALLOWED_CHILD_KINDS[org.kind])
        return ctx


class OrganizationCreateView(RequireActionMixin, FormView):
    required_action = Action.ORG_MANAGE
    form_class = OrganizationForm
    template_name = "organizations/organization_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.parent = None
        parent_id = request.GET.get("parent") or request.POST.get("parent")
        if request.user.is_authenticated and parent_id:
            if not str(parent_id).isdigit():
                raise Http404
            self.parent = get_object_or_404(
                Organization.objects.restrict(request.user, Action.ORG_MANAGE).active(),
                pk=parent_id,
            )
        elif request.user.is_authenticated and policy.paths_for(request.user, Action.ORG_MANAGE):
            # A new top-level organization lies outside every subtree grant.
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"parent": self.parent}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"parent": self.parent}

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            org = services.organization_create(actor=self.request.user, parent=self.parent, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        except PermissionDenied:
            raise
        messages.success(self.request, _("The organization was created."))
        return redirect(org)


class OrganizationUpdateView(ScopedDetailView, FormView):
    model = Organization
    action = Action.ORG_MANAGE
    form_class = OrganizationForm
    template_name = "organizations/organization_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.object}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            org = services.organization_update(
                actor=self.request.user, organization=self.object, version=version, **data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The organization was saved."))
        return redirect(org)


class OrganizationMoveView(ScopedDetailView, FormView):
    model = Organization
    action = Action.ORG_MANAGE
    form_class = OrganizationMoveForm
    template_name = "organizations/organization_move.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        if self.object.parent_id is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "user": self.request.user,
            "organization": self.object,
        }

    def form_valid(self, form):
        try:
            services.organization_move(
                actor=self.request.user,
                organization=self.object,
                new_parent=form.cleaned_data["parent"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The organization was moved."))
        return redirect(self.object)


class OrganizationDissolveView(ScopedDetailView):
    model = Organization
    action = Action.ORG_MANAGE
    template_name = "organizations/organization_dissolve.html"

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            services.organization_dissolve(actor=request.user, organization=self.object)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(self.object)
        messages.success(request, _("The organization was dissolved."))
        return redirect(self.object.parent or "organizations:organization_tree")


class UnitListView(RequireActionMixin, TemplateView):
    required_action = Action.UNIT_MANAGE
    template_name = "organizations/unit_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        units = list(Unit.objects.select_related("parent").order_by("sort_order", "name"))
        children: dict[int | None, list[Unit]] = {}
        for unit in units:
            children.setdefault(unit.parent_id, []).append(unit)
        rows: list[tuple[int, Unit]] = []

        def walk(parent_id, level):
            for unit in children.get(parent_id, []):
                rows.append((level, unit))
                walk(unit.pk, level + 1)

        walk(None, 0)
        ctx["rows"] = rows
        return ctx


class UnitFormView(RequireActionMixin, FormView):
    required_action = Action.UNIT_MANAGE
    form_class = UnitForm
    template_name = "organizations/unit_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.unit = get_object_or_404(Unit, pk=kwargs["pk"]) if "pk" in kwargs else None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.unit}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"unit": self.unit}

    def form_valid(self, form):
        try:
            services.unit_save(actor=self.request.user, unit=self.unit, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The unit was saved."))
        return redirect("organizations:unit_list")
