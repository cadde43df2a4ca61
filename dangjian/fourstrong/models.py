"""Four-strong branches (四强党支部): indicator systems, yearly cycles, assessments.

An indicator system is versioned: a cycle keeps the system it started with,
and a system used by a cycle is never changed (a new version is copied
instead). Each branch in a cycle's scope has one assessment that goes
through self-assessment, recommendation by the superior committee, review by
the organ party committee office, public notice, naming, and possibly a
re-review that revokes the title. Every decision is an AssessmentEvent.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel
from dangjian.core.validators import validate_no_markup


class Dimension(models.TextChoices):
    POLITICAL = "political", _("strong political function")
    LEADERSHIP = "leadership", _("strong branch leadership")
    MEMBERS = "members", _("strong member team")
    ROLE = "role", _("strong role in work")


class SystemStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class Source(models.TextChoices):
    REVIEWED = "reviewed", _("scored by reviewers")
    COMPUTED = "computed", _("computed from platform data")


class ComputedKey(models.TextChoices):
    LIFE_COMPLIANCE = "life_compliance", _("organizational-life compliance")
    STUDY_PROMPTNESS = "study_promptness", _("promptness of first-agenda study")
    TASK_ON_TIME = "task_on_time", _("on-time task completion")
    CAMPAIGN_REPORTING = "campaign_reporting", _("campaign reporting completion")
    TRAINING_HOURS = "training_hours", _("members' training hours")


class IndicatorSystem(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_markup])
    version_number = models.PositiveIntegerField(_("version number"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=SystemStatus.choices, default=SystemStatus.DRAFT
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("indicator system")
        verbose_name_plural = _("indicator systems")
        ordering = ["name", "-version_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version_number"], name="fourstrong_system_name_version"
            )
        ]

    def __str__(self):
        return f"{self.name} v{self.version_number}"


class Indicator(models.Model):
    system = models.ForeignKey(
        IndicatorSystem,
        verbose_name=_("indicator system"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_markup])
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    max_score = models.DecimalField(
        _("maximum score"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    rule = models.TextField(_("scoring rule"), blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.REVIEWED
    )
    computed_key = models.CharField(
        _("computed from"), max_length=30, choices=ComputedKey.choices, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["system", "dimension", "order", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.source == Source.COMPUTED and not self.computed_key:
            raise ValidationError(
                {"computed_key": _("A computed indicator needs the data it is computed from.")}
            )
        if self.source == Source.REVIEWED and self.computed_key:
            raise ValidationError(
                {"computed_key": _("Only computed indicators name the data they come from.")}
            )


class CycleStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class CycleQuerySet(models.QuerySet):
    def restrict(self, user, action):
        """Cycles whose scope lies in the user's subtrees, or covering a branch the user sees."""
        from dangjian.access.policy import NOTHING, paths_for

        paths = paths_for(user, action)
        if paths is None:
            return self
        q = NOTHING
        for path in paths:
            q |= models.Q(scope__path__startswith=path)
            q |= models.Q(assessments__branch__path__startswith=path)
        ids = self.model.objects.filter(q).values("pk")
        return self.filter(pk__in=ids)


class Cycle(TimeStampedModel):
    year = models.PositiveIntegerField(_("year"))
    system = models.ForeignKey(
        IndicatorSystem,
        verbose_name=_("indicator system"),
        on_delete=models.PROTECT,
        related_name="cycles",
    )
    scope = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        related_name="fourstrong_cycles",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "scope"], name="fourstrong_cycle_year_scope")
        ]

    def __str__(self):
        return f"{self.year} {self.scope}"


class AssessmentStatus(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("self-assessment")
    SUBMITTED = "submitted", _("submitted")
    RECOMMENDED = "recommended", _("recommended")
    REVIEWED = "reviewed", _("reviewed")
    PUBLIC_NOTICE = "public_notice", _("public notice")
    NAMED = "named", _("named")
    NOT_NAMED = "not_named", _("not named")
    REVOKED = "revoked", _("revoked")


class AssessmentQuerySet(models.QuerySet):
    def restrict(self, user, action):
        from dangjian.access.policy import scope_q

        return self.filter(scope_q(user, action, "branch__path"))


class Assessment(TimeStampedModel):
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="assessments"
    )
    branch = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="fourstrong_assessments",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.SELF_ASSESSMENT,
    )
    total = models.DecimalField(
        _("total score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    notice_start = models.DateField(_("public notice from"), null=True, blank=True)
    notice_end = models.DateField(_("public notice until"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["cycle", "branch__path"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "branch"], name="fourstrong_one_per_branch")
        ]

    def __str__(self):
        return f"{self.cycle.year} {self.branch}"


class Score(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="scores"
    )
    suggested = models.DecimalField(
        _("computed suggestion"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    self_score = models.DecimalField(
        _("self score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    final_score = models.DecimalField(
        _("final score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["indicator__dimension", "indicator__order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="fourstrong_one_score_per_indicator"
            )
        ]

    def __str__(self):
        return f"{self.assessment} {self.indicator}"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        top = self.indicator.max_score
        for name in ("self_score", "final_score"):
            value = getattr(self, name)
            if value is not None and not (0 <= value <= top):
                errors[name] = _("The score of “%(indicator)s” must be between 0 and %(max)s.") % {
                    "indicator": self.indicator.name,
                    "max": top,
                }
        if errors:
            raise ValidationError(errors)


STEP_LABELS = {
    "started": _("cycle started"),
    "submitted": _("self-assessment submitted"),
    "sent_back": _("sent back"),
    "recommended": _("recommended"),
    "reviewed": _("reviewed"),
    "public_notice": _("public notice"),
    "objection": _("objection raised"),
    "objection_answered": _("objection answered"),
    "named": _("named"),
    "not_named": _("not named"),
    "revoked": _("revoked"),
}


class AssessmentEvent(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    step = models.CharField(_("step"), max_length=20)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.assessment_id} {self.step}"

    @property
    def step_label(self):
        return STEP_LABELS.get(self.step, self.step)


class Objection(TimeStampedModel):
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="objections",
    )
    text = models.TextField(_("objection"))
    submitted_on = models.DateField(_("submitted on"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["submitted_on", "id"]

    def __str__(self):
        return f"{self.assessment_id} {self.submitted_on}"
