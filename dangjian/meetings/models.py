"""Meetings of leading groups and branches: attendance, agenda, minutes, decisions.

A meeting belongs to one organization and is scoped by that organization's
path. Study items link topics of the library; the first-agenda rule (the
first item of a leading group meeting or theory study session is study) is
checked by the services and warned about in the form.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel
from dangjian.core.text import NAME, TITLE, IdentifyingTextMixin
from dangjian.core.validators import validate_no_markup


class MeetingKind(models.TextChoices):
    LEADING_GROUP_MEETING = "leading_group_meeting", _("leading party group meeting")
    THEORY_STUDY_GROUP = "theory_study_group", _("theory study group session")
    BRANCH_ASSEMBLY = "branch_assembly", _("branch member assembly")
    BRANCH_COMMITTEE = "branch_committee", _("branch committee meeting")
    GROUP_MEETING = "group_meeting", _("party group meeting")
    PARTY_LECTURE = "party_lecture", _("party lecture")
    THEMED_PARTY_DAY = "themed_party_day", _("themed party day")
    ORGANIZATIONAL_LIFE = "organizational_life", _("organizational life meeting")
    DEMOCRATIC_LIFE = "democratic_life", _("democratic life meeting")


# Kinds whose first agenda item must be study (第一议题制度).
FIRST_AGENDA_KINDS = frozenset({MeetingKind.LEADING_GROUP_MEETING, MeetingKind.THEORY_STUDY_GROUP})
# Kinds whose expected attendees default to the leading group's post holders
# rather than the organization's own members.
LEADING_GROUP_KINDS = FIRST_AGENDA_KINDS | {MeetingKind.DEMOCRATIC_LIFE}


class MeetingQuerySet(models.QuerySet):
    def restrict(self, user, action):
        from dangjian.access.policy import scope_q

        return self.filter(scope_q(user, action, "organization__path"))

    def held(self):
        return self.filter(status=Meeting.Status.HELD)


class Meeting(IdentifyingTextMixin, TimeStampedModel):
    identifying_text = {"title": TITLE, "chair_name": NAME}

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[validate_no_markup])
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    venue = models.CharField(
        _("venue"), max_length=200, blank=True, validators=[validate_no_markup]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    chair = models.ForeignKey(
        "people.Member",
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorder = models.ForeignKey(
        "people.Member",
        verbose_name=_("recorder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Names as text when the person is not in the tree (e.g. "驻局纪检监察组组长").
    chair_name = models.CharField(_("chair (as text)"), max_length=50, blank=True)
    # Leaders invited from elsewhere: [{"name": ..., "title": ...}].
    invited_leaders = models.JSONField(_("invited leaders"), default=list, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # The saved news report draft (editable text; generated from the record).
    news_draft = models.TextField(_("news report draft"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "starts_at"]),
            models.Index(fields=["kind", "starts_at"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:meeting_detail", args=[self.pk])

    @property
    def needs_first_agenda_study(self) -> bool:
        return self.kind in FIRST_AGENDA_KINDS


class AgendaItem(IdentifyingTextMixin, models.Model):
    identifying_text = {"title": TITLE}

    class Kind(models.TextChoices):
        STUDY = "study", _("study")
        DELIBERATION = "deliberation", _("deliberation")
        REPORT = "report", _("report")
        OTHER = "other", _("other")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=300, validators=[validate_no_markup])
    topics = models.ManyToManyField(
        "study.Topic", verbose_name=_("topics"), blank=True, related_name="agenda_items"
    )
    minutes = models.TextField(_("minutes"), blank=True)
    # The requirements or decisions stated under this item, one per entry
    # ("一要……"), each of which may become tasks.
    decisions = models.JSONField(_("decisions"), default=list, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agenda_unique_order")
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", _("expected")
    PRESENT = "present", _("present")
    LATE = "late", _("late")
    LEAVE = "leave", _("on leave")
    ABSENT = "absent", _("absent")


class Attendance(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    status = models.CharField(
        _("attendance"),
        max_length=20,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.EXPECTED,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    via_qr = models.BooleanField(_("signed in by QR code"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique_member")
        ]

    def __str__(self):
        return f"{self.member} · {self.get_status_display()}"


class LifeRule(models.Model):
    """A rule of organizational life (三会一课 …): organizations of these kinds
    hold at least ``min_count`` meetings of ``meeting_kind`` per ``period``."""

    class Period(models.TextChoices):
        MONTH = "month", _("month")
        QUARTER = "quarter", _("quarter")
        HALF_YEAR = "half_year", _("half year")
        YEAR = "year", _("year")

    meeting_kind = models.CharField(_("meeting kind"), max_length=30, choices=MeetingKind.choices)
    organization_kinds = models.JSONField(_("applies to"), default=list)
    period = models.CharField(_("period"), max_length=20, choices=Period.choices)
    min_count = models.PositiveSmallIntegerField(_("at least"), default=1)
    # Days before a period closes when an unmet rule is reminded.
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before"), default=7)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("organizational life rule")
        verbose_name_plural = _("organizational life rules")
        ordering = ["meeting_kind", "period"]
        constraints = [
            models.UniqueConstraint(fields=["meeting_kind", "period"], name="liferule_unique")
        ]

    def __str__(self):
        return f"{self.get_meeting_kind_display()} ≥{self.min_count}/{self.get_period_display()}"


class LifeReminder(models.Model):
    """One reminder sent for an unmet rule in one period (so it is sent once)."""

    rule = models.ForeignKey(LifeRule, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "organization", "period_start"], name="lifereminder_once"
            )
        ]

    def __str__(self):
        return f"{self.rule} {self.organization_id} {self.period_start}"
