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
