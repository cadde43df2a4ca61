"""Pages of the four-strong evaluation. Objects come from restricted querysets
(out of scope is 404); each step asks the service's permission helper (403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.forms import apply_service_errors
from dangjian.core.views import RequireActionMixin

from . import selectors, services
from .forms import CycleForm, IndicatorForm, StepForm, SystemForm
from .models import AssessmentStatus, Objection

S = AssessmentStatus


class SystemListView(RequireActionMixin, TemplateView):
    required_action = Action.FOURSTRONG_VIEW
    template_name = "fourstrong/system_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["systems"] = selectors.system_list(user=self.request.user)
        ctx["can_manage"] = services.can_manage_systems(self.request.user)
        return ctx


class SystemDetailView(RequireActionMixin, TemplateView):
    required_action = Action.FOURSTRONG_VIEW
    template_name = "fourstrong/system_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        system = get_object_or_404(selectors.system_list(user=self.request.user), pk=kwargs["pk"])
        ctx["system"] = system
        ctx["dimensions"] = selectors.indicators_by_dimension(system)
        ctx["weight_total"] = services.weight_total(system)
        ctx["in_use"] = services.system_in_use(system)
        ctx["can_manage"] = services.can_manage_systems(self.request.user)
        return ctx


class CycleListView(RequireActionMixin, TemplateView):
    required_action = Action.FOURSTRONG_VIEW
    template_name = "fourstrong/cycle_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cycles"] = selectors.cycle_list(user=self.request.user)
        ctx["can_start"] = policy.has_action(self.request.user, Action.FOURSTRONG_REVIEW)
        return ctx


class CycleMixin(RequireActionMixin):
    required_action = Action.FOURSTRONG_VIEW

    def get_cycle(self):
        return get_object_or_404(selectors.cycle_list(user=self.request.user), pk=self.kwargs["pk"])


class CycleDetailView(CycleMixin, TemplateView):
    template_name = "fourstrong/cycle_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle = self.get_cycle()
        ctx["cycle"] = cycle
        ctx["assessments"] = selectors.assessment_list(user=self.request.user, cycle=cycle)
        ctx["can_rank"] = policy.can(self.request.user, Action.FOURSTRONG_REVIEW, cycle.scope)
        return ctx


class RankingView(CycleMixin, TemplateView):
    template_name = "fourstrong/ranking.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            cycle = self.get_cycle()
            if not policy.can(request.user, Action.FOURSTRONG_REVIEW, cycle.scope):
                raise PermissionDenied
            self.cycle = cycle
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = selectors.ranking(user=self.request.user, cycle=self.cycle)
        ctx.update(
            cycle=self.cycle,
            rows=rows,
            dimension_labels=[label for _v, label in selectors.Dimension.choices],
            distribution=selectors.status_distribution(rows),
            bands=selectors.score_distribution(cycle=self.cycle, rows=rows),
        )
        return ctx


class AssessmentMixin(LoginRequiredMixin):
    def get_assessment(self):
        return get_object_or_404(
            selectors.assessment_detail_queryset(user=self.request.user), pk=self.kwargs["pk"]
        )


class AssessmentDetailView(AssessmentMixin, TemplateView):
    template_name = "fourstrong/assessment_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        a = self.get_assessment()
        scores = list(a.scores.select_related("indicator"))
        posted = kwargs.get("posted")
        for s in scores:
            # What the user typed stays on the form when the save is refused.
            s.input_self = posted.get(f"self_{s.indicator_id}", "") if posted else s.self_score
            s.input_evidence = (
                posted.get(f"evidence_{s.indicator_id}", "") if posted else s.evidence
            )
        history = selectors.branch_history(user=user, assessment=a)
        editable = a.status == S.SELF_ASSESSMENT and services.can_self_assess(user, a)
        review = services.can_review(user, a)
        ctx.update(
            assessment=a,
            scores=scores,
            radar=selectors.radar_data(scores),
            events=a.events.all(),
            objections=a.objections.all(),
            history=history,
            history_chart=selectors.history_chart(history),
            can_edit=editable,
            can_submit=editable,
            can_recommend=a.status == S.SUBMITTED and services.can_recommend(user, a),
            can_review=a.status == S.RECOMMENDED and review,
            can_notice=a.status == S.REVIEWED and review,
            can_answer=a.status == S.PUBLIC_NOTICE and review,
            can_decide=a.status == S.PUBLIC_NOTICE and review,
            can_revoke=a.status == S.NAMED and review,
            can_object=a.status == S.PUBLIC_NOTICE
            and a.notice_start <= timezone.localdate() <= a.notice_end
            and services.can_object(user, a),
        )
        return ctx


class ScoresSaveView(AssessmentDetailView):
    def get(self, request, *args, **kwargs):
        return redirect("fourstrong:assessment_detail", pk=kwargs["pk"])

    def post(self, request, pk):
        a = self.get_assessment()
        if not services.can_self_assess(request.user, a):
            raise PermissionDenied
        scores, evidence = {}, {}
        for s in a.scores.all():
            scores[s.indicator_id] = request.POST.get(f"self_{s.indicator_id}", s.self_score)
            evidence[s.indicator_id] = request.POST.get(f"evidence_{s.indicator_id}", s.evidence)
        try:
            services.self_assessment_save(
                actor=request.user,
                assessment=a,
                scores=scores,
                evidence=evidence,
                version=request.POST.get("version") or None,
            )
        except ValidationError as exc:
            context = self.get_context_data(pk=pk, posted=request.POST)
            context["score_errors"] = exc.messages
            return self.render_to_response(context, status=200)
        messages.success(request, _("The self-assessment was saved."))
        return redirect("fourstrong:assessment_detail", pk=a.pk)


STEPS = {
    "submit": services.can_self_assess,
    "recommend": services.can_recommend,
    "send-back": services.can_recommend,
    "review": services.can_review,
    "notice": services.can_review,
    "answer": services.can_review,
    "name": services.can_review,
    "not-name": services.can_review,
    "revoke": services.can_review,
    "object": services.can_object,
}


class AssessmentStepView(AssessmentMixin, View):
    def post(self, request, pk, step):
        if step not in STEPS:
            raise Http404
        a = self.get_assessment()
        if not STEPS[step](request.user, a):
            raise PermissionDenied
        form = StepForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect("fourstrong:assessment_detail", pk=a.pk)
        data = form.cleaned_data
        comment = data["comment"] or ""
        kw = {"actor": request.user, "assessment": a}
        if step != "object" and step != "answer":
            kw["version"] = data["version"]
        try:
            if step == "submit":
                services.self_assessment_submit(**kw, comment=comment)
            elif step == "recommend":
                services.recommend(**kw, comment=comment)
            elif step == "send-back":
                services.send_back(**kw, comment=comment)
            elif step == "review":
                finals = {
                    s.indicator_id: request.POST.get(f"final_{s.indicator_id}", s.self_score)
                    for s in a.scores.all()
                }
                services.review(**kw, final_scores=finals, comment=comment)
            elif step == "notice":
                services.notice_start(**kw, start=data["start"], end=data["end"], comment=comment)
            elif step == "object":
                services.objection_add(**kw, text=data["text"] or "")
            elif step == "answer":
                objection = get_object_or_404(Objection, pk=data["objection"], assessment=a)
                services.objection_answer(
                    actor=request.user, objection=objection, answer=data["answer"] or ""
                )
            elif step in ("name", "not-name"):
                services.decide(**kw, named=step == "name", comment=comment)
            elif step == "revoke":
                services.revoke(**kw, comment=comment)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Recorded."))
        return redirect("fourstrong:assessment_detail", pk=a.pk)


# Managing indicator systems and starting cycles (the offices)


class OfficeMixin(RequireActionMixin):
    required_action = Action.FOURSTRONG_SYSTEM_MANAGE


class SystemCreateView(OfficeMixin, FormView):
    template_name = "fourstrong/form.html"
    form_class = SystemForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            heading=_("New indicator system"),
            nav="systems",
            cancel_url=reverse("fourstrong:system_list"),
        )
        return ctx

    def form_valid(self, form):
        try:
            system = services.system_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        return redirect("fourstrong:system_detail", pk=system.pk)


class IndicatorAddView(OfficeMixin, FormView):
    template_name = "fourstrong/form.html"
    form_class = IndicatorForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.system = get_object_or_404(
                selectors.system_list(user=request.user), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            heading=_("Add an indicator to %(system)s") % {"system": self.system},
            nav="systems",
            cancel_url=reverse("fourstrong:system_detail", args=[self.system.pk]),
        )
        return ctx

    def form_valid(self, form):
        try:
            services.indicator_add(actor=self.request.user, system=self.system, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The indicator was added."))
        return redirect("fourstrong:system_detail", pk=self.system.pk)


class SystemStandardView(OfficeMixin, View):
    """Create (and publish) the standard indicator system as a new version."""

    def post(self, request):
        try:
            system = services.default_system_create(actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("fourstrong:system_list")
        messages.success(request, _("The standard indicator system was created and published."))
        return redirect("fourstrong:system_detail", pk=system.pk)


class SystemActionView(OfficeMixin, View):
    """Publish a draft system, or copy a system as a new draft version."""

    def post(self, request, pk, action):
        system = get_object_or_404(selectors.system_list(user=request.user), pk=pk)
        try:
            if action == "publish":
                services.system_publish(actor=request.user, system=system)
                messages.success(request, _("The indicator system was published."))
            elif action == "new-version":
                system = services.system_new_version(actor=request.user, system=system)
                messages.success(request, _("A new draft version was created."))
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("fourstrong:system_detail", pk=system.pk)


class CycleCreateView(RequireActionMixin, FormView):
    required_action = Action.FOURSTRONG_REVIEW
    template_name = "fourstrong/form.html"
    form_class = CycleForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            heading=_("Start an assessment cycle"),
            nav="cycles",
            cancel_url=reverse("fourstrong:cycle_list"),
        )
        return ctx

    def form_valid(self, form):
        try:
            cycle = services.cycle_start(actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        return redirect("fourstrong:cycle_detail", pk=cycle.pk)
