"""Pages of trainings: list, record/edit, attendance, and the training hours overview."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.forms import apply_service_errors
from dangjian.core.views import RequireActionMixin, ScopedDetailView, ScopedListView
from dangjian.core.xlsx import XLSX_CONTENT_TYPE, ColumnSpec, WorkbookBuilder, watermark_text
from dangjian.organizations.models import Organization
from dangjian.people.models import Member

from . import selectors, services
from .capabilities import CAPABILITY_CODES, Capability
from .forms import AttendanceForm, TrainingForm
from .models import Training

VIEW = Action.MEETING_VIEW
MANAGE = Action.MEETING_MANAGE


def _year(request) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and 1900 < int(value) < 3000:
        return int(value)
    return timezone.localdate().year


def _root_from(request) -> Organization | None:
    value = request.GET.get("root") or request.GET.get("organization")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(Organization.objects.restrict(request.user, VIEW), pk=value)


def _org_choices(user) -> list[tuple[int, str]]:
    orgs = (
        Organization.objects.restrict(user, VIEW)
        .active()
        .order_by("path")
        .only("pk", "name", "depth")
    )
    return [(o.pk, "\u3000" * o.depth + o.name) for o in orgs]


def _default_root(user) -> Organization | None:
    paths = policy.paths_for(user, VIEW)
    qs = Organization.objects.active()
    if paths is None:
        qs = qs.filter(parent__isnull=True)
    else:
        qs = qs.filter(path__in=policy._outermost(paths))
    return qs.order_by("sort_order", "path").first()


def _managed_training(request, pk) -> Training:
    """A training the user may record (404 outside scope, 403 when only viewable)."""
    training = (
        Training.objects.restrict(request.user, VIEW)
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )
    if training is None:
        raise Http404
    if not policy.can(request.user, MANAGE, training.organization):
        raise PermissionDenied
    return training


class TrainingListView(ScopedListView):
    model = Training
    action = VIEW
    template_name = "training/training_list.html"
    paginate_by = 25

    def get_queryset(self):
        request = self.request
        value = request.GET.get("year", "")
        self.year = int(value) if value.isdigit() and 1900 < int(value) < 3000 else None
        self.capability = request.GET.get("capability", "")
        self.root = _root_from(request)
        self.q = request.GET.get("q", "").strip()[:100]
        return selectors.training_list(
            user=request.user,
            year=self.year,
            capability=self.capability,
            root=self.root,
            q=self.q,
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        user = self.request.user
        ctx.update(
            querystring_base=(params.urlencode() + "&") if params else "",
            can_create=policy.has_action(user, MANAGE),
            filtered=any(v for k, v in self.request.GET.items() if k != "page"),
            years=selectors.training_years(user=user),
            year=self.year,
            capability=self.capability,
            capability_choices=Capability.choices,
            root=self.root,
            q=self.q,
            org_choices=_org_choices(user),
        )
        return ctx


class TrainingDetailView(ScopedDetailView):
    model = Training
    action = VIEW
    template_name = "training/training_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["attendances"] = self.object.attendances.select_related(
            "member", "member__organization"
        ).order_by("member__name", "member_id")
        ctx["can_manage"] = policy.can(self.request.user, MANAGE, self.object.organization)
        return ctx


class TrainingCreateView(RequireActionMixin, FormView):
    required_action = MANAGE
    form_class = TrainingForm
    template_name = "training/training_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        try:
            training = services.training_create(actor=self.request.user, **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The training was recorded."))
        return redirect("training:attendance_update", pk=training.pk)


class TrainingUpdateView(LoginRequiredMixin, FormView):
    form_class = TrainingForm
    template_name = "training/training_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = _managed_training(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "instance": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"training": self.object}

    def form_valid(self, form):
        training = Training.objects.get(pk=self.object.pk)
        try:
            training = services.training_update(
                actor=self.request.user,
                training=training,
                version=form.cleaned_data.get("version"),
                **form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The training was saved."))
        return redirect(training)


class AttendanceView(LoginRequiredMixin, FormView):
    template_name = "training/attendance_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = _managed_training(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        training = self.object
        current = dict(training.attendances.values_list("member_id", "hours"))
        candidates = (
            Member.objects.current()
            .filter(organization__path__startswith=training.organization.path)
            .select_related("organization")
            .order_by("organization__path", "name", "id")
        )
        return AttendanceForm(
            **self.get_form_kwargs(), training=training, candidates=candidates, current=current
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"training": self.object}

    def form_valid(self, form):
        try:
            services.attendance_set(
                actor=self.request.user,
                training=self.object,
                entries=form.entries(),
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The attendance was saved."))
        return redirect(self.object)


class OverviewMixin(RequireActionMixin):
    required_action = VIEW

    def overview(self):
        user = self.request.user
        root = _root_from(self.request) or _default_root(user)
        year = _year(self.request)
        if root is None:
            return None, year, None
        return root, year, selectors.hours_overview(user=user, root=root, year=year)


class OverviewView(OverviewMixin, TemplateView):
    """学习培训学时: a subtree's training hours per capability in a year."""

    template_name = "training/overview.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        root, year, overview = self.overview()
        this_year = timezone.localdate().year
        years = sorted(set(selectors.training_years(user=user)) | {this_year, year}, reverse=True)
        labels = [str(Capability(c).label) for c in CAPABILITY_CODES]
        ctx.update(
            root=root,
            year=year,
            years=years,
            org_choices=_org_choices(user),
            overview=overview,
            capability_labels=labels,
        )
        if overview is not None:
            ctx["chart"] = {
                "title": _("Training hours"),
                "labels": labels,
                "values": [float(v) for v in overview.total.capability_hours],
            }
        return ctx


class OverviewExportView(OverviewMixin, View):
    def get(self, request, *args, **kwargs):
        root, year, overview = self.overview()
        if overview is None:
            raise Http404
        user = request.user
        labels = [str(Capability(c).label) for c in CAPABILITY_CODES]
        columns = [
            ColumnSpec(_("Organization"), width=30),
            ColumnSpec(_("Members"), width=10),
            ColumnSpec(_("Members trained"), width=12),
            *[ColumnSpec(label, width=14) for label in labels],
            ColumnSpec(_("Total hours"), width=12),
            ColumnSpec(_("Hours per member"), width=12),
        ]
        builder = WorkbookBuilder()
        sheet = builder.add_sheet(
            _("Training hours %(year)s") % {"year": year},
            columns,
            watermark=watermark_text(user),
        )
        for row in [*overview.rows, overview.total]:
            name = row.organization.name if row is not overview.total else _("Total")
            sheet.append(
                [
                    name,
                    row.members,
                    row.attendee_count,
                    *row.capability_hours,
                    row.hours["total"],
                    row.average,
                ]
            )
        buffer = io.BytesIO()
        builder.save(buffer)
        services.overview_export_audit(actor=user, root=root, year=year)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="training-hours-{year}.xlsx"'
        return response
