"""Two-factor pages: the user's own status, enrolment, verification, recovery codes; the
security administrator's device list and reset."""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from dangjian.access.models import User
from dangjian.access.roles import Action
from dangjian.core.views import RequireActionMixin

from . import selectors, services
from .forms import CodeForm, EnrollForm


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:home")


def _mark_verified(request, device) -> None:
    """The session now carries the second factor: a new session key, as at log-in."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[services.SESSION_FLAG] = True


class OverviewView(LoginRequiredMixin, View):
    """The user's own two-factor state: set up, recovery codes, what is required."""

    def get(self, request):
        return render(
            request,
            "twofactor/overview.html",
            {"status": selectors.status(user=request.user), "verified": request.user.is_verified()},
        )


class EnrollView(LoginRequiredMixin, View):
    """Show the secret and QR code of a new authenticator; activate it with a code."""

    def get(self, request):
        device = services.enrollment_start(user=request.user)
        return self._page(request, device, EnrollForm())

    def post(self, request):
        form = EnrollForm(request.POST)
        if form.is_valid():
            outcome = services.enrollment_confirm(user=request.user, code=form.cleaned_data["code"])
            if outcome.ok:
                _mark_verified(request, outcome.device)
                return render(
                    request,
                    "twofactor/recovery_codes.html",
                    {"codes": outcome.recovery_codes, "next": _next_url(request), "new": True},
                )
            form.add_error("code", outcome.error)
        return self._page(request, services.enrollment_start(user=request.user), form)

    def _page(self, request, device, form):
        context = {"form": form, "device": device, "next": _next_url(request)}
        if device is not None:
            context.update(selectors.enrollment_details(device))
        return render(request, "twofactor/enroll.html", context)


class VerifyView(LoginRequiredMixin, View):
    """The second step of the log-in: a code from the authenticator or a recovery code."""

    def get(self, request):
        if request.user.is_verified():
            return redirect(_next_url(request))
        return self._page(request, CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            outcome = services.verify(user=request.user, code=form.cleaned_data["code"])
            if outcome.ok:
                _mark_verified(request, outcome.device)
                return redirect(_next_url(request))
            form.add_error("code", outcome.error)
        return self._page(request, form)

    def _page(self, request, form):
        has_device = services.has_device(request.user)
        return render(
            request,
            "twofactor/verify.html",
            {"form": form, "next": _next_url(request), "has_device": has_device},
        )


class RecoveryRegenerateView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        try:
            codes = services.recovery_codes_regenerate(actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("twofactor:overview")
        return render(
            request,
            "twofactor/recovery_codes.html",
            {"codes": codes, "next": reverse("twofactor:overview"), "new": False},
        )


class DeviceListView(RequireActionMixin, ListView):
    """Every account's second factor, for the security administrator (reset a lost phone)."""

    required_action = Action.TWOFACTOR_RESET
    template_name = "twofactor/device_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.users_with_status(q=self.request.GET.get("q", ""))


class DeviceResetView(RequireActionMixin, View):
    required_action = Action.TWOFACTOR_RESET
    http_method_names = ["post"]

    def post(self, request, pk):
        user = get_object_or_404(User, pk=pk)
        try:
            removed = services.device_reset(actor=request.user, user=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Two-factor login of %(user)s was reset (%(count)s removed).")
                % {"user": user, "count": removed},
            )
        return redirect("twofactor:device_list")
