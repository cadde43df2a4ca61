"""The topic library (议题库): speeches, instructions and documents to be studied.

Topics are public texts, so the library is visible to everyone who works
with meetings; *who studied what* is derived from meetings' agenda items and
scoped like the meetings themselves (``study.selectors``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel
from dangjian.core.text import NAME, TITLE, IdentifyingTextMixin
from dangjian.core.validators import validate_no_markup


class TopicKind(models.TextChoices):
    SPEECH = "speech", _("important speech")
    INSTRUCTION = "instruction", _("instruction")
    CONFERENCE = "conference", _("conference spirit")
    DOCUMENT = "document", _("document")
    OTHER = "other", _("other")


class TopicQuerySet(models.QuerySet):
    def restrict(self, user, action):
        """Reading: anyone who may see meetings anywhere. Managing: the owner's subtree."""
        from dangjian.access import policy
        from dangjian.access.roles import Action

        if action == Action.TOPIC_MANAGE:
            return self.filter(policy.scope_q(user, action, "organization__path"))
        return self if policy.has_action(user, action) else self.none()


class Topic(IdentifyingTextMixin, TimeStampedModel):
    identifying_text = {"title": TITLE, "speaker": NAME}
    kind = models.CharField(_("kind"), max_length=20, choices=TopicKind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[validate_no_markup])
    speaker = models.CharField(
        _("given by"), max_length=100, blank=True, validators=[validate_no_markup]
    )
    given_on = models.DateField(_("given on"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    text = models.TextField(_("full text"), blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # Normalized title + text (full-width folded, whitespace removed), which
    # substring search scans; see docs/architecture.md "Chinese search".
    search_text = models.TextField(editable=False, blank=True)
    # Space-separated segmented words of title + text, for keyword search.
    search_words = models.TextField(editable=False, blank=True)
    # The tags folded and joined as "|tag|tag|", so filtering by one tag is a
    # plain LIKE on both databases (JSON containment is PostgreSQL-only).
    tag_index = models.TextField(editable=False, blank=True)
    # The owning organization: changes, deletion and attachments need
    # topic.manage on its subtree (reading stays open to the whole platform).
    # Empty only for topics of an installation without organizations, which
    # then nobody may change (the policy finds no path).
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("owning organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_topics",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("study topic")
        verbose_name_plural = _("study topics")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["given_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("study:topic_detail", args=[self.pk])


def topic_upload_to(instance, filename):
    return f"topics/{instance.topic_id}/{filename}"


class TopicAttachment(TimeStampedModel):
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=topic_upload_to, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self):
        return self.name
