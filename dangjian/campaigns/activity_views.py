"""Pages of activities: list, detail, record/edit (with the leaders present),
presentations, photos, exemplary cases, a forum's agenda built from cases, and
reporting one activity against several requirements.

An activity is fetched through ``Activity.objects.restrict(user, MEETING_VIEW)``
(out of scope is 404); recording and editing need MEETING_MANAGE on the
organizer, marking exemplary cases CAMPAIGN_MANAGE on it (otherwise 403).
Files are served by views that repeat the same checks, never from /media/.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.forms import apply_service_errors
from dangjian.core.images import content_type_for
from dangjian.core.views import RequireActionMixin
from dangjian.organizations.models import Organization
from dangjian.training.capabilities import Capability

from . import selectors, services
from .forms import (
    ActivityForm,
    ActivityReportForm,
    AgendaForm,
    ExemplaryForm,
    LeaderFormSet,
    PhotoForm,
    PresentationForm,
    leader_initial,
    leaders_from,
)
from .models import ActivityType, Campaign, LeaderRole

VIEW = Action.MEETING_VIEW
MANAGE = Action.MEETING_MANAGE


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _pk_param(request, name: str) -> str:
    value = request.GET.get(name, "")
    if value and not value.isdigit():
        raise Http404
    return value


def _org_choices(user) -> list[tuple[int, str]]:
    orgs = Organization.objects.restrict(user, VIEW).active().order_by("path")
    return [(o.pk, "\u3000" * o.depth + o.name) for o in orgs.only("pk", "name", "depth")]


def _filter_root(request):
    value = _pk_param(request, "root")
    if not value:
        return None
    return get_object_or_404(Organization.objects.restrict(request.user, VIEW), pk=value)


def _filter_campaign(request):
    value = _pk_param(request, "campaign")
    if not value:
        return None
    return get_object_or_404(selectors.visible_campaigns(user=request.user), pk=value)


def _querystring(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return (params.urlencode() + "&") if params else ""


class ActivityListView(RequireActionMixin, ListView):
    required_action = VIEW
    template_name = "campaigns/activity_list.html"
    paginate_by = 25

    def get_queryset(self):
        request = self.request
        self.type = request.GET.get("type", "")
        if self.type not in ActivityType.values:
            self.type = ""
        self.campaign = _filter_campaign(request)
        self.root = _filter_root(request)
        self.date_from = _date(request.GET.get("from"))
        self.date_to = _date(request.GET.get("to"))
        self.q = request.GET.get("q", "").strip()[:100]
        return selectors.activity_list(
            user=request.user,
            type=self.type,
            campaign=self.campaign,
            root=self.root,
            date_from=self.date_from,
            date_to=self.date_to,
            q=self.q,
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            querystring_base=_querystring(self.request),
            filtered=any(v for k, v in self.request.GET.items() if k != "page"),
            can_create=policy.has_action(user, MANAGE),
            type=self.type,
            type_choices=ActivityType.choices,
            campaign=self.campaign,
            campaign_choices=list(selectors.visible_campaigns(user=user).only("pk", "name")),
            root=self.root,
            org_choices=_org_choices(user),
            date_from=self.date_from,
            date_to=self.date_to,
            q=self.q,
        )
        return ctx


class ActivityMixin(LoginRequiredMixin):
    """Loads ``self.activity`` (404 outside scope) and asks ``allowed`` (403)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.activity = selectors.activity_get(user=request.user, pk=kwargs["pk"])
        if not self.allowed(request.user, self.activity):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def allowed(self, user, activity) -> bool:
        return True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["activity"] = self.activity
        return ctx


class ManageActivityMixin(ActivityMixin):
    def allowed(self, user, activity):
        return services.can_manage_activity(user, activity)


def _news_url(activity) -> str:
    """The news draft page of the reports app, once it exists."""
    try:
        return reverse("reports:activity_news", args=[activity.pk])
    except NoReverseMatch:
        return ""


class ActivityDetailView(ActivityMixin, TemplateView):
    template_name = "campaigns/activity_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        a = self.activity
        can_manage = services.can_manage_activity(user, a)
        ctx.update(
            can_manage=can_manage,
            can_mark=services.can_mark_exemplary(user, a),
            presentations=list(selectors.presentations_of(a)),
            photos=list(a.photos.all()),
            submissions=list(
                a.submissions.select_related("requirement", "requirement__campaign", "organization")
            ),
            photo_form=PhotoForm() if can_manage else None,
            reportable=(
                selectors.reportable_requirements(user=user, activity=a)
                if policy.can(user, MANAGE, a.organization)
                else []
            ),
            is_forum=a.is_of_kind(ActivityType.FORUM),
            news_url=_news_url(a),
            role_labels=dict(LeaderRole.choices),
        )
        return ctx


