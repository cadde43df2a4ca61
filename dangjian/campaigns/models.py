"""Campaigns (能力提升行动 …), their planned series activities, reporting
requirements, the activities organizations record, and the ledger (台账) rows.

A campaign is issued by one organization and covers a subtree. A submission is
one organization's report against one requirement; "not reported" is the
absence of a row. Activities are scoped by their organizer's path, submissions
by the reporting organization's path.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel
from dangjian.core.text import NAME, TITLE, IdentifyingTextMixin
from dangjian.core.validators import validate_no_markup
from dangjian.meetings.models import MeetingKind
from dangjian.organizations.models import STEP
from dangjian.training.capabilities import Capability
from dangjian.training.models import TrainingKind


class ActivityType(models.TextChoices):
    SPECIAL_TRAINING = "special_training", _("special training")
    THEMED_PARTY_DAY = "themed_party_day", _("themed party day")
    FORUM = "forum", _("forum")
    RESULTS_SHOWCASE = "results_showcase", _("results showcase")
    REPORT_MEETING = "report_meeting", _("report meeting")
    LAUNCH_CEREMONY = "launch_ceremony", _("launch ceremony")
    OTHER = "other", _("other")


class LeaderRole(models.TextChoices):
    ATTENDED = "attended", _("attended")
    SPOKE = "spoke", _("spoke")
    CHAIRED = "chaired", _("chaired")
    ENTRUSTED = "entrusted", _("entrusted")


def _prefixes(path: str) -> list[str]:
    return [path[: i * STEP] for i in range(1, len(path) // STEP + 1)]


class CampaignQuerySet(models.QuerySet):
    def restrict(self, user, action):
        """Campaigns issued inside the user's scope, or covering part of it."""
        from dangjian.access.policy import NOTHING, _outermost, paths_for

        paths = paths_for(user, action)
        if paths is None:
            return self.all()
        q = NOTHING
        for p in _outermost(paths):
            q |= (
                Q(organization__path__startswith=p)
                | Q(covered__path__startswith=p)
                | Q(covered__path__in=_prefixes(p))
            )
        return self.filter(q)


class Campaign(IdentifyingTextMixin, TimeStampedModel):
    identifying_text = {"name": TITLE}
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_markup])
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("issuing organization"),
        on_delete=models.PROTECT,
        related_name="issued_campaigns",
    )
    covered = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("covered organization"),
        on_delete=models.PROTECT,
        related_name="covering_campaigns",
        help_text=_("The campaign covers this organization and everything below it."),
    )
    # The ad-hoc body that issued the notice by decision of ``organization`` (总局主题教育
    # 领导小组办公室, by decision of 总局党组): not a party organization, so named as text.
    issued_by_text = models.CharField(
        _("issued by (ad-hoc body)"),
        max_length=100,
        blank=True,
        validators=[validate_no_markup],
        help_text=_("e.g. the theme education leading group office, by decision of the issuer"),
    )
    # The superior body that instructs from outside the tree (中央和国家机关工委).
    superior_body = models.CharField(
        _("superior body"),
        max_length=100,
        blank=True,
        validators=[validate_no_markup],
        help_text=_("e.g. the working committee of central and state organs"),
    )
    notice = models.TextField(_("notice"), blank=True, validators=[validate_no_markup])
    starts_on = models.DateField(_("period start"))
    ends_on = models.DateField(_("period end"))
    capabilities = models.JSONField(_("capabilities"), default=list, blank=True)
    main_capability = models.CharField(
        _("main capability"), max_length=30, choices=Capability.choices, blank=True
    )
    goals = models.TextField(_("goals"), blank=True, validators=[validate_no_markup])
    notice_file = models.FileField(
        _("notice attachment"), upload_to="campaigns/notices/%Y/", max_length=200, blank=True
    )
    notice_file_name = models.CharField(_("file name"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("campaigns:campaign_detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The period cannot end before it starts.")
        valid = set(Capability.values)
        if not isinstance(self.capabilities, list) or any(
            c not in valid for c in self.capabilities
        ):
            errors["capabilities"] = _("Unknown capability.")
        elif self.main_capability and self.main_capability not in self.capabilities:
            errors["main_capability"] = _("The main capability must be one of the capabilities.")
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent"] = _("A campaign cannot be its own parent.")
        if errors:
            raise ValidationError(errors)

    def capability_labels(self) -> list[str]:
        labels = dict(Capability.choices)
        return [str(labels.get(c, c)) for c in self.capabilities]

    def issuer_label(self) -> str:
        """Who issued the notice: the ad-hoc body by decision of the organization, or it."""
        if self.issued_by_text:
            return _("%(body)s (by decision of %(organization)s)") % {
                "body": self.issued_by_text,
                "organization": self.organization,
            }
        return str(self.organization)


class PlannedActivity(TimeStampedModel):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="planned_activities",
    )
    type = models.CharField(_("type"), max_length=30, choices=ActivityType.choices)
    theme = models.CharField(_("theme"), max_length=200, validators=[validate_no_markup])
    owner_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("owner organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("owner unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")
        ordering = ["starts_on", "id"]

    def __str__(self):
        return self.theme


class Requirement(TimeStampedModel):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="requirements",
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_no_markup])
    description = models.TextField(_("description"), blank=True, validators=[validate_no_markup])
    organization_kinds = models.JSONField(
        _("applies to organization kinds"), default=list, blank=True
    )
    due_on = models.DateField(_("due date"))
    # Met by what the organization already records (no second form): a meeting of this
    # kind (a 主题党日 counts for 三会一课 too) or a training of this kind, held in the
    # campaign's period. Empty: met by a campaign activity.
    meeting_kind = models.CharField(
        _("met by a meeting of kind"), max_length=30, choices=MeetingKind.choices, blank=True
    )
    training_kind = models.CharField(
        _("met by a training of kind"), max_length=30, choices=TrainingKind.choices, blank=True
    )

    class Meta:
        verbose_name = _("reporting requirement")
        verbose_name_plural = _("reporting requirements")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title

    def applies_to(self, organization) -> bool:
        return not self.organization_kinds or organization.kind in self.organization_kinds

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.meeting_kind and self.training_kind:
            raise ValidationError(
                {
                    "training_kind": _(
                        "A requirement is met by a meeting or by a training, not both."
                    )
                }
            )


