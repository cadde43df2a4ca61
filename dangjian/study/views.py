"""Pages of the topic library and of study coverage."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.forms import apply_service_errors
from dangjian.core.views import RequireActionMixin, ScopedDetailView, ScopedListView
from dangjian.organizations.models import Organization, OrganizationKind

from . import selectors, services
from .filters import TopicFilterForm
from .forms import AttachmentForm, TopicForm
from .models import Topic, TopicAttachment

VIEW = Action.MEETING_VIEW


class TopicListView(ScopedListView):
    model = Topic
    action = VIEW
    template_name = "study/topic_list.html"
    paginate_by = 20

    def get_queryset(self):
        user = self.request.user
        self.filter_form = TopicFilterForm(
            self.request.GET or None, tags=selectors.topic_tags(user=user)
        )
        return selectors.topic_list(user=user, **self.filter_form.selector_kwargs())

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "topic-results":
            return ["study/_partials/topic_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx["filter"] = self.filter_form
        ctx["querystring_base"] = (params.urlencode() + "&") if params else ""
        ctx["filtered"] = bool(self.filter_form.selector_kwargs())
        ctx["query"] = (self.request.GET.get("q") or "").strip()
        ctx["can_manage"] = policy.has_action(self.request.user, Action.TOPIC_MANAGE)
        return ctx


def _root_from(request, param: str = "root") -> Organization | None:
    """An organization named in the query, fetched through the user's meeting scope."""
    value = request.GET.get(param)
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(Organization.objects.restrict(request.user, VIEW), pk=value)


def _org_choices(user) -> list[tuple[int, str]]:
    """The organization picker: the user's meeting scope, indented by depth."""
    orgs = (
        Organization.objects.restrict(user, VIEW)
        .active()
        .filter(kind__in=selectors.DEFAULT_KINDS)
        .order_by("path")
        .only("pk", "name", "depth")
    )
    return [(o.pk, "\u3000" * o.depth + o.name) for o in orgs]


class TopicDetailView(ScopedDetailView):
    model = Topic
    action = VIEW
    template_name = "study/topic_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("added_by", "organization")
            .prefetch_related("attachments")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, topic = self.request.user, self.object
        root = _root_from(self.request)
        records = selectors.topic_study_records(user=user, topic=topic, root=root)
        pending = selectors.topic_pending_organizations(user=user, topic=topic, root=root)
        ctx["root"] = root
        ctx["org_choices"] = _org_choices(user)
        ctx["records"] = records
        ctx["pending"] = pending
        ctx["conveyed_count"] = sum(1 for p in pending if p.to_be_conveyed)
        ctx["can_manage"] = services.can_manage(user, topic)
        ctx["attachment_form"] = AttachmentForm()
        return ctx


class TopicCreateView(RequireActionMixin, FormView):
    required_action = Action.TOPIC_MANAGE
    form_class = TopicForm
    template_name = "study/topic_form.html"

    def get_initial(self):
        return {"given_on": timezone.localdate()}

    def form_valid(self, form):
        try:
            topic = services.topic_create(actor=self.request.user, **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The topic was added to the library."))
        return redirect(topic)


class _TopicObjectMixin:
    """Fetch the topic through the reader's scope first (404), then demand ``manage``
    on its owning organization (403 naming the owner)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = get_object_or_404(
            Topic.objects.restrict(request.user, VIEW).select_related("organization"),
            pk=kwargs["pk"],
        )
        _demand_manage(request, self.object)
        return super().dispatch(request, *args, **kwargs)


def _demand_manage(request, topic: Topic) -> None:
    if not policy.has_action(request.user, Action.TOPIC_MANAGE):
        raise PermissionDenied
    if not services.can_manage(request.user, topic):
        raise PermissionDenied(services.not_owner_message(topic))


class TopicUpdateView(_TopicObjectMixin, RequireActionMixin, FormView):
    required_action = Action.TOPIC_MANAGE
    form_class = TopicForm
    template_name = "study/topic_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.object}

    def form_valid(self, form):
        try:
            topic = services.topic_update(
                actor=self.request.user,
                topic=self.object,
                version=form.cleaned_data.get("version"),
                **form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The topic was saved."))
        return redirect(topic)


class TopicDeleteView(_TopicObjectMixin, RequireActionMixin, TemplateView):
    required_action = Action.TOPIC_MANAGE
    template_name = "study/topic_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"topic": self.object}

    def post(self, request, *args, **kwargs):
        try:
            services.topic_delete(actor=request.user, topic=self.object)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(self.object)
        messages.success(request, _("The topic was deleted."))
        return redirect("study:topic_list")


class AttachmentAddView(_TopicObjectMixin, RequireActionMixin, View):
    required_action = Action.TOPIC_MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect(self.object)
        try:
            services.attachment_add(
                actor=request.user, topic=self.object, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The file was attached."))
        return redirect(self.object)


def _attachment(request, pk) -> TopicAttachment:
    return get_object_or_404(
        TopicAttachment.objects.select_related("topic__organization").filter(
            topic__in=Topic.objects.restrict(request.user, VIEW)
        ),
        pk=pk,
    )


class AttachmentDeleteView(RequireActionMixin, View):
    required_action = Action.TOPIC_MANAGE
    http_method_names = ["post"]

    def post(self, request, pk):
        attachment = _attachment(request, pk)
        _demand_manage(request, attachment.topic)
        services.attachment_remove(actor=request.user, attachment=attachment)
        messages.success(request, _("The attachment was removed."))
        return redirect(attachment.topic)


class AttachmentDownloadView(RequireActionMixin, View):
    """The file, only for users who may read its topic; always as a download."""

    required_action = VIEW

    def get(self, request, pk):
        attachment = _attachment(request, pk)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=attachment.name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class CoverageView(RequireActionMixin, TemplateView):
    """学习覆盖: how promptly a subtree studied the topics of a period."""

    required_action = VIEW
    template_name = "study/coverage.html"

    def _default_root(self, user) -> Organization | None:
        paths = policy.paths_for(user, VIEW)
        qs = Organization.objects.active().filter(kind__in=selectors.DEFAULT_KINDS)
        if paths is None:
            qs = qs.filter(parent__isnull=True)
        else:
            qs = qs.filter(path__in=policy._outermost(paths))
        return qs.order_by("sort_order", "path").first()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        request, user = self.request, self.request.user
        root = _root_from(request) or self._default_root(user)
        today = timezone.localdate()
        given_from = _date(request.GET.get("given_from"))
        given_to = _date(request.GET.get("given_to"))
        if "given_from" not in request.GET and "given_to" not in request.GET:
            given_from = today - datetime.timedelta(days=365)
        windows = selectors.parse_windows(request.GET.get("windows"))
        ctx.update(
            root=root,
            org_choices=_org_choices(user),
            windows=windows,
            windows_text=",".join(str(n) for n in windows),
            given_from=given_from,
            given_to=given_to,
        )
        if root is not None:
            overview = selectors.coverage_overview(
                user=user, root=root, windows=windows, given_from=given_from, given_to=given_to
            )
            ctx["overview"] = overview
            ctx["chart"] = {
                "labels": [_("within %(n)d days") % {"n": w.days} for w in overview.windows],
                "values": [w.percent for w in overview.windows],
                "title": _("Share studied in time (%)"),
            }
            # A leading group has nobody above it to convey from.
            ctx["show_conveyed"] = root.kind != OrganizationKind.LEADING_GROUP
            ctx["conveyed"] = (
                selectors.to_be_conveyed(user=user, organization=root)
                if ctx["show_conveyed"]
                else []
            )
        return ctx
