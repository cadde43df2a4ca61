"""Pages of the roster import and the member export."""

from __future__ import annotations

import io
import tempfile
import uuid
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import DetailView, FormView

from dangjian.access.roles import Action
from dangjian.core.forms import BootstrapFormMixin
from dangjian.core.views import RequireActionMixin
from dangjian.core.xlsx import XLSX_CONTENT_TYPE

from . import exports, roster, roster_cleanup
from .models import RosterImport

ERRORS_PER_PAGE = 100


class RosterUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx)"),
        help_text=gettext_lazy(
            "An Excel workbook in the template's layout. Nothing is saved until you "
            "have checked the preview and confirmed the import."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class RosterImportView(RequireActionMixin, FormView):
    required_action = Action.MEMBER_IMPORT
    template_name = "people/roster/import.html"
    form_class = RosterUploadForm

    def form_valid(self, form):
        try:
            item = roster.roster_upload(
                actor=self.request.user, uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        return redirect(item)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["recent"] = RosterImport.objects.filter(uploaded_by=self.request.user)[:10]
        ctx["max_mb"] = max(1, settings.ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024))
        return ctx


class RosterTemplateView(RequireActionMixin, View):
    required_action = Action.MEMBER_IMPORT

    def get(self, request):
        buffer = io.BytesIO()
        roster.build_template(user=request.user, target=buffer)
        buffer.seek(0)
        return FileResponse(
            buffer,
            as_attachment=True,
            filename="党员名册导入模板.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )


class _OwnRosterMixin(RequireActionMixin):
    """A roster import is visible to the user who uploaded it, nobody else (404)."""

    required_action = Action.MEMBER_IMPORT
    model = RosterImport

    def get_queryset(self):
        return RosterImport.objects.filter(uploaded_by=self.request.user)

    def get_object(self, queryset=None):
        item = super().get_object(queryset)
        # A commit whose process died shows as checked again, not "importing" forever.
        if roster_cleanup.recover_commit(item):
            item.refresh_from_db()
        return item


class RosterDetailView(_OwnRosterMixin, DetailView):
    template_name = "people/roster/detail.html"
    context_object_name = "roster"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        item = self.object
        paginator = Paginator(item.errors or [], ERRORS_PER_PAGE)
        ctx["error_page"] = paginator.get_page(self.request.GET.get("page"))
        ctx["page_obj"] = ctx["error_page"]
        ctx["querystring_base"] = ""
        ctx["preview_headers"] = [_("Row"), *[c.header for c in roster.COLUMNS]]
        ctx["errors_not_stored"] = max(0, item.error_count - len(item.errors or []))
        return ctx


class RosterProgressView(_OwnRosterMixin, DetailView):
    """The progress bar, polled by htmx; once finished it asks for a full reload."""

    template_name = "people/roster/_progress.html"
    context_object_name = "roster"

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_running:
            response["HX-Refresh"] = "true"
        return response


class RosterCommitView(_OwnRosterMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        item = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            item = roster.roster_start_commit(roster=item, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(item)
        if item.status == RosterImport.Status.COMMITTED:
            messages.success(
                request,
                ngettext(
                    "%(count)d member was imported.",
                    "%(count)d members were imported.",
                    item.created_count,
                )
                % {"count": item.created_count},
            )
        elif item.status == RosterImport.Status.FAILED:
            messages.error(request, _("Nothing was imported; see the problems below."))
        return redirect(item)


class MemberExportView(RequireActionMixin, View):
    """The member list, filtered as on the list page, as .xlsx (?organization=<pk>
    gives one organization's roster). Long lists go to the job worker."""

    required_action = Action.MEMBER_EXPORT

    def get(self, request):
        user = request.user
        queryset, filters = exports.export_queryset(user=user, params=request.GET)
        if queryset is None:
            # e.g. an organization outside the user's scope: as if it did not exist
            raise Http404
        if queryset.count() > exports.background_rows():
            from .tasks import member_export_task

            exports.forget_old_exports(user.pk)
            token = uuid.uuid4().hex
            transaction.on_commit(
                partial(
                    member_export_task.enqueue,
                    user_id=user.pk,
                    params=request.GET.dict(),
                    token=token,
                    language=translation.get_language() or "",
                )
            )
            return redirect("people:member_export_status", token=token)
        # Built in a temporary file (deleted when closed), then streamed.
        target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        exports.member_export(actor=user, queryset=queryset, target=target, filters=filters)
        target.seek(0)
        return FileResponse(
            target,
            as_attachment=True,
            filename=_export_filename(filters.get("organization")),
            content_type=XLSX_CONTENT_TYPE,
        )


def _export_filename(organization=None) -> str:
    stem = f"党员名册_{organization.name}" if organization else "党员名册"
    return f"{stem}_{timezone.localdate():%Y%m%d}.xlsx"


class _OwnExportMixin(RequireActionMixin):
    required_action = Action.MEMBER_EXPORT

    def dispatch(self, request, *args, **kwargs):
        if not exports.TOKEN_RE.match(kwargs.get("token", "")):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class MemberExportStatusView(_OwnExportMixin, View):
    """Waiting for a background export; polled by htmx until the file is ready."""

    def get(self, request, token):
        state = exports.export_state(request.user.pk, token)
        template = (
            "people/roster/_export_progress.html"
            if request.htmx
            else "people/roster/export_status.html"
        )
        return render(request, template, {"state": state, "token": token})


class MemberExportDownloadView(_OwnExportMixin, View):
    def get(self, request, token):
        if exports.export_state(request.user.pk, token) != "ready":
            raise Http404
        return FileResponse(
            open(exports.export_file_path(request.user.pk, token), "rb"),
            as_attachment=True,
            filename=_export_filename(),
            content_type=XLSX_CONTENT_TYPE,
        )
