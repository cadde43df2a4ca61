"""Pages of meetings: list, detail, forms, attendance, agenda, decisions → tasks, sign-in,
organizational life compliance and its rules."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import ratelimit
from dangjian.core.forms import apply_service_errors
from dangjian.core.views import RequireActionMixin, ScopedDetailView, ScopedListView
from dangjian.organizations.models import OrganizationKind

from . import selectors, services
from .filters import MeetingFilter
from .forms import (
    AgendaItemForm,
    AttendanceFormSet,
    CancelForm,
    ComplianceForm,
    DecisionTaskFormSet,
    LifeRuleForm,
    MeetingForm,
)
from .models import AgendaItem, AttendanceStatus, LifeRule, Meeting


def _managed_meeting(request, pk) -> Meeting:
    """A meeting the user may record (404 outside scope, 403 when only viewable)."""
    meeting = (
        Meeting.objects.restrict(request.user, Action.MEETING_VIEW)
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    if not policy.can(request.user, Action.MEETING_MANAGE, meeting.organization):
        raise PermissionDenied
    return meeting


def _managed_item(request, pk) -> AgendaItem:
    visible = Meeting.objects.restrict(request.user, Action.MEETING_VIEW)
    item = get_object_or_404(
        AgendaItem.objects.select_related("meeting", "meeting__organization").filter(
            meeting__in=visible
        ),
        pk=pk,
    )
    if not policy.can(request.user, Action.MEETING_MANAGE, item.meeting.organization):
        raise PermissionDenied
    return item


def _error_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


class MeetingListView(ScopedListView):
    model = Meeting
    action = Action.MEETING_VIEW
    template_name = "meetings/meeting_list.html"
    paginate_by = 25

    def get_queryset(self):
        base = selectors.meeting_list(user=self.request.user)
        self.filterset = MeetingFilter(
            self.request.GET or None, queryset=base, user=self.request.user
        )
        qs = self.filterset.qs if self.filterset.is_bound else base
        return qs.order_by("-starts_at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx["filter"] = self.filterset
        ctx["querystring_base"] = (params.urlencode() + "&") if params else ""
        ctx["can_create"] = policy.has_action(self.request.user, Action.MEETING_MANAGE)
        ctx["filtered"] = any(v for k, v in self.request.GET.items() if k != "page")
        # The ledger of reports takes the same filters under its own names.
        ledger = QueryDict(mutable=True)
        for ours, theirs in (
            ("organization", "root"),
            ("kind", "kind"),
            ("date_from", "date_from"),
            ("date_to", "date_to"),
        ):
            if self.request.GET.get(ours):
                ledger[theirs] = self.request.GET[ours]
        ctx["ledger_query"] = ledger.urlencode()
        return ctx


class MeetingDetailView(ScopedDetailView):
    model = Meeting
    action = Action.MEETING_VIEW
    template_name = "meetings/meeting_detail.html"

    def get_queryset(self):
        return selectors.meeting_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, meeting = self.request.user, self.object
        items = list(meeting.agenda_items.all())
        attendances = selectors.protocol_sorted(meeting, meeting.attendances.all())
        tasks = selectors.meeting_tasks(user=user, meeting=meeting)
        for item in items:
            item.task_list = tasks.get(item.pk, [])
            item.topic_numbers = {r.topic_id: i for i, r in enumerate(item.topic_rows, 1)}
            # Each measure with its index in the flat list (the decision → tasks flow).
            n = 0
            for block in item.block_list:
                block.topic_list = sorted(
                    (item.topic_numbers.get(t.pk, 0), t) for t in block.topics.all()
                )
                for measure in block.measures.all():
                    measure.index, n = n, n + 1
                    measure.task_list = [
                        t for t in item.task_list if t.origin_measure_id == measure.pk
                    ]
        ctx["items"] = items
        ctx["attendances"] = attendances
        ctx["counts"] = selectors.attendance_counts(attendances)
        ctx["first_agenda_warning"] = services.first_agenda_warning(meeting, items)
        ctx["can_manage"] = policy.can(user, Action.MEETING_MANAGE, meeting.organization)
        ctx["can_make_tasks"] = ctx["can_manage"] and policy.can(
            user, Action.TASK_MANAGE, meeting.organization
        )
        ctx["active"] = meeting.status != Meeting.Status.CANCELLED
        ctx["can_mark_held"] = (
            ctx["can_manage"]
            and meeting.status == Meeting.Status.PLANNED
            and meeting.starts_at <= timezone.now()
        )
        if ctx["can_manage"] and ctx["active"]:
            opens, closes = services.signin_window(meeting)
            ctx["signin_opens"], ctx["signin_closes"] = opens, closes
            ctx["signin_url"] = self.request.build_absolute_uri(
                reverse("meetings:signin") + "?t=" + services.signin_token(meeting)
            )
        ctx["leaders"] = meeting.invited_leaders
        return ctx


class MeetingCreateView(RequireActionMixin, FormView):
    required_action = Action.MEETING_MANAGE
    form_class = MeetingForm
    template_name = "meetings/meeting_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_initial(self):
        initial = {}
        for name in ("organization", "kind"):
            value = self.request.GET.get(name)
            if value:
                initial[name] = value
        return initial

    def form_valid(self, form):
        try:
            meeting = services.meeting_create(actor=self.request.user, **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The meeting was recorded."))
        return redirect(meeting)


class MeetingUpdateView(LoginRequiredMixin, FormView):
    form_class = MeetingForm
    template_name = "meetings/meeting_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = _managed_meeting(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "instance": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"meeting": self.object}

    def form_valid(self, form):
        # The form has written its data onto the instance; the service reads the stored row.
        meeting = Meeting.objects.get(pk=self.object.pk)
        try:
            meeting = services.meeting_update(
                actor=self.request.user,
                meeting=meeting,
                version=form.cleaned_data.get("version"),
                **form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The meeting was saved."))
        return redirect(meeting)


class MeetingCancelView(LoginRequiredMixin, FormView):
    form_class = CancelForm
    template_name = "meetings/meeting_cancel.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = _managed_meeting(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"meeting": self.object}

    def form_valid(self, form):
        try:
            services.meeting_cancel(
                actor=self.request.user, meeting=self.object, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The meeting was cancelled."))
        return redirect(self.object)


class MeetingHeldView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        meeting = _managed_meeting(request, pk)
        try:
            services.meeting_mark_held(actor=request.user, meeting=meeting)
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, _("The meeting is recorded as held."))
        return redirect(meeting)


class AttendanceUpdateView(LoginRequiredMixin, View):
    """One row per listed member (status, reason for leave), plus rows to add members."""

    template_name = "meetings/attendance_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return LoginRequiredMixin.handle_no_permission(self)
        self.meeting = _managed_meeting(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def _formset(self, data=None):
        rows = selectors.protocol_sorted(
            self.meeting, self.meeting.attendances.select_related("member")
        )
        candidates = (
            services.attendance_candidates(self.meeting)
            .select_related("organization")
            .order_by("organization__path", "name")
        )
        initial = [
            {"member": a.member, "role": a.role, "status": a.status, "reason": a.reason}
            for a in rows
        ]
        formset = AttendanceFormSet(
            data, initial=initial, candidates=candidates, prefix="attendance"
        )
        return formset, rows

    def _render(self, formset, rows, status=200):
        names = {a.member_id: a for a in rows}
        ctx = {
            "meeting": self.meeting,
            "formset": formset,
            "rows": names,
            "not_started": self.meeting.starts_at > timezone.now(),
            "statuses": AttendanceStatus,
        }
        template = (
            "meetings/_partials/attendance_rows.html"
            if self.request.headers.get("HX-Request")
            else self.template_name
        )
        return render(self.request, template, ctx, status=status)

    def get(self, request, pk):
        formset, rows = self._formset()
        return self._render(formset, rows)

    def post(self, request, pk):
        formset, rows = self._formset(request.POST)
        if formset.is_valid():
            try:
                services.attendance_record(
                    actor=request.user, meeting=self.meeting, entries=formset.entries()
                )
            except ValidationError as exc:
                for message in exc.messages:
                    formset._non_form_errors = formset.error_class(
                        [*formset.non_form_errors(), message]
                    )
            else:
                messages.success(request, _("The attendance was saved."))
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = self.meeting.get_absolute_url()
                    return response
                return redirect(self.meeting)
        return self._render(formset, rows)


class AgendaCreateView(LoginRequiredMixin, FormView):
    form_class = AgendaItemForm
    template_name = "meetings/agenda_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.meeting = _managed_meeting(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        first = not self.meeting.agenda_items.exists()
        if first and self.meeting.needs_first_agenda_study:
            return {"kind": AgendaItem.Kind.STUDY}
        return {}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "meeting": self.meeting}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["meeting"] = self.meeting
        form = ctx["form"]
        first = not self.meeting.agenda_items.exists()
        kind = form["kind"].value()
        if first and self.meeting.needs_first_agenda_study and kind != AgendaItem.Kind.STUDY:
            ctx["first_agenda_warning"] = services.first_agenda_warning(self.meeting, [])
        return ctx

    def form_valid(self, form):
        try:
            services.agenda_item_add(
                actor=self.request.user, meeting=self.meeting, **form.service_data()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The agenda item was added."))
        warning = services.first_agenda_warning(self.meeting)
        if warning:
            messages.warning(self.request, warning)
        return redirect(self.meeting)


class AgendaUpdateView(LoginRequiredMixin, FormView):
    form_class = AgendaItemForm
    template_name = "meetings/agenda_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.item = _managed_item(request, kwargs["pk"])
        self.meeting = self.item.meeting
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "user": self.request.user,
            "meeting": self.meeting,
            "instance": self.item,
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["meeting"] = self.meeting
        ctx["item"] = self.item
        kind = ctx["form"]["kind"].value()
        if (
            self.item.order == 1
            and self.meeting.needs_first_agenda_study
            and kind != AgendaItem.Kind.STUDY
        ):
            ctx["first_agenda_warning"] = services.first_agenda_warning(self.meeting, [])
        return ctx

    def form_valid(self, form):
        item = AgendaItem.objects.select_related("meeting").get(pk=self.item.pk)
        try:
            services.agenda_item_update(
                actor=self.request.user,
                item=item,
                version=form.cleaned_data.get("version"),
                **form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The agenda item was saved."))
        warning = services.first_agenda_warning(self.meeting)
        if warning:
            messages.warning(self.request, warning)
        return redirect(self.meeting)


class AgendaDeleteView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        item = _managed_item(request, pk)
        try:
            services.agenda_item_delete(actor=request.user, item=item)
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, _("The agenda item was deleted."))
        return redirect(item.meeting)


class AgendaTopicMoveView(LoginRequiredMixin, View):
    """POST direction=up|down: move one topic of a study item in the report's order."""

    http_method_names = ["post"]

    def post(self, request, pk, topic_pk):
        item = _managed_item(request, pk)
        topic = get_object_or_404(item.topics.all(), pk=topic_pk)
        step = -1 if request.POST.get("direction") == "up" else 1
        try:
            services.agenda_topic_move(actor=request.user, item=item, topic=topic, step=step)
        except ValidationError as exc:
            _error_messages(request, exc)
        return redirect(item.meeting)


