"""Identity state kept beside the user: password age and origin, failures and locks,
the password history, failed log-ins per address and the sessions each user holds."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountState(models.Model):
    """One row per account that has set a password or failed to log in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="security_state",
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # Set by someone other than the account holder (an administrator, an import, the demo):
    # the holder must choose their own at the next log-in where the rules say so.
    password_assigned = models.BooleanField(_("password assigned by someone else"), default=True)
    failed_logins = models.PositiveIntegerField(_("failed log-ins in a row"), default=0)
    last_failure_at = models.DateTimeField(_("last failed log-in"), null=True, blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("account security state")
        verbose_name_plural = _("account security states")

    def __str__(self):
        return str(self.user)


class PasswordHistory(models.Model):
    """A password hash the user had (the newest is the current one)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="password_history",
    )
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("former password")
        verbose_name_plural = _("former passwords")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class FailedLogin(models.Model):
    """A failed log-in from a client address: the address throttle counts these.

    In the database (not process memory), so every gunicorn worker sees the same count.
    """

    address = models.GenericIPAddressField(_("address"))
    username = models.CharField(_("user name tried"), max_length=150, blank=True)
    occurred_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")
        indexes = [models.Index(fields=["address", "occurred_at"])]

    def __str__(self):
        return f"{self.address} {self.occurred_at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """A logged-in session of a user, so that all of them can be ended at once."""

    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="security_sessions",
    )
    created_at = models.DateTimeField(_("logged in at"), auto_now_add=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class LookupBudget(models.Model):
    """How many ID numbers and phones a user compared against stored members on one day.

    Every look-up of personal data by value (the look-up API, a roster check, a member
    form or API write with an ID number) is charged here before it runs, with one
    conditional UPDATE, so simultaneous requests cannot pass the daily budget together
    (``security.lookups``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("day"))
    used = models.PositiveIntegerField(_("numbers looked up"), default=0)

    class Meta:
        verbose_name = _("personal-data look-up budget")
        verbose_name_plural = _("personal-data look-up budgets")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="security_one_budget_per_day")
        ]

    def __str__(self):
        return f"{self.user_id} {self.day:%Y-%m-%d} {self.used}"
