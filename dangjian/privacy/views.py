"""The "My data" page (我的信息) and its copy as .xlsx (数据副本)."""

from __future__ import annotations

import tempfile

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse
from django.views import View
from django.views.generic import TemplateView

from dangjian.core.xlsx import XLSX_CONTENT_TYPE

from . import selectors, services


class MyDataView(LoginRequiredMixin, TemplateView):
    """Everything stored about the user; their own ID number and phone in clear (audited)."""

    template_name = "privacy/my_data.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        member = selectors.own_member(user=user)
        revealed = services.own_personal_data_reveal(actor=user, member=member) if member else {}
        ctx["member"] = member
        ctx["groups"] = selectors.my_data(
            user=user,
            member=member,
            revealed=revealed,
            current_key=self.request.session.session_key,
        )
        ctx["row_limit"] = selectors.ROW_LIMIT
        return ctx

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class MyDataDownloadView(LoginRequiredMixin, View):
    """POST: the same data as a watermarked .xlsx; audited as an export of one's own data."""

    http_method_names = ["post"]

    def post(self, request):
        target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        services.own_data_export(
            actor=request.user, target=target, current_key=request.session.session_key
        )
        target.seek(0)
        response = FileResponse(
            target, as_attachment=True, filename="我的信息.xlsx", content_type=XLSX_CONTENT_TYPE
        )
        response["Cache-Control"] = "no-store"
        return response
