"""What this app stores: the edited news report draft of an activity.

A meeting keeps its edited draft on the meeting (``Meeting.news_draft``). Activities
belong to the campaigns app, so their draft lives here, one row per activity, with
its own version for the optimistic lock. A typed one-to-one key (not a generic
relation) keeps the database's integrity and cascade, and lets the draft be scoped
through ``activity__organization__path`` like the activity itself.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel


class ActivityNewsDraftQuerySet(models.QuerySet):
    def restrict(self, user, action):
        from dangjian.access.policy import scope_q

        return self.filter(scope_q(user, action, "activity__organization__path"))


class ActivityNewsDraft(TimeStampedModel):
    activity = models.OneToOneField(
        "campaigns.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="news_draft",
    )
    text = models.TextField(_("news report draft"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ActivityNewsDraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity news report draft")
        verbose_name_plural = _("activity news report drafts")

    def __str__(self):
        return str(self.activity)
