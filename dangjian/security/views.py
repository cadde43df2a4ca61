"""The password page (every user) and the account locks page (security administrator)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from dangjian.access.models import User
from dangjian.core.auth_audit import LOGOUT_NOTE_ATTRIBUTE
from dangjian.core.forms import LoginForm, apply_service_errors
from dangjian.core.views import RequireActionMixin

from . import selectors, services
from .forms import PasswordChangeForm

# Audit note of a session ended because someone logged in on top of it (docs/security.md).
REPLACED_NOTE = "session replaced by a new log-in in this browser"


class LoginView(auth_views.LoginView):
    """The log-in page. A log-in always starts a new session for the person who logged in.

    The page is shown (and its POST handled) even to a browser that carries a live session:
    Django's ``redirect_authenticated_user`` would answer a POST with a redirect and leave
    the browser logged in as the session's user. With right credentials, that session is
    ended first (audited log-out of its user, who may log in again), then Django's
    ``login()`` gives the new session a new key. Wrong credentials leave it alone.
    """

    authentication_form = LoginForm

    def form_valid(self, form):
        request = self.request
        if request.user.is_authenticated:
            setattr(request, LOGOUT_NOTE_ATTRIBUTE, REPLACED_NOTE)
            logout(request)  # audited; flushes the session: nothing of it is carried over
        elif not request.session.is_empty():
            request.session.flush()  # e.g. a session whose user's password changed since
        return super().form_valid(form)


class PasswordChangeView(LoginRequiredMixin, FormView):
    form_class = PasswordChangeForm
    template_name = "security/password_change.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reason"] = self.request.session.get(services.MUST_CHANGE, "")
        return ctx

    def form_invalid(self, form):
        # A wrong current password counts toward the log-in lock (docs/security.md).
        wrong = form.has_error("old_password", code="wrong")
        if wrong and services.current_password_failed(user=self.request.user):
            # Locked: the session is over; the log-in page says what it says for a lock.
            setattr(self.request, LOGOUT_NOTE_ATTRIBUTE, "account locked")
            logout(self.request)
            messages.error(self.request, LoginForm.error_messages["invalid_login"])
            return redirect(settings.LOGIN_URL)
        return super().form_invalid(form)

    def form_valid(self, form):
        user = self.request.user
        try:
            services.password_change(
                actor=user,
                user=user,
                new_password=form.cleaned_data["new_password1"],
                keep_session=self.request.session.session_key,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)  # a new session key, still logged in
        services.session_rekeyed(self.request)
        self.request.session.pop(services.MUST_CHANGE, None)
        messages.success(self.request, _("Your password was changed."))
        return redirect("core:home")


class LockListView(RequireActionMixin, ListView):
    required_action = services.MANAGE_ACTION
    template_name = "security/lock_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.locked_accounts(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["failing"] = selectors.failing_accounts(self.request.user)
        ctx["addresses"] = selectors.throttled_addresses(self.request.user)
        return ctx


class UnlockView(RequireActionMixin, View):
    required_action = services.MANAGE_ACTION
    http_method_names = ["post"]

    def post(self, request, pk):
        user = get_object_or_404(User, pk=pk)
        try:
            services.account_unlock(actor=request.user, user=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The account %(user)s was unlocked.") % {"user": user})
        return redirect("security:lock_list")
