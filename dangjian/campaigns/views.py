"""Pages of the campaigns: list, detail, forms, the ledger, reporting and review.

A campaign is fetched through ``Campaign.objects.restrict(user, MEETING_VIEW)``
and an organization to report for through ``Organization.objects.restrict(user,
MEETING_MANAGE)`` (out of scope is 404); what the user may do is then asked of
the policy (not allowed is 403). Writes go through ``services``.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.forms import apply_service_errors
from dangjian.core.views import RequireActionMixin
from dangjian.core.xlsx import XLSX_CONTENT_TYPE, ColumnSpec, WorkbookBuilder, watermark_text
from dangjian.organizations.models import Organization

from . import selectors, services
from .forms import CampaignForm, PlannedActivityForm, ReasonForm, ReportForm, RequirementForm
from .models import Submission


class CampaignListView(RequireActionMixin, ListView):
    required_action = Action.MEETING_VIEW
    template_name = "campaigns/campaign_list.html"
    paginate_by = 25

    def get_queryset(self):
        self.search = self.request.GET.get("q", "").strip()[:100]
        return selectors.campaign_list(user=self.request.user, search=self.search)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["search"] = self.search
        ctx["querystring_base"] = f"q={self.search}&" if self.search else ""
        ctx["can_create"] = policy.has_action(self.request.user, Action.CAMPAIGN_MANAGE)
        return ctx


class CampaignMixin(LoginRequiredMixin):
    """Loads ``self.campaign`` from the visible campaigns and asks ``allowed``."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.campaign = selectors.campaign_get(user=request.user, pk=kwargs["pk"])
        if not self.allowed(request.user, self.campaign):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def allowed(self, user, campaign) -> bool:
        return True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["campaign"] = self.campaign
        return ctx


class CampaignDetailView(CampaignMixin, TemplateView):
    template_name = "campaigns/campaign_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        c = self.campaign
        ctx["can_manage"] = services.can_manage_campaign(self.request.user, c)
        ctx["requirements"] = list(c.requirements.all())
        ctx["planned"] = list(
            c.planned_activities.select_related("owner_organization", "owner_unit")
        )
        ctx["children"] = list(c.children.all())
        ctx["activities"] = list(selectors.activity_list(user=self.request.user, campaign=c)[:20])
        ctx["can_record"] = policy.has_action(self.request.user, Action.MEETING_MANAGE)
        return ctx


class NoticeDownloadView(CampaignMixin, View):
    """The notice attachment, for whoever sees the campaign."""

    def get(self, request, *args, **kwargs):
        from .activity_views import notice_response

        return notice_response(self.campaign)


class RemindLateView(CampaignMixin, View):
    """The office reminds the organizations late with a requirement, now (idempotent)."""

    http_method_names = ["post"]

    def allowed(self, user, campaign):
        return services.can_manage_campaign(user, campaign)

    def post(self, request, *args, **kwargs):
        sent = services.campaign_remind_late(actor=request.user, campaign=self.campaign)
        if sent:
            messages.success(
                request,
                _("%(count)s organization reminder(s) were sent.") % {"count": sent},
            )
        else:
            messages.info(request, _("Every late organization has already been reminded."))
        return redirect("campaigns:ledger", pk=self.campaign.pk)