class AgendaMoveView(LoginRequiredMixin, View):
    """POST direction=up|down: swap the item with its neighbour."""

    http_method_names = ["post"]

    def post(self, request, pk):
        item = _managed_item(request, pk)
        ids = list(item.meeting.agenda_items.order_by("order", "id").values_list("pk", flat=True))
        i = ids.index(item.pk)
        j = i - 1 if request.POST.get("direction") == "up" else i + 1
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
            try:
                services.agenda_reorder(actor=request.user, meeting=item.meeting, item_ids=ids)
            except ValidationError as exc:
                _error_messages(request, exc)
        return redirect(item.meeting)


class DecisionTasksView(LoginRequiredMixin, View):
    """Turn one decision of an agenda item into one or more tasks."""

    template_name = "meetings/decision_tasks.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return LoginRequiredMixin.handle_no_permission(self)
        self.item = _managed_item(request, kwargs["pk"])
        self.meeting = self.item.meeting
        if not policy.can(request.user, Action.TASK_MANAGE, self.meeting.organization):
            raise PermissionDenied
        self.index = kwargs["index"]
        if not 0 <= self.index < len(self.item.decisions):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _formset(self, data=None):
        initial = [{"title": self.item.decisions[self.index]}] if data is None else None
        return DecisionTaskFormSet(
            data,
            initial=initial,
            prefix="tasks",
            user=self.request.user,
            meeting=self.meeting,
        )

    def _render(self, formset):
        ctx = {
            "meeting": self.meeting,
            "item": self.item,
            "decision": self.item.decisions[self.index],
            "index": self.index,
            "formset": formset,
        }
        return render(self.request, self.template_name, ctx)

    def get(self, request, pk, index):
        return self._render(self._formset())

    def post(self, request, pk, index):
        formset = self._formset(request.POST)
        if formset.is_valid():
            rows = formset.tasks()
            try:
                tasks = services.decision_to_tasks(
                    actor=request.user, item=self.item, decision_index=self.index, tasks=rows
                )
            except ValidationError as exc:
                _apply_formset_errors(formset, exc)
            else:
                messages.success(request, _("%(n)s task(s) were created.") % {"n": len(tasks)})
                return redirect(self.meeting)
        return self._render(formset)


