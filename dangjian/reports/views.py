"""Pages of this app: meeting documents (.docx), ledgers (.xlsx) and the news drafts.

Meetings are fetched only through ``Meeting.objects.restrict(user, action)`` and
activities through ``Activity.objects.restrict(user, MEETING_VIEW)`` (the action the
campaigns pages read activities with): a record outside the user's scope is a 404.
Ledgers need the viewing action somewhere and contain only the rows in scope
(``ledgers``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.campaigns.models import LeaderRole
from dangjian.core.forms import BootstrapFormMixin, apply_service_errors
from dangjian.core.views import RequireActionMixin
from dangjian.core.xlsx import XLSX_CONTENT_TYPE
from dangjian.meetings.models import AgendaItem, AttendanceStatus, Meeting

from . import ledgers, news, services
from .minutes import DOCX_CONTENT_TYPE


def _file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _meeting(request, pk, action=Action.MEETING_VIEW) -> Meeting:
    return get_object_or_404(
        Meeting.objects.restrict(request.user, action).select_related(
            "organization", "chair", "recorder"
        ),
        pk=pk,
    )


class _MeetingDocumentView(LoginRequiredMixin, View):
    document = ""

    def get(self, request, pk):
        meeting = _meeting(request, pk)
        content, filename = services.meeting_document_export(
            actor=request.user, meeting=meeting, document=self.document
        )
        return _file_response(content, DOCX_CONTENT_TYPE, filename)


class MeetingMinutesView(_MeetingDocumentView):
    document = "minutes"


class MeetingAttendanceSheetView(_MeetingDocumentView):
    document = "attendance"


class MeetingSigninSheetView(_MeetingDocumentView):
    document = "signin"


class MeetingSummaryView(_MeetingDocumentView):
    document = "summary"


class NewsDraftForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("news report draft"),
        widget=forms.Textarea(attrs={"rows": 26, "class": "lh-lg", "spellcheck": "false"}),
        required=False,
        max_length=services.MAX_DRAFT_CHARS,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


CHECK_LABELS = {
    "date": gettext_lazy("Date"),
    "organization": gettext_lazy("Organization"),
    "chair": gettext_lazy("Chair"),
    "kind": gettext_lazy("Kind"),
    "study items": gettext_lazy("Study items"),
    "requirements": gettext_lazy("Enumerated requirements"),
}


class _NewsDraftView(LoginRequiredMixin, TemplateView):
    """A generated draft (or the saved one) in an editable box: copy, save, regenerate.

    Subclasses load the record in ``dispatch``, set ``can_save``, and ``save`` the form."""

    can_save = False

    def save(self, form):
        raise NotImplementedError

    def invalid_context(self) -> dict:
        return {}

    def post(self, request, *args, **kwargs):
        if not self.can_save:
            raise PermissionDenied
        form = NewsDraftForm(request.POST)
        if form.is_valid():
            try:
                response = self.save(form)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The news report draft was saved."))
                return response
        return self.render_to_response(
            self.get_context_data(form=form, **self.invalid_context()), status=200
        )


class MeetingNewsDraftView(_NewsDraftView):
    """The meeting's draft (seed 002's style)."""

    template_name = "reports/news_draft.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.meeting = _meeting(request, kwargs["pk"])
        self.can_save = policy.can(request.user, Action.MEETING_MANAGE, self.meeting)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        generated = news.meeting_news_draft(self.meeting)
        regenerate = request.GET.get("regenerate") == "1"
        text = generated if regenerate or not self.meeting.news_draft else self.meeting.news_draft
        form = NewsDraftForm(initial={"text": text, "version": self.meeting.version})
        return self.render_to_response(
            self.get_context_data(form=form, regenerated=regenerate, generated=generated)
        )

    def save(self, form):
        services.meeting_news_draft_save(
            actor=self.request.user,
            meeting=self.meeting,
            text=form.cleaned_data["text"],
            version=form.cleaned_data.get("version"),
        )
        return redirect("reports:meeting_news_draft", pk=self.meeting.pk)

    def invalid_context(self):
        return {"regenerated": False, "generated": None}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        meeting = self.meeting
        items = list(meeting.agenda_items.order_by("order", "id").prefetch_related("topics"))
        counts = {s: 0 for s in AttendanceStatus.values}
        for status in meeting.attendances.values_list("status", flat=True):
            counts[status] += 1
        form = kwargs.get("form")
        text = form["text"].value() if form is not None else ""
        ctx.update(
            check=[
                row | {"label": CHECK_LABELS[row["field"]]}
                for row in news.draft_check(meeting, text or "")
            ],
            meeting=meeting,
            can_save=self.can_save,
            genre=news.genre(meeting),
            study_items=news.study_items(meeting),
            agenda=[
                {
                    "item": item,
                    "is_study": item.kind == AgendaItem.Kind.STUDY,
                    "decisions": news.decision_texts(item),
                }
                for item in items
            ],
            present=counts[AttendanceStatus.PRESENT] + counts[AttendanceStatus.LATE],
            expected=sum(counts.values()),
            on_leave=counts[AttendanceStatus.LEAVE],
            absent=counts[AttendanceStatus.ABSENT],
            starts_at=timezone.localtime(meeting.starts_at),
        )
        return ctx


ACTIVITY_CHECK_LABELS = {
    "date": gettext_lazy("Date"),
    "organization": gettext_lazy("Organizer"),
    "kind": gettext_lazy("Kind"),
    "venue": gettext_lazy("Venue"),
    "chair": gettext_lazy("Chair"),
    "leaders": gettext_lazy("Leaders present"),
    "campaign": gettext_lazy("Campaign"),
    "presentations": gettext_lazy("Presentations"),
}


def _activity(request, pk):
    from dangjian.campaigns.models import Activity

    return get_object_or_404(
        Activity.objects.restrict(request.user, Action.MEETING_VIEW).select_related(
            "organization", "campaign", "campaign__parent"
        ),
        pk=pk,
    )


class ActivityNewsDraftView(_NewsDraftView):
    """An activity's report draft (seed 000's style) in an editable box: copy, save, regenerate.

    The saved text is an ``ActivityNewsDraft`` row; its version is the optimistic lock.
    """

    template_name = "reports/activity_news_draft.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.activity = _activity(request, kwargs["pk"])
        self.can_save = policy.can(request.user, Action.MEETING_MANAGE, self.activity.organization)
        return super().dispatch(request, *args, **kwargs)

    def _saved(self):
        from .models import ActivityNewsDraft

        return ActivityNewsDraft.objects.filter(activity=self.activity).first()

    def get(self, request, *args, **kwargs):
        generated = news.activity_news_draft(self.activity)
        regenerate = request.GET.get("regenerate") == "1"
        saved = self._saved()
        text = saved.text if saved is not None and saved.text and not regenerate else generated
        form = NewsDraftForm(
            initial={"text": text, "version": saved.version if saved is not None else 0}
        )
        return self.render_to_response(
            self.get_context_data(form=form, regenerated=regenerate, saved=saved)
        )

    def save(self, form):
        services.activity_news_draft_save(
            actor=self.request.user,
            activity=self.activity,
            text=form.cleaned_data["text"],
            version=form.cleaned_data.get("version"),
        )
        return redirect("reports:activity_news", pk=self.activity.pk)

    def invalid_context(self):
        return {"regenerated": False, "saved": self._saved()}

    def get_context_data(self, **kwargs):
        from django.urls import NoReverseMatch, reverse

        ctx = super().get_context_data(**kwargs)
        activity = self.activity
        roles = dict(LeaderRole.choices)
        form = kwargs.get("form")
        text = form["text"].value() if form is not None else ""
        presentations = list(
            activity.presentations.select_related("organization", "unit").order_by("order", "id")
        )
        try:
            detail_url = reverse("campaigns:activity_detail", args=[activity.pk])
        except NoReverseMatch:
            detail_url = ""
        ctx.update(
            check=[
                row | {"label": ACTIVITY_CHECK_LABELS[row["field"]]}
                for row in news.activity_draft_check(activity, text or "")
            ],
            activity=activity,
            detail_url=detail_url,
            can_save=self.can_save,
            event_name=news.activity_event_name(activity),
            leaders=[
                leader | {"role_label": roles.get(leader["role"], leader["role"])}
                for leader in news.activity_leaders(activity)
            ],
            groups=news.participant_group_list(activity),
            presentations=presentations,
        )
        return ctx


class _LedgerView(RequireActionMixin, View):
    form_class = ledgers.MeetingLedgerFilterForm
    build = None
    filename = ""

    def get(self, request):
        form = self.form_class(request.GET, user=request.user)
        if not form.is_valid():
            errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
            return HttpResponseBadRequest(
                _("The ledger's filters are not valid: %(errors)s") % {"errors": errors},
                content_type="text/plain; charset=utf-8",
            )
        data = dict(form.cleaned_data)
        content = self.build(actor=request.user, summary=form.summary(), **data)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return _file_response(content, XLSX_CONTENT_TYPE, f"{self.filename}-{stamp}.xlsx")


class MeetingLedgerView(_LedgerView):
    required_action = Action.MEETING_VIEW
    form_class = ledgers.MeetingLedgerFilterForm
    build = staticmethod(ledgers.meeting_ledger)
    filename = "会议台账"


class TopicLedgerView(_LedgerView):
    required_action = Action.MEETING_VIEW
    form_class = ledgers.TopicLedgerFilterForm
    build = staticmethod(ledgers.topic_ledger)
    filename = "议题学习台账"


class TaskLedgerView(_LedgerView):
    required_action = Action.TASK_VIEW
    form_class = ledgers.TaskLedgerFilterForm
    build = staticmethod(ledgers.task_ledger)
    filename = "督办任务台账"