class ActivityFormMixin:
    template_name = "campaigns/activity_form.html"
    form_class = ActivityForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "user": self.request.user,
            "instance": getattr(self, "activity", None),
        }

    def get_initial(self):
        initial = super().get_initial()
        campaign = self.request.GET.get("campaign", "")
        if campaign.isdigit():
            initial["campaign"] = campaign
        return initial

    def get_formset(self):
        if self.request.method == "POST":
            return LeaderFormSet(self.request.POST, prefix="leaders")
        return LeaderFormSet(
            initial=leader_initial(getattr(self, "activity", None)), prefix="leaders"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("formset", self.get_formset())
        return ctx

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        formset = self.get_formset()
        if form.is_valid() and formset.is_valid():
            return self.save(form, formset)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def invalid(self, form, formset, exc):
        apply_service_errors(form, exc)
        if hasattr(exc, "error_dict") and "leaders" in exc.error_dict:
            formset._non_form_errors = formset.error_class(
                [m for e in exc.error_dict["leaders"] for m in e.messages]
            )
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


class ActivityCreateView(ActivityFormMixin, RequireActionMixin, FormView):
    required_action = MANAGE

    def save(self, form, formset):
        try:
            activity = services.activity_create(
                actor=self.request.user, leaders=leaders_from(formset), **form.service_data()
            )
        except ValidationError as exc:
            return self.invalid(form, formset, exc)
        messages.success(self.request, _("The activity was recorded."))
        return redirect("campaigns:activity_detail", pk=activity.pk)


class ActivityUpdateView(ActivityFormMixin, ManageActivityMixin, FormView):
    def save(self, form, formset):
        try:
            services.activity_update(
                actor=self.request.user,
                activity=self.activity,
                version=form.cleaned_data.get("version"),
                leaders=leaders_from(formset),
                **form.service_data(),
            )
        except ValidationError as exc:
            return self.invalid(form, formset, exc)
        messages.success(self.request, _("The activity was saved."))
        return redirect("campaigns:activity_detail", pk=self.activity.pk)


# ---------------------------------------------------------------- presentations


def _presentation_errors(form, exc) -> None:
    """The service names the file "material"; the form's field is "material_upload"."""
    apply_service_errors(form, exc)
    for error in getattr(exc, "error_dict", {}).get("material", []):
        form.add_error("material_upload", error)


class PresentationCreateView(ManageActivityMixin, FormView):
    template_name = "campaigns/presentation_form.html"
    form_class = PresentationForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        try:
            services.presentation_add(
                actor=self.request.user, activity=self.activity, **form.service_data()
            )
        except ValidationError as exc:
            _presentation_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The presentation was added."))
        return redirect("campaigns:activity_detail", pk=self.activity.pk)


class PresentationMixin(LoginRequiredMixin):
    """Loads ``self.presentation`` of a visible activity; needs MEETING_MANAGE there."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.presentation = selectors.presentation_get(user=request.user, pk=kwargs["pk"])
        self.activity = self.presentation.activity
        if not self.allowed(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def allowed(self, user) -> bool:
        return services.can_manage_activity(user, self.activity)

    def detail_url(self) -> str:
        return reverse("campaigns:activity_detail", args=[self.activity.pk])


class PresentationUpdateView(PresentationMixin, FormView):
    template_name = "campaigns/presentation_form.html"
    form_class = PresentationForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "user": self.request.user,
            "instance": self.presentation,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "activity": self.activity,
            "presentation": self.presentation,
        }

    def form_valid(self, form):
        try:
            services.presentation_update(
                actor=self.request.user, presentation=self.presentation, **form.service_data()
            )
        except ValidationError as exc:
            _presentation_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The presentation was saved."))
        return redirect(self.detail_url())


class PresentationDeleteView(PresentationMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        services.presentation_remove(actor=request.user, presentation=self.presentation)
        messages.success(request, _("The presentation was removed."))
        return redirect(self.detail_url())


class PresentationMoveView(PresentationMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.presentation_move(
                actor=request.user,
                presentation=self.presentation,
                up=request.POST.get("direction") != "down",
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(self.detail_url() + "#presentations")


def _file_response(fieldfile, filename: str, *, inline: bool = False, content_type=None):
    if not fieldfile:
        raise Http404
    try:
        handle = fieldfile.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response


class MaterialDownloadView(PresentationMixin, View):
    def allowed(self, user):
        return True  # whoever sees the activity may read its materials

    def get(self, request, *args, **kwargs):
        p = self.presentation
        return _file_response(p.material, p.material_name or p.material.name.rsplit("/", 1)[-1])


# ---------------------------------------------------------------- photos


class PhotoCreateView(ManageActivityMixin, FormView):
    template_name = "campaigns/photo_form.html"
    form_class = PhotoForm

    def form_valid(self, form):
        try:
            services.photo_add(
                actor=self.request.user,
                activity=self.activity,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data.get("caption", ""),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The photo was added."))
        return redirect(reverse("campaigns:activity_detail", args=[self.activity.pk]) + "#photos")


class PhotoMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.photo = selectors.photo_get(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class PhotoImageView(PhotoMixin, View):
    """The photo (or its thumbnail) inline, for whoever sees the activity."""

    thumbnail = False

    def get(self, request, *args, **kwargs):
        field = self.photo.thumbnail if self.thumbnail else self.photo.image
        name = field.name.rsplit("/", 1)[-1] if field else ""
        return _file_response(field, name, inline=True, content_type=content_type_for(name))


class PhotoDeleteView(PhotoMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        activity = self.photo.activity
        if not services.can_manage_activity(request.user, activity):
            raise PermissionDenied
        services.photo_remove(actor=request.user, photo=self.photo)
        messages.success(request, _("The photo was removed."))
        return redirect(reverse("campaigns:activity_detail", args=[activity.pk]) + "#photos")


# ---------------------------------------------------------------- exemplary cases


class ExemplaryMixin:
    template_name = "campaigns/exemplary_form.html"
    form_class = ExemplaryForm

    def target(self):
        raise NotImplementedError

    def get_initial(self):
        obj = self.target()
        return {"exemplary": True, "note": obj.exemplary_note}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "activity": self.activity,
            "target": self.target(),
            "is_presentation": self.target() is not self.activity,
        }

    def form_valid(self, form):
        try:
            services.exemplary_mark(
                actor=self.request.user,
                obj=self.target(),
                exemplary=form.cleaned_data["exemplary"],
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        if form.cleaned_data["exemplary"]:
            messages.success(self.request, _("Marked as an exemplary case."))
        else:
            messages.success(self.request, _("No longer an exemplary case."))
        return redirect("campaigns:activity_detail", pk=self.activity.pk)


class ActivityExemplaryView(ExemplaryMixin, ActivityMixin, FormView):
    def allowed(self, user, activity):
        return services.can_mark_exemplary(user, activity)

    def target(self):
        return self.activity


class PresentationExemplaryView(ExemplaryMixin, PresentationMixin, FormView):
    def allowed(self, user):
        return services.can_mark_exemplary(user, self.activity)

    def target(self):
        return self.presentation


class ExemplaryCaseListView(RequireActionMixin, TemplateView):
    required_action = VIEW
    template_name = "campaigns/case_list.html"
    limit = 200

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        request, user = self.request, self.request.user
        campaign = _filter_campaign(request)
        capability = request.GET.get("capability", "")
        if capability not in Capability.values:
            capability = ""
        root = _filter_root(request)
        presentations, activities = selectors.exemplary_cases(
            user=user, campaign=campaign, capability=capability, root=root
        )
        presentations = list(presentations[: self.limit])
        activities = list(activities[: self.limit])
        # Cases reach every organization the campaign addresses; the activity's own page
        # stays in its organizer's scope, so it is linked only where the user may open it.
        ids = {p.activity_id for p in presentations} | {a.pk for a in activities}
        ctx.update(
            openable=selectors.openable_activity_ids(user=user, ids=ids),
            presentations=presentations,
            activities=activities,
            campaign=campaign,
            campaign_choices=list(selectors.visible_campaigns(user=user).only("pk", "name")),
            capability=capability,
            capability_choices=Capability.choices,
            root=root,
            org_choices=_org_choices(user),
            filtered=bool(campaign or capability or root),
            limit=self.limit,
        )
        return ctx


class AgendaBuildView(ManageActivityMixin, FormView):
    """A forum's agenda from exemplary cases: each chosen case becomes a presentation."""

    template_name = "campaigns/agenda_form.html"
    form_class = AgendaForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "cases": selectors.agenda_case_choices(user=self.request.user, activity=self.activity)
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["is_forum"] = self.activity.is_of_kind(ActivityType.FORUM)
        ctx["on_agenda"] = set(
            self.activity.presentations.exclude(source=None).values_list("source_id", flat=True)
        )
        return ctx

    def form_valid(self, form):
        # Keep the order in which the cases are listed (newest activity first, then order).
        chosen = {p.pk for p in form.cleaned_data["cases"]}
        cases = [p for p in form.fields["cases"].queryset if p.pk in chosen]
        try:
            created = services.agenda_build(
                actor=self.request.user, activity=self.activity, cases=cases
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(count)s presentation(s) were added to the agenda.") % {"count": len(created)},
        )
        return redirect(
            reverse("campaigns:activity_detail", args=[self.activity.pk]) + "#presentations"
        )


# ---------------------------------------------------------------- reporting


class ActivityReportView(ActivityMixin, FormView):
    """Report this activity against one or more requirements of the campaigns covering
    its organizer: one activity serves every ledger it satisfies."""

    template_name = "campaigns/activity_report.html"
    form_class = ActivityReportForm

    def allowed(self, user, activity):
        return policy.can(user, MANAGE, activity.organization)

    def get_form_kwargs(self):
        self.requirements = selectors.reportable_requirements(
            user=self.request.user, activity=self.activity
        )
        return super().get_form_kwargs() | {"requirements": self.requirements}

    def form_valid(self, form):
        try:
            services.activity_report(
                actor=self.request.user, activity=self.activity, requirements=form.chosen()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The activity was reported."))
        return redirect("campaigns:activity_detail", pk=self.activity.pk)


def notice_response(campaign: Campaign):
    return _file_response(
        campaign.notice_file,
        campaign.notice_file_name or campaign.notice_file.name.rsplit("/", 1)[-1],
    )
