"""Trainings and lectures tagged with the capabilities they build, and who attended.

A training belongs to the organization that organized it and is scoped by
that organization's path; attendance rows carry each member's hours (by
default the training's hours).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel
from dangjian.core.text import TITLE, IdentifyingTextMixin
from dangjian.core.validators import validate_no_markup

from .capabilities import clean_capabilities

MAX_HOURS_PER_DAY = Decimal("24")
HOURS_FIELD = {"max_digits": 4, "decimal_places": 1}


class TrainingKind(models.TextChoices):
    SPECIAL_TRAINING = "special_training", _("special training")
    LECTURE = "lecture", _("lecture")
    PARTY_LECTURE = "party_lecture", _("party lecture")
    ONLINE_COURSE = "online_course", _("online course")
    OTHER = "other", _("other")


class TrainingQuerySet(models.QuerySet):
    def restrict(self, user, action):
        from dangjian.access.policy import scope_q

        return self.filter(scope_q(user, action, "organization__path"))


class Training(IdentifyingTextMixin, TimeStampedModel):
    identifying_text = {"title": TITLE}
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organizing organization"),
        on_delete=models.PROTECT,
        related_name="trainings",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=TrainingKind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[validate_no_markup])
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), **HOURS_FIELD, validators=[MinValueValidator(Decimal("0.1"))]
    )
    # Codes of dangjian.training.capabilities.Capability, at least one.
    capabilities = models.JSONField(_("capabilities"), default=list)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "date"]), models.Index(fields=["date"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:training_detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.hours is not None and self.hours > MAX_HOURS_PER_DAY:
            errors["hours"] = _("A training held on one day cannot last more than 24 hours.")
        if self.hours is not None and self.hours <= 0:
            errors["hours"] = _("Give the training's hours (more than 0).")
        try:
            cleaned = clean_capabilities(self.capabilities or [])
        except ValueError:
            errors["capabilities"] = _("Choose capabilities from the seven capabilities.")
        else:
            if not cleaned:
                errors["capabilities"] = _("Choose at least one capability the training builds.")
            self.capabilities = cleaned
        if errors:
            raise ValidationError(errors)

    def capability_labels(self) -> list[str]:
        from .capabilities import Capability

        return [str(Capability(c).label) for c in self.capabilities if c in Capability.values]


class TrainingAttendanceQuerySet(models.QuerySet):
    def restrict(self, user, action):
        from dangjian.access.policy import scope_q

        return self.filter(scope_q(user, action, "training__organization__path"))


class TrainingAttendance(models.Model):
    training = models.ForeignKey(
        Training,
        verbose_name=_("training"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="training_attendances",
    )
    hours = models.DecimalField(
        _("hours"), **HOURS_FIELD, validators=[MinValueValidator(Decimal("0.1"))]
    )

    objects = TrainingAttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        ordering = ["training", "member__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["training", "member"], name="training_attendance_unique_member"
            )
        ]

    def __str__(self):
        return f"{self.member} · {self.hours}"
