"""The party organization tree and the administrative units branches belong to.

The tree is a materialized path: every organization stores the chain of its
ancestors' ids (``path``), each step a fixed-width base-36 code. A subtree is
``path LIKE 'prefix%'`` — one range scan of an indexed column, whatever the
depth (docs/architecture.md, "The organization tree").
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel
from dangjian.core.text import TITLE, IdentifyingTextMixin
from dangjian.core.validators import validate_no_markup

STEP = 6
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def encode_step(number: int) -> str:
    chars = []
    while number:
        number, rem = divmod(number, 36)
        chars.append(ALPHABET[rem])
    code = "".join(reversed(chars)) or "0"
    if len(code) > STEP:
        raise OverflowError("organization id does not fit a path step")
    return code.rjust(STEP, "0")


class OrganizationKind(models.TextChoices):
    LEADING_GROUP = "leading_group", _("leading party group")
    COMMITTEE = "committee", _("party committee")
    ORGAN_COMMITTEE = "organ_committee", _("organ party committee")
    GENERAL_BRANCH = "general_branch", _("general party branch")
    BRANCH = "branch", _("party branch")
    GROUP = "group", _("party group")


# Which kinds may sit directly below which (the party's organizational order).
ALLOWED_CHILD_KINDS = {
    None: {OrganizationKind.LEADING_GROUP, OrganizationKind.COMMITTEE},
    OrganizationKind.LEADING_GROUP: {
        OrganizationKind.ORGAN_COMMITTEE,
        OrganizationKind.COMMITTEE,
        OrganizationKind.GENERAL_BRANCH,
        OrganizationKind.BRANCH,
    },
    OrganizationKind.COMMITTEE: {
        OrganizationKind.COMMITTEE,
        OrganizationKind.GENERAL_BRANCH,
        OrganizationKind.BRANCH,
    },
    OrganizationKind.ORGAN_COMMITTEE: {
        OrganizationKind.COMMITTEE,
        OrganizationKind.GENERAL_BRANCH,
        OrganizationKind.BRANCH,
    },
    OrganizationKind.GENERAL_BRANCH: {OrganizationKind.BRANCH},
    OrganizationKind.BRANCH: {OrganizationKind.GROUP},
    OrganizationKind.GROUP: set(),
}


class UnitKind(models.TextChoices):
    ORGAN = "organ", _("organ")
    DEPARTMENT = "department", _("department")
    AFFILIATED = "affiliated", _("directly affiliated unit")
    DIVISION = "division", _("division")


class Unit(IdentifyingTextMixin, TimeStampedModel):
    """An administrative unit: the organ, its departments, its affiliated units."""

    identifying_text = {"name": TITLE}

    name = models.CharField(_("name"), max_length=100, validators=[validate_no_markup])
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_in_parent")
        ]

    def __str__(self):
        return self.name


class OrganizationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(dissolved_at__isnull=True)

    def subtree_of(self, *roots: Organization):
        """Organizations at or below any of ``roots``."""
        q = Q(pk__in=[])
        for root in roots:
            q |= Q(path__startswith=root.path)
        return self.filter(q)

    def restrict(self, user, action):
        from dangjian.access.policy import scope_q

        return self.filter(scope_q(user, action, "path"))


class Organization(IdentifyingTextMixin, TimeStampedModel):
    identifying_text = {"name": TITLE, "short_name": TITLE}
    name = models.CharField(_("name"), max_length=100, validators=[validate_no_markup])
    short_name = models.CharField(
        _("short name"), max_length=50, blank=True, validators=[validate_no_markup]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    path = models.CharField(_("tree path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    dissolved_at = models.DateTimeField(_("dissolved at"), null=True, blank=True)
    # Direct members (not the subtree), maintained by the people services in
    # the same transaction as the change; subtree totals sum these.
    member_count = models.PositiveIntegerField(_("members"), default=0, editable=False)
    probationary_count = models.PositiveIntegerField(
        _("probationary members"), default=0, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:organization_detail", args=[self.pk])

    @property
    def is_dissolved(self) -> bool:
        return self.dissolved_at is not None

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * STEP] for i in range(1, len(self.path) // STEP)]

    def ancestors(self):
        """Ancestors from the root down, in one query."""
        return Organization.objects.filter(path__in=self.ancestor_paths()).order_by("depth")

    def is_descendant_of(self, other: Organization) -> bool:
        return self.path.startswith(other.path) and self.pk != other.pk