class CampaignCreateView(RequireActionMixin, FormView):
    required_action = Action.CAMPAIGN_MANAGE
    form_class = CampaignForm
    template_name = "campaigns/campaign_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        try:
            campaign = services.campaign_create(actor=self.request.user, **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The campaign was launched."))
        return redirect(campaign)


class CampaignUpdateView(CampaignMixin, FormView):
    form_class = CampaignForm
    template_name = "campaigns/campaign_form.html"

    def allowed(self, user, campaign):
        return services.can_manage_campaign(user, campaign)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "instance": self.campaign}

    def form_valid(self, form):
        data = form.service_data()
        data.pop("organization", None)
        try:
            campaign = services.campaign_update(
                actor=self.request.user,
                campaign=self.campaign,
                version=form.cleaned_data.get("version"),
                **data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The campaign was saved."))
        return redirect(campaign)


class RequirementCreateView(CampaignMixin, FormView):
    form_class = RequirementForm
    template_name = "campaigns/requirement_form.html"

    def allowed(self, user, campaign):
        return services.can_manage_campaign(user, campaign)

    def form_valid(self, form):
        try:
            services.requirement_add(
                actor=self.request.user, campaign=self.campaign, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The requirement was added."))
        return redirect(self.campaign)


class PlannedActivityCreateView(CampaignMixin, FormView):
    form_class = PlannedActivityForm
    template_name = "campaigns/planned_form.html"

    def allowed(self, user, campaign):
        return services.can_manage_campaign(user, campaign)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "campaign": self.campaign}

    def form_valid(self, form):
        try:
            services.planned_activity_add(
                actor=self.request.user, campaign=self.campaign, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The series activity was added."))
        return redirect(self.campaign)


class LedgerView(CampaignMixin, TemplateView):
    template_name = "campaigns/ledger.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ledger = selectors.ledger(user=user, campaign=self.campaign)
        for row in ledger.rows:
            row.can_report = policy.can(user, Action.MEETING_MANAGE, row.organization)
            row.can_review = policy.can(user, Action.SUBMISSION_REVIEW, row.organization)
        ctx["ledger"] = ledger
        ctx["today"] = timezone.localdate()
        ctx["can_manage"] = services.can_manage_campaign(user, self.campaign)
        ctx["late_count"] = sum(1 for row in ledger.rows for cell in row.cells if cell.late)
        ctx["chart"] = (
            {
                "labels": [g["organization"].name for g in ledger.by_subtree],
                "accepted": [g["percent"] for g in ledger.by_subtree],
                "reported": [g["reported_percent"] for g in ledger.by_subtree],
                "accepted_label": _("accepted"),
                "reported_label": _("reported or accepted"),
            }
            if ledger.by_subtree
            else None
        )
        return ctx


class LedgerExportView(CampaignMixin, View):
    def get(self, request, *args, **kwargs):
        user = request.user
        ledger = selectors.ledger(user=user, campaign=self.campaign)
        labels = {
            "na": "—",
            "missing": _("not reported"),
            "ready": _("ready to submit"),
            **dict(Submission.Status.choices),
        }
        columns = [ColumnSpec(_("Organization"), 30)]
        for r in ledger.requirements:
            columns += [ColumnSpec(r.title, 18), ColumnSpec(_("Activity"), 24)]
        builder = WorkbookBuilder()
        sheet = builder.add_sheet(_("Ledger"), columns, watermark=watermark_text(user))
        for row in ledger.rows:
            values = [row.organization.name]
            for cell in row.cells:
                text = str(labels[cell.status])
                if cell.late:
                    text += _(" (late)")
                values += [text, cell.submission.record_title if cell.submission else ""]
            sheet.append(values)
        totals = [_("Completion")]
        for s in ledger.per_requirement:
            totals += [f"{s['percent']}%", f"{s['accepted']}/{s['applicable']}"]
        sheet.append(totals)
        buffer = io.BytesIO()
        builder.save(buffer)
        services.ledger_export_audit(actor=user, campaign=self.campaign)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="ledger.xlsx"'
        return response


class ReportView(CampaignMixin, FormView):
    """A branch reports an activity against one requirement."""

    form_class = ReportForm
    template_name = "campaigns/report_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organization = get_object_or_404(
                Organization.objects.restrict(request.user, Action.MEETING_MANAGE).active(),
                pk=kwargs["org"],
            )
        return super().dispatch(request, *args, **kwargs)

    def allowed(self, user, campaign):
        self.requirement = get_object_or_404(campaign.requirements, pk=self.kwargs["req"])
        return True

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "activities": selectors.activity_choices(
                user=self.request.user, organization=self.organization
            )
        }

    def get_initial(self):
        return {"theme": self.requirement.title, "type": "themed_party_day"}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["requirement"] = self.requirement
        ctx["organization"] = self.organization
        ctx["submission"] = self.requirement.submissions.filter(
            organization=self.organization
        ).first()
        return ctx

    def form_valid(self, form):
        data = form.cleaned_data
        user = self.request.user
        try:
            activity = data.get("activity")
            from django.db import transaction

            with transaction.atomic():
                if activity is None:
                    activity = services.activity_create(
                        actor=user,
                        organization=self.organization,
                        campaign=self.campaign,
                        **{
                            k: data[k]
                            for k in (
                                "type",
                                "title",
                                "theme",
                                "held_on",
                                "venue",
                                "participant_groups",
                                "summary",
                            )
                        },
                    )
                services.submission_report(
                    actor=user,
                    requirement=self.requirement,
                    organization=self.organization,
                    activity=activity,
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The activity was reported."))
        return redirect("campaigns:ledger", pk=self.campaign.pk)


class ReportRecordView(CampaignMixin, View):
    """One click: report the meeting or training the organization already recorded."""

    http_method_names = ["post"]

    def allowed(self, user, campaign):
        self.requirement = get_object_or_404(campaign.requirements, pk=self.kwargs["req"])
        self.organization = get_object_or_404(
            Organization.objects.restrict(user, Action.MEETING_MANAGE).active(),
            pk=self.kwargs["org"],
        )
        return True

    def post(self, request, *args, **kwargs):
        try:
            services.submission_from_record(
                actor=request.user, requirement=self.requirement, organization=self.organization
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The recorded meeting or training was reported."))
        return redirect("campaigns:ledger", pk=self.campaign.pk)


class SubmissionMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.submission = get_object_or_404(
            Submission.objects.restrict(request.user, Action.MEETING_VIEW).select_related(
                "requirement__campaign", "organization", "activity"
            ),
            pk=kwargs["pk"],
        )
        if not policy.can(request.user, Action.SUBMISSION_REVIEW, self.submission.organization):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def ledger_url(self):
        from django.urls import reverse

        return reverse("campaigns:ledger", args=[self.submission.requirement.campaign_id])


class SubmissionReturnView(SubmissionMixin, FormView):
    form_class = ReasonForm
    template_name = "campaigns/return_form.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["submission"] = self.submission
        ctx["ledger_url"] = self.ledger_url()
        return ctx

    def form_valid(self, form):
        try:
            services.submission_return(
                actor=self.request.user,
                submission=self.submission,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The submission was returned."))
        return redirect(self.ledger_url())


class SubmissionAcceptView(SubmissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.submission_accept(actor=request.user, submission=self.submission)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The submission was accepted."))
        return redirect(self.ledger_url())
