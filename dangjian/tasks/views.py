"""Pages of the implementation tasks: board, list, detail, forms, overview, notifications.

Every task is fetched through ``Task.objects.restrict(user, TASK_VIEW)`` (out of
scope is 404); what the user may do to it is then asked of the services'
permission helpers (not allowed is 403). Writes go through ``services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.forms import apply_service_errors
from dangjian.core.models import Notification
from dangjian.core.views import RequireActionMixin, ScopedListView

from . import selectors, services
from .filters import TaskFilter
from .forms import ProgressForm, ReasonForm, TaskForm
from .models import ProgressAttachment, Task, TaskStatus


class FilteredMixin:
    """The shared filters of the board and the list (and their query string)."""

    def filtered(self):
        user = self.request.user
        base = selectors.task_list(user=user)
        self.filterset = TaskFilter(self.request.GET or None, queryset=base, user=user)
        if self.filterset.is_bound and self.filterset.is_valid():
            return self.filterset.qs
        return base

    def filter_context(self) -> dict:
        params = self.request.GET.copy()
        params.pop("page", None)
        user = self.request.user
        return {
            "filter": self.filterset,
            "querystring": params.urlencode(),
            "querystring_base": (params.urlencode() + "&") if params else "",
            "can_create": policy.has_action(user, Action.TASK_MANAGE),
            "can_supervise": policy.has_action(user, Action.TASK_SUPERVISE),
            "today": timezone.localdate(),
        }


class TaskBoardView(RequireActionMixin, FilteredMixin, TemplateView):
    required_action = Action.TASK_VIEW
    template_name = "tasks/task_board.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["columns"] = selectors.task_board(user=user, queryset=self.filtered())
        for column in ctx["columns"]:
            for card in column["cards"]:
                # Scopes are cached on the user and the organizations are joined: no queries.
                card.can_start = card.status == TaskStatus.NOT_STARTED and services.can_report(
                    user, card
                )
                card.can_decide = (
                    card.status == TaskStatus.CLOSURE_REQUESTED
                    and services.can_supervise(user, card)
                )
        ctx.update(self.filter_context())
        return ctx


class TaskListView(FilteredMixin, ScopedListView):
    model = Task
    action = Action.TASK_VIEW
    template_name = "tasks/task_list.html"
    paginate_by = 25

    def get_queryset(self):
        return self.filtered().order_by("deadline", "id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.filter_context())
        return ctx


class TaskObjectMixin(LoginRequiredMixin):
    """Loads ``self.task`` from the user's visible tasks and asks ``allowed``."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.task = get_object_or_404(selectors.task_list(user=request.user), pk=kwargs["pk"])
        if not self.allowed(request.user, self.task):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def allowed(self, user, task) -> bool:
        return True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["task"] = self.task
        return ctx


def _permissions(user, task: Task) -> dict:
    reporter = services.can_report(user, task)
    supervisor = services.can_supervise(user, task)
    return {
        "can_edit": task.status != TaskStatus.CLOSED and services.can_manage(user, task),
        "can_start": reporter and task.status == TaskStatus.NOT_STARTED,
        "can_report": reporter and task.status in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS),
        "can_request_closure": reporter
        and task.status in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS),
        "can_decide": supervisor and task.status == TaskStatus.CLOSURE_REQUESTED,
    }


class TaskDetailView(TaskObjectMixin, TemplateView):
    template_name = "tasks/task_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        task = self.task
        ctx.update(selectors.task_detail_context(task=task))
        ctx.update(_permissions(self.request.user, task))
        ctx["cooperating_units"] = list(task.cooperating_units.all())
        ctx["today"] = timezone.localdate()
        return ctx


class TaskCreateView(RequireActionMixin, FormView):
    required_action = Action.TASK_MANAGE
    form_class = TaskForm
    template_name = "tasks/task_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_initial(self):
        initial = {}
        for key in ("organization", "origin_meeting", "origin_agenda_item", "parent"):
            value = self.request.GET.get(key, "")
            if value.isdigit():
                initial[key] = int(value)
        return initial

    def form_valid(self, form):
        try:
            task = services.task_create(actor=self.request.user, **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The task was created."))
        return redirect(task)


class TaskUpdateView(TaskObjectMixin, FormView):
    form_class = TaskForm
    template_name = "tasks/task_form.html"

    def allowed(self, user, task):
        return services.can_manage(user, task)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "instance": self.task}

    def form_valid(self, form):
        try:
            task = services.task_update(
                actor=self.request.user,
                task=self.task,
                version=form.cleaned_data.get("version"),
                **form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The task was saved."))
        return redirect(task)


class TaskStartView(TaskObjectMixin, View):
    http_method_names = ["post"]

    def allowed(self, user, task):
        return services.can_report(user, task)

    def post(self, request, *args, **kwargs):
        try:
            services.task_start(actor=request.user, task=self.task)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The task was started."))
        target = request.POST.get("next") or ""
        if not (target.startswith("/") and not target.startswith("//")):
            target = self.task.get_absolute_url()
        if request.headers.get("HX-Request"):
            # htmx would follow a 302 inside the XHR and swap the whole page into the button.
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)


