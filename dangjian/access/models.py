"""User accounts and the roles they hold on parts of the organization tree."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel
from dangjian.core.text import NAME, IdentifyingTextMixin

from .roles import Role


class User(IdentifyingTextMixin, AbstractUser):
    """A login. Personal details live on the member record it may be linked to."""

    # The user name itself is Django's: NFKC-normalised by AbstractBaseUser.clean()
    # and limited to letters, digits and @.+-_ (no format or control characters).
    identifying_text = {"display_name": NAME}

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    member = models.OneToOneField(
        "people.Member",
        verbose_name=_("member record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.display_name or self.username


class RoleGrant(TimeStampedModel):
    """A role held on an organization and everything below it.

    Platform-wide roles (administrator, security administrator, auditor)
    have no organization.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization"], name="grant_unique_role_on_org"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(organization__isnull=True),
                name="grant_unique_global_role",
            ),
        ]

    def __str__(self):
        where = self.organization.name if self.organization_id else _("whole platform")
        return f"{self.user} · {self.get_role_display()} · {where}"


class ApiToken(models.Model):
    """An API credential of one user (``Authorization: Token <key>``).

    Only a keyed hash of the key is stored (``api_tokens.key_hash``); the key itself
    is shown once, when it is issued. A token is refused once revoked, past
    ``expires_at`` or unused for longer than the idle time (``api_tokens.is_active``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("beginning of the key"), max_length=8, editable=False)
    name = models.CharField(_("name"), max_length=50, blank=True)
    second_factor = models.BooleanField(_("issued after a second factor"), default=False)
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_revoked")]

    def __str__(self):
        return f"{self.user} · {self.prefix}…"