class ActivityQuerySet(models.QuerySet):
    def restrict(self, user, action):
        from dangjian.access.policy import scope_q

        return self.filter(scope_q(user, action, "organization__path"))


class Activity(IdentifyingTextMixin, TimeStampedModel):
    # ``type`` is the first of ``types``: one event can be of several kinds
    # (启动仪式暨论坛 = launch ceremony and forum), in the order of its name.
    identifying_text = {"title": TITLE}
    type = models.CharField(_("type"), max_length=30, choices=ActivityType.choices)
    types = models.JSONField(_("kinds"), default=list, blank=True)
    title = models.CharField(_("title"), max_length=200, validators=[validate_no_markup])
    theme = models.CharField(
        _("theme"), max_length=200, blank=True, validators=[validate_no_markup]
    )
    held_on = models.DateField(_("date"))
    venue = models.CharField(
        _("venue"), max_length=200, blank=True, validators=[validate_no_markup]
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organizer"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    # The event is often organised by the organ itself (广电总局), not by the party
    # committee that records it; the record stays in the committee's scope.
    organizer_text = models.CharField(
        _("organised in the name of"),
        max_length=100,
        blank=True,
        validators=[validate_no_markup],
        help_text=_("e.g. the organ itself; empty: the organizer above"),
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    summary = models.TextField(_("summary"), blank=True, validators=[validate_no_markup])
    leaders = models.JSONField(_("leaders present"), default=list, blank=True)
    participant_groups = models.TextField(
        _("participant groups"), blank=True, validators=[validate_no_markup]
    )
    participants = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)
    exemplary = models.BooleanField(_("exemplary case"), default=False)
    exemplary_note = models.CharField(
        _("why it is exemplary"), max_length=300, blank=True, validators=[validate_no_markup]
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title

    def organizer_label(self) -> str:
        return self.organizer_text or self.organization.name

    def kinds(self) -> list[str]:
        """The activity's kinds in order (``type`` alone for a record of one kind)."""
        return list(self.types) or [self.type]

    def kind_labels(self) -> list[str]:
        labels = dict(ActivityType.choices)
        return [str(labels.get(k, k)) for k in self.kinds()]

    def is_of_kind(self, kind: str) -> bool:
        return kind in self.kinds()

    def clean(self):
        from django.core.exceptions import ValidationError

        valid = set(ActivityType.values)
        if (
            not isinstance(self.types, list)
            or any(t not in valid for t in self.types)
            or len(set(self.types)) != len(self.types)
        ):
            raise ValidationError({"types": _("Unknown or repeated activity kind.")})
        if self.types and self.type != self.types[0]:
            raise ValidationError({"type": _("The type is the first of the kinds.")})
        if not isinstance(self.leaders, list):
            raise ValidationError({"leaders": _("Leaders must be a list.")})
        roles = set(LeaderRole.values)
        for leader in self.leaders:
            if (
                not isinstance(leader, dict)
                or not str(leader.get("name", "")).strip()
                or leader.get("role") not in roles
            ):
                raise ValidationError({"leaders": _("Every leader needs a name and a valid role.")})
            if (
                leader.get("role") == LeaderRole.ENTRUSTED
                and not str(leader.get("entrusted_by", "")).strip()
            ):
                raise ValidationError(
                    {"leaders": _("An entrusted leader needs the person who entrusted them.")}
                )


class SubmissionQuerySet(models.QuerySet):
    def restrict(self, user, action):
        from dangjian.access.policy import scope_q

        return self.filter(scope_q(user, action, "organization__path"))


class Submission(TimeStampedModel):
    class Status(models.TextChoices):
        REPORTED = "reported", _("reported")
        RETURNED = "returned", _("returned")
        ACCEPTED = "accepted", _("accepted")

    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("requirement"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="campaign_submissions",
    )
    # What was recorded, exactly one: a campaign activity, or the organization's own
    # meeting or training (recorded once, counted in 三会一课 / study hours and here).
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_submissions",
    )
    training = models.ForeignKey(
        "training.Training",
        verbose_name=_("training"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_submissions",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    comment = models.TextField(_("comment"), blank=True, validators=[validate_no_markup])
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "organization"], name="campaigns_submission_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(activity__isnull=False, meeting__isnull=True, training__isnull=True)
                    | Q(activity__isnull=True, meeting__isnull=False, training__isnull=True)
                    | Q(activity__isnull=True, meeting__isnull=True, training__isnull=False)
                ),
                name="campaigns_submission_one_record",
            ),
        ]

    def __str__(self):
        return f"{self.requirement} · {self.organization}"

    @property
    def record(self):
        """The recorded activity, meeting or training this submission reports."""
        return self.activity or self.meeting or self.training

    @property
    def record_title(self) -> str:
        record = self.record
        return record.title if record is not None else ""

    @property
    def record_date(self):
        if self.activity_id:
            return self.activity.held_on
        if self.meeting_id:
            return timezone.localdate(self.meeting.starts_at)
        if self.training_id:
            return self.training.date
        return None