class ProgressCreateView(TaskObjectMixin, FormView):
    form_class = ProgressForm
    template_name = "tasks/progress_form.html"

    def allowed(self, user, task):
        return services.can_report(user, task)

    def form_valid(self, form):
        try:
            services.progress_report_add(
                actor=self.request.user,
                task=self.task,
                reported_on=form.cleaned_data["reported_on"],
                text=form.cleaned_data["text"],
                percent=form.cleaned_data["percent"],
                attachments=form.cleaned_data.get("attachments") or [],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The progress report was added."))
        return redirect(self.task)


class ReasonView(TaskObjectMixin, FormView):
    """A lifecycle step that takes a reason: request, approve or return closure."""

    template_name = "tasks/reason_form.html"
    form_class = ReasonForm
    reason_required = False
    heading = ""
    reason_label = None
    button = ""
    done_message = ""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "required": self.reason_required,
            "label": self.reason_label,
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["heading"] = self.heading
        ctx["button"] = self.button
        return ctx

    def form_valid(self, form):
        try:
            self.perform(form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.done_message)
        return redirect(self.task)


class ClosureRequestView(ReasonView):
    heading = gettext_lazy("Request closure")
    reason_label = gettext_lazy("What was achieved")
    button = gettext_lazy("Request closure")
    done_message = gettext_lazy("Closure was requested; the supervising office will decide.")

    def allowed(self, user, task):
        return services.can_report(user, task)

    def perform(self, reason):
        services.task_request_closure(actor=self.request.user, task=self.task, reason=reason)


class ClosureApproveView(ReasonView):
    heading = gettext_lazy("Approve closure")
    reason_label = gettext_lazy("Remarks")
    button = gettext_lazy("Approve closure")
    done_message = gettext_lazy("The task was closed.")

    def allowed(self, user, task):
        return services.can_supervise(user, task)

    def perform(self, reason):
        services.task_approve_closure(actor=self.request.user, task=self.task, reason=reason)


class ClosureReturnView(ReasonView):
    heading = gettext_lazy("Return the task")
    reason_label = gettext_lazy("Why it is returned")
    reason_required = True
    button = gettext_lazy("Return")
    done_message = gettext_lazy("The task was returned.")

    def allowed(self, user, task):
        return services.can_supervise(user, task)

    def perform(self, reason):
        services.task_return(actor=self.request.user, task=self.task, reason=reason)


class AttachmentDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        try:
            attachment = selectors.attachment_for(user=request.user, pk=pk)
        except ProgressAttachment.DoesNotExist:
            raise Http404 from None
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=attachment.name)


class OverviewView(RequireActionMixin, TemplateView):
    required_action = Action.TASK_SUPERVISE
    template_name = "tasks/overview.html"

    def get_context_data(self, **kwargs):
        from django.urls import NoReverseMatch, reverse

        ctx = super().get_context_data(**kwargs)
        ctx.update(selectors.supervision_overview(user=self.request.user))
        try:
            ctx["ledger_url"] = reverse("reports:task_ledger")
        except NoReverseMatch:
            ctx["ledger_url"] = ""
        return ctx


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "tasks/notification_list.html"
    paginate_by = 30
    context_object_name = "notifications"

    def get_queryset(self):
        return selectors.notifications(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["unread"] = self.get_queryset().filter(read_at__isnull=True).count()
        ctx["querystring_base"] = ""
        return ctx


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one notification (or, with pk 0, all of them) read; then follow its link."""

    http_method_names = ["post"]

    def post(self, request, pk):
        mine = Notification.objects.filter(user=request.user)
        if pk == 0:
            mine.filter(read_at__isnull=True).update(read_at=timezone.now())
            return redirect("tasks:notification_list")
        notification = get_object_or_404(mine, pk=pk)
        if notification.read_at is None:
            mine.filter(pk=pk).update(read_at=timezone.now())
        url = notification.url
        if url.startswith("/") and not url.startswith("//"):
            return redirect(url)
        return redirect("tasks:notification_list")