def _apply_formset_errors(formset, exc: ValidationError) -> None:
    extra = []
    if hasattr(exc, "error_dict"):
        for errors in exc.error_dict.values():
            for error in errors:
                extra.extend(error.messages)
    else:
        extra.extend(exc.messages)
    formset._non_form_errors = formset.error_class([*formset.non_form_errors(), *extra])


# Sign-in


class SigninView(LoginRequiredMixin, View):
    """GET shows the meeting and a sign-in button; POST signs in (once)."""

    template_name = "meetings/signin.html"

    def dispatch(self, request, *args, **kwargs):
        # Page and confirm both count, per address and per user (core/ratelimit.py).
        wait = ratelimit.signin_wait(request) if request.user.is_authenticated else 0
        if wait:
            message = _(
                "Too many sign-in requests. Please wait %(seconds)s seconds and try again."
            ) % {"seconds": wait}
            response = render(
                request, self.template_name, {"error": message, "throttled": True}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        return super().dispatch(request, *args, **kwargs)

    def _meeting(self, request, token):
        try:
            return services.signin_meeting(token), None
        except services.SigninError as exc:
            return None, str(exc)

    def _refuse(self, request, message, meeting=None):
        return render(
            request, self.template_name, {"error": message, "meeting": meeting}, status=403
        )

    def _check_person(self, request, meeting):
        member = getattr(request.user, "member", None)
        if member is None:
            return _("Your account is not linked to a party member record, so it cannot sign in.")
        listed = meeting.attendances.filter(member=member).first()
        if listed is None and not (
            member.left_at is None
            and member.organization.path.startswith(meeting.organization.path)
        ):
            return _("You are not an expected attendee of this meeting. Ask its organizer.")
        return None

    def get(self, request):
        token = request.GET.get("t", "")
        meeting, error = self._meeting(request, token)
        if error:
            return self._refuse(request, error)
        error = self._check_person(request, meeting)
        if error:
            return self._refuse(request, error, meeting)
        row = meeting.attendances.filter(member=request.user.member).first()
        return render(
            request,
            self.template_name,
            {"meeting": meeting, "token": token, "row": row, "signed": bool(row and row.via_qr)},
        )

    def post(self, request):
        token = request.POST.get("t", "")
        meeting, error = self._meeting(request, token)
        if error:
            return self._refuse(request, error)
        try:
            row, new = services.meeting_signin(user=request.user, meeting=meeting)
        except services.SigninError as exc:
            return self._refuse(request, str(exc), meeting)
        return render(
            request,
            self.template_name,
            {"meeting": meeting, "row": row, "done": True, "new": new},
        )


class SigninQrView(LoginRequiredMixin, View):
    """The meeting's sign-in QR code as SVG (only for those who record the meeting)."""

    def get(self, request, pk):
        meeting = _managed_meeting(request, pk)
        if meeting.status == Meeting.Status.CANCELLED:
            raise Http404
        url = request.build_absolute_uri(
            reverse("meetings:signin") + "?t=" + services.signin_token(meeting)
        )
        buffer = io.BytesIO()
        segno.make(url, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False)
        response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
        response["Cache-Control"] = "no-store"
        return response


# Organizational life


class ComplianceView(RequireActionMixin, TemplateView):
    required_action = Action.MEETING_VIEW
    template_name = "meetings/compliance.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ComplianceForm(self.request.GET or None, user=self.request.user)
        day, root = timezone.localdate(), None
        if form.is_bound and form.is_valid():
            day = form.cleaned_data.get("day") or day
            root = form.cleaned_data.get("organization")
        result = selectors.life_compliance(user=self.request.user, day=day, root=root)
        ctx["form"] = form
        ctx["result"] = result
        ctx["chart"] = {
            "labels": [
                f"{rp.rule.get_meeting_kind_display()}（{rp.label}）" for rp in result.rules
            ],
            "shares": [rp.share if rp.share is not None else 0 for rp in result.rules],
            "compliant": [rp.compliant for rp in result.rules],
            "applicable": [rp.applicable for rp in result.rules],
            "name": _("Share of compliant organizations (%)"),
        }
        ctx["can_edit_rules"] = policy.has_action(self.request.user, Action.LIFE_RULE_MANAGE)
        return ctx


class LifeRuleListView(RequireActionMixin, TemplateView):
    required_action = Action.MEETING_VIEW
    template_name = "meetings/liferule_list.html"

    def get_context_data(self, **kwargs):
        rules = list(LifeRule.objects.all())
        labels = dict(OrganizationKind.choices)
        for rule in rules:
            rule.kind_names = [str(labels.get(k, k)) for k in rule.organization_kinds]
        return super().get_context_data(**kwargs) | {
            "rules": rules,
            "can_edit": policy.has_action(self.request.user, Action.LIFE_RULE_MANAGE),
        }


class LifeRuleUpdateView(RequireActionMixin, FormView):
    required_action = Action.LIFE_RULE_MANAGE
    form_class = LifeRuleForm
    template_name = "meetings/liferule_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.rule = get_object_or_404(LifeRule, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": LifeRule.objects.get(pk=self.rule.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"rule": self.rule}

    def form_valid(self, form):
        try:
            services.liferule_update(actor=self.request.user, rule=self.rule, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The rule was saved."))
        return redirect("meetings:liferule_list")
