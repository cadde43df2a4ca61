"""Pages of the members: list, detail, forms, transfers, posts, reveal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.forms import apply_service_errors
from dangjian.core.views import RequireActionMixin, ScopedDetailView, ScopedListView
from dangjian.organizations.models import Organization

from . import selectors, services
from .filters import MemberFilter, SelectedOrganizationSelect
from .forms import MemberForm, PostForm, TransferForm
from .models import SENSITIVE_FIELDS, Member, PostAssignment


class MemberListView(ScopedListView):
    model = Member
    action = Action.MEMBER_VIEW
    template_name = "people/member_list.html"
    paginate_by = 30

    def get_queryset(self):
        base = selectors.member_list(user=self.request.user)
        self.filterset = MemberFilter(
            self.request.GET or None, queryset=base, user=self.request.user
        )
        qs = self.filterset.qs if self.filterset.is_bound else base
        return qs.order_by("organization__path", "name", "id")

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if not (set(self.request.GET) - {"page"}):
            # Unfiltered: count from the stored per-organization counts.
            paginator.count = selectors.member_count_in_scope(user=self.request.user)
        return paginator

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx["filter"] = self.filterset
        ctx["org_search"] = isinstance(
            self.filterset.form.fields["organization"].widget, SelectedOrganizationSelect
        )
        ctx["querystring_base"] = (params.urlencode() + "&") if params else ""
        ctx["export_query"] = params.urlencode()
        ctx["can_export"] = policy.has_action(self.request.user, Action.MEMBER_EXPORT)
        ctx["can_create"] = policy.has_action(self.request.user, Action.MEMBER_MANAGE)
        return ctx


class MemberDetailView(ScopedDetailView):
    model = Member
    action = Action.MEMBER_VIEW
    template_name = "people/member_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization", "organization__unit")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, member = self.request.user, self.object
        ctx["posts"], ctx["transfers"] = selectors.member_history(member=member)
        ctx["can_manage"] = policy.can(user, Action.MEMBER_MANAGE, member)
        ctx["can_reveal"] = policy.can(user, Action.MEMBER_REVEAL, member)
        return ctx


class MemberCreateView(RequireActionMixin, FormView):
    required_action = Action.MEMBER_MANAGE
    form_class = MemberForm
    template_name = "people/member_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_initial(self):
        org = self.request.GET.get("organization")
        return {"organization": org} if org and org.isdigit() else {}

    def form_valid(self, form):
        data = form.service_data()
        try:
            services.member_id_number_check(
                actor=self.request.user,
                target=data.get("organization"),
                id_number=data.get("id_number"),
                source="member form",
            )
            member = services.member_create(actor=self.request.user, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The member was added."))
        return redirect(member)


class MemberUpdateView(ScopedDetailView, FormView):
    model = Member
    action = Action.MEMBER_MANAGE
    form_class = MemberForm
    template_name = "people/member_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "instance": self.object}

    def form_valid(self, form):
        version = form.cleaned_data.get("version")
        data = form.service_data()
        try:
            services.member_id_number_check(
                actor=self.request.user,
                target=self.object,
                id_number=data.get("id_number"),
                exclude_pk=self.object.pk,
                source="member form",
            )
            member = services.member_update(
                actor=self.request.user, member=self.object, version=version, **data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The member was saved."))
        return redirect(member)


class MemberTransferView(ScopedDetailView, FormView):
    model = Member
    action = Action.MEMBER_MANAGE
    form_class = TransferForm
    template_name = "people/member_transfer.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"transferred_on": timezone.localdate()}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "member": self.object}

    def form_valid(self, form):
        try:
            services.member_transfer(
                actor=self.request.user, member=self.object, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The member was transferred."))
        return redirect(self.object)


class MemberRevealView(ScopedDetailView):
    """POST (htmx): the clear value of one personal-data field, audited."""

    model = Member
    action = Action.MEMBER_VIEW
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        member = self.get_object()
        field = kwargs["field"]
        if field not in SENSITIVE_FIELDS:
            raise Http404
        try:
            value = services.member_reveal(actor=request.user, member=member, field=field)
        except PermissionDenied:
            return HttpResponse(_("Your role may not see this in full."), status=403)
        response = render(
            request, "people/_partials/revealed.html", {"value": value or "—", "field": field}
        )
        response["Cache-Control"] = "no-store"
        return response


class PostCreateView(ScopedDetailView, FormView):
    model = Member
    action = Action.MEMBER_VIEW
    form_class = PostForm
    template_name = "people/post_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        if not policy.has_action(request.user, Action.MEMBER_MANAGE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"organization": self.object.organization_id}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        try:
            services.post_assign(actor=self.request.user, member=self.object, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The post was assigned."))
        return redirect(self.object)


class PostEndView(RequireActionMixin, View):
    required_action = Action.MEMBER_MANAGE
    http_method_names = ["post"]

    def post(self, request, pk):
        orgs = Organization.objects.restrict(request.user, Action.MEMBER_MANAGE)
        post = get_object_or_404(
            PostAssignment.objects.select_related("member").filter(organization__in=orgs), pk=pk
        )
        try:
            services.post_end(actor=request.user, post=post)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The post was ended."))
        member = post.member
        if Member.objects.restrict(request.user, Action.MEMBER_VIEW).filter(pk=member.pk).exists():
            return redirect(member)
        return redirect("people:member_list")


class OrganizationOptionsView(RequireActionMixin, View):
    """htmx: ``<option>``s of organizations in the user's member scope whose name
    contains ``q`` (the member list's organization picker on large scopes)."""

    required_action = Action.MEMBER_VIEW
    limit = 50

    def get(self, request):
        query = request.GET.get("org_q", "").strip()
        orgs = Organization.objects.restrict(request.user, Action.MEMBER_VIEW).active()
        if query:
            orgs = orgs.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
        orgs = list(orgs.order_by("depth", "path").only("pk", "name")[: self.limit])
        return render(request, "people/_partials/organization_options.html", {"orgs": orgs})


class MemberPickView(RequireActionMixin, View):
    """htmx: ``<option>``s of at most ``limit`` current members in the user's member
    scope whose name or administrative title contains ``q``, for the member picker of
    forms (``people.widgets.MemberPickerSelect``). The current choice, sent under the
    select's name ``field``, is kept at the top when it is in scope.

    An optional ``org`` (an organization id, never anything personal) narrows the
    search to that organization's subtree, for fields that allow no more (a meeting's
    chair, a decision's responsible person). It only narrows: an organization outside
    the user's member scope, or not an id, finds nobody.

    ID numbers and phones are refused as the query, as in the member list's API: a
    GET puts them in the address and the access log.
    """

    required_action = Action.MEMBER_VIEW
    limit = 20

    def get(self, request):
        from .api import refuse_personal_data
        from .widgets import member_label

        scope = (
            Member.objects.restrict(request.user, Action.MEMBER_VIEW)
            .current()
            .select_related("organization")
        )
        org_id = request.GET.get("org", "")
        if org_id:
            visible = Organization.objects.restrict(request.user, Action.MEMBER_VIEW)
            org = visible.filter(pk=org_id).first() if org_id.isdigit() else None
            scope = scope.filter(organization__path__startswith=org.path) if org else scope.none()
        field = request.GET.get("field", "")
        # A formset's field is named like ``tasks-0-responsible``.
        named = field.replace("-", "_").isidentifier() and len(field) <= 100
        chosen_id = request.GET.get(field, "") if named else ""
        chosen = scope.filter(pk=chosen_id).first() if chosen_id.isdigit() else None
        query = request.GET.get("q", "").strip()[:50]
        refused, matches, more = "", [], False
        try:
            refuse_personal_data(query)
        except ValidationError as exc:
            refused = exc.messages[0]
        else:
            if query:
                found = scope.filter(Q(name__icontains=query) | Q(admin_title__icontains=query))
                if chosen is not None:
                    found = found.exclude(pk=chosen.pk)
                matches = list(found.order_by("name", "organization__path", "id")[: self.limit + 1])
                more = len(matches) > self.limit
                matches = matches[: self.limit]
        return render(
            request,
            "people/_partials/member_pick_options.html",
            {
                "query": query,
                "refused": refused,
                "chosen": (chosen.pk, member_label(chosen)) if chosen else None,
                "matches": [(m.pk, member_label(m)) for m in matches],
                "more": more,
                "limit": self.limit,
            },
        )
