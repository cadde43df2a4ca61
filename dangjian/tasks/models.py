"""Implementation tasks (贯彻落实举措 / 督办事项) and their progress.

A task is issued by an organization (``organization``: usually the leading
group or committee whose meeting decided it) and led by a unit and/or an
organization. It is visible to whoever may see tasks of the issuing
organization's subtree or of the lead organization's subtree. The origin is
a meeting's agenda item today; campaigns and rectification will add their own
origin fields to the same model.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel
from dangjian.core.text import TITLE, IdentifyingTextMixin
from dangjian.core.validators import validate_no_markup


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    CLOSURE_REQUESTED = "closure_requested", _("closure requested")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.CLOSURE_REQUESTED)


class TaskPriority(models.TextChoices):
    HIGH = "high", _("high")
    NORMAL = "normal", _("normal")
    LOW = "low", _("low")


class TaskQuerySet(models.QuerySet):
    def restrict(self, user, action):
        from dangjian.access.policy import NOTHING, paths_for

        paths = paths_for(user, action)
        if paths is None:
            return self
        q = NOTHING
        for path in paths:
            q |= models.Q(organization__path__startswith=path)
            q |= models.Q(lead_organization__path__startswith=path)
        return self.filter(q)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(deadline__lt=today or timezone.localdate())


class Task(IdentifyingTextMixin, TimeStampedModel):
    identifying_text = {"title": TITLE}
    title = models.CharField(_("title"), max_length=300, validators=[validate_no_markup])
    details = models.TextField(_("details"), blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="issued_tasks",
    )
    origin_meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("origin meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    origin_agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("origin agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    # The measure the task carries out (which topic produced which requirement).
    origin_measure = models.ForeignKey(
        "meetings.Measure",
        verbose_name=_("origin measure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    lead_unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    lead_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("lead organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    cooperating_units = models.ManyToManyField(
        "organizations.Unit",
        verbose_name=_("co-operating units"),
        blank=True,
        related_name="cooperating_tasks",
    )
    responsible = models.ForeignKey(
        "people.Member",
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_tasks",
    )
    deadline = models.DateField(_("deadline"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    # Own latest reported percent, or for a parent the weighted roll-up of its children.
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["lead_unit", "status"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tasks:task_detail", args=[self.pk])

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status in OPEN_STATUSES and self.deadline < (today or timezone.localdate())


def progress_upload_to(instance, filename):
    return f"tasks/{instance.report.task_id}/{filename}"


class ProgressReport(models.Model):
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="reports"
    )
    reported_on = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent complete"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_on", "-id"]

    def __str__(self):
        return f"{self.task} {self.reported_on} {self.percent}%"


class ProgressAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=progress_upload_to, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


class TaskEvent(models.Model):
    """A step of the lifecycle: who moved the task where, when and why."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        STARTED = "started", _("started")
        CLOSURE_REQUESTED = "closure_requested", _("closure requested")
        CLOSED = "closed", _("closure approved")
        RETURNED = "returned", _("returned")
        REOPENED = "reopened", _("reopened")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    occurred_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"{self.task} {self.get_kind_display()}"


class TaskReminder(models.Model):
    """A reminder sent for a task; unique per task and event, so the job is idempotent."""

    class Event(models.TextChoices):
        DUE_SOON = "due_soon", _("deadline approaching")
        OVERDUE = "overdue", _("overdue")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    event = models.CharField(max_length=20, choices=Event.choices)
    # The deadline the reminder was about: a moved deadline earns new reminders.
    deadline = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "event", "deadline"], name="taskreminder_once")
        ]

    def __str__(self):
        return f"{self.task_id} {self.event} {self.deadline}"