def presentation_upload_to(instance, filename):
    return f"activities/{instance.activity_id}/materials/{filename}"


class Presentation(IdentifyingTextMixin, TimeStampedModel):
    """One organization's or unit's presentation (交流发言) at an activity."""

    identifying_text = {"presenter": NAME, "topic": TITLE}

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="presentations",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("presenting organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="presentations",
    )
    unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("presenting unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="presentations",
    )
    presenter = models.CharField(
        _("presenter"), max_length=100, blank=True, validators=[validate_no_markup]
    )
    # The department or unit that recommended the presenting branch (办公厅等10个部门单位
    # 推荐的党支部): kept beside the branch, which is what presents.
    recommended_by_unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("recommended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommended_presentations",
    )
    topic = models.CharField(_("topic"), max_length=200, validators=[validate_no_markup])
    summary = models.TextField(_("summary"), blank=True, validators=[validate_no_markup])
    material = models.FileField(
        _("material"), upload_to=presentation_upload_to, max_length=200, blank=True
    )
    material_name = models.CharField(_("file name"), max_length=200, blank=True)
    exemplary = models.BooleanField(_("exemplary case"), default=False)
    exemplary_note = models.CharField(
        _("why it is exemplary"), max_length=300, blank=True, validators=[validate_no_markup]
    )
    source = models.ForeignKey(
        "self",
        verbose_name=_("exemplary case presented"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reuses",
        help_text=_("The exemplary case this agenda item was built from."),
    )

    class Meta:
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")
        ordering = ["activity", "order", "id"]

    def __str__(self):
        return self.topic

    def presenter_label(self) -> str:
        if self.organization_id:
            return str(self.organization)
        if self.unit_id:
            return str(self.unit)
        return self.presenter


def photo_upload_to(instance, filename):
    return f"activities/{instance.activity_id}/photos/{filename}"


class ActivityPhoto(TimeStampedModel):
    """A photo of an activity: re-encoded on upload, with a thumbnail."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=photo_upload_to, max_length=200)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_upload_to, max_length=200)
    caption = models.CharField(
        _("caption"), max_length=200, blank=True, validators=[validate_no_markup]
    )
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["activity", "id"]

    def __str__(self):
        return self.caption or self.image.name


class CampaignReminder(models.Model):
    """A reminder sent to one organization about one requirement; unique per kind,
    so the reminder job (and the ledger's "remind now" button) is idempotent."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("due soon")
        OVERDUE = "overdue", _("overdue")

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="reminders")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign reminder")
        verbose_name_plural = _("campaign reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "organization", "kind"], name="campaignreminder_once"
            )
        ]

    def __str__(self):
        return f"{self.requirement} · {self.organization} · {self.kind}"
