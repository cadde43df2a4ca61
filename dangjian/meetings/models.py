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
    # In the report's order (AgendaItemTopic.order), the lead topic first.
    topics = models.ManyToManyField(
        "study.Topic",
        verbose_name=_("topics"),
        blank=True,
        related_name="agenda_items",
        through="AgendaItemTopic",
    )
    minutes = models.TextField(_("minutes"), blank=True)
    # The texts of the item's measures (StatementBlock → Measure), in order: a
    # copy kept by the services for the readers of the flat list (decision →
    # tasks by index, the import, the API's ``decisions``).
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


class AgendaItemTopic(models.Model):
    """A topic of a study item, in the report's order. ``listed`` is False for a topic
    the report names only inside a block (seed 002's 积石山 instruction), not in the
    list of what was conveyed."""

    # The column names of the table Django made for the plain many-to-many.
    agendaitem = models.ForeignKey(AgendaItem, on_delete=models.CASCADE)
    topic = models.ForeignKey("study.Topic", on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    listed = models.BooleanField(_("in the list of what was studied"), default=True)

    class Meta:
        db_table = "meetings_agendaitem_topics"
        verbose_name = _("topic of an agenda item")
        verbose_name_plural = _("topics of agenda items")
        ordering = ["agendaitem", "order", "id"]
        # As the plain many-to-many's table already has it.
        unique_together = [("agendaitem", "topic")]

    def __str__(self):
        return f"{self.agendaitem_id}·{self.order}·{self.topic_id}"


class StatementKind(models.TextChoices):
    # The words that open the block in a report, in the genre's usual order.
    POINTED_OUT = "pointed_out", _("the meeting pointed out (会议指出)")
    STRESSED = "stressed", _("the meeting stressed (会议强调)")
    REQUIRED = "required", _("the meeting required (会议要求)")
    HELD = "held", _("the meeting held (会议认为)")


STATEMENT_LEADS = {
    StatementKind.POINTED_OUT: "会议指出",
    StatementKind.STRESSED: "会议强调",
    StatementKind.REQUIRED: "会议要求",
    StatementKind.HELD: "会议认为",
}


class StatementBlock(models.Model):
    """One block of what a meeting stated under an agenda item (会议指出 / 强调 / 要求 /
    认为): the topics it answers, its prose, and its measures."""

    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="blocks",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    kind = models.CharField(
        _("kind"), max_length=20, choices=StatementKind.choices, default=StatementKind.REQUIRED
    )
    # The block's words after "会议指出，", verbatim (the measures' sentences included).
    prose = models.TextField(_("prose"), blank=True, validators=[validate_no_markup])
    topics = models.ManyToManyField(
        "study.Topic", verbose_name=_("topics"), blank=True, related_name="statement_blocks"
    )

    class Meta:
        verbose_name = _("statement block")
        verbose_name_plural = _("statement blocks")
        ordering = ["agenda_item", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agenda_item", "order"], name="block_unique_order")
        ]

    def __str__(self):
        return f"{STATEMENT_LEADS.get(self.kind, self.kind)} {self.prose[:20]}"

    @property
    def lead(self) -> str:
        return STATEMENT_LEADS.get(self.kind, "")


class Measure(models.Model):
    """A measure stated in a block, verbatim: numbered (一要……, ``number`` 1) or not
    (深入开展作风建设专项行动, ``number`` None). Tasks point at it."""

    block = models.ForeignKey(
        StatementBlock, verbose_name=_("block"), on_delete=models.CASCADE, related_name="measures"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    text = models.TextField(_("text"), validators=[validate_no_markup])

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["block", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["block", "order"], name="measure_unique_order")
        ]

    def __str__(self):
        return self.text[:40]


class AttendanceRole(models.TextChoices):
    ATTENDING = "attending", _("attending (出席)")
    OBSERVING = "observing", _("sitting in (列席)")


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
    # 出席 (a member of the body) or 列席 (sitting in without a vote).
    role = models.CharField(
        _("role"), max_length=20, choices=AttendanceRole.choices, default=AttendanceRole.ATTENDING
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
