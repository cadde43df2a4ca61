"""Party members, the posts they hold and their transfers between organizations.

ID number and phone are personal data: stored SM4-encrypted, found through an
HMAC-SM3 blind index, shown masked (the masked form is stored so lists never
decrypt). Only :func:`dangjian.people.services.member_reveal` decrypts, and
it writes an audit row each time.
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import TimeStampedModel
from dangjian.core.text import NAME, TITLE, IdentifyingTextMixin
from dangjian.core.validators import validate_no_markup


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class MemberStatus(models.TextChoices):
    FULL = "full", _("full member")
    PROBATIONARY = "probationary", _("probationary member")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("doctorate")
    MASTER = "master", _("master's degree")
    BACHELOR = "bachelor", _("bachelor's degree")
    COLLEGE = "college", _("junior college")
    SECONDARY = "secondary", _("secondary school")
    OTHER = "other", _("other")


class PostTitle(models.TextChoices):
    SECRETARY = "secretary", _("secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("committee member")
    ORGANIZATION_MEMBER = "organization_member", _("organization committee member")
    PROPAGANDA_MEMBER = "propaganda_member", _("propaganda committee member")
    DISCIPLINE_MEMBER = "discipline_member", _("discipline inspection committee member")
    GROUP_LEADER = "group_leader", _("party group leader")
    LEADING_GROUP_SECRETARY = "leading_group_secretary", _("leading party group secretary")
    LEADING_GROUP_DEPUTY = "leading_group_deputy", _("leading party group deputy secretary")
    LEADING_GROUP_MEMBER = "leading_group_member", _("leading party group member")


SENSITIVE_FIELDS = ("id_number", "phone")


class MemberQuerySet(models.QuerySet):
    def restrict(self, user, action):
        from dangjian.access.policy import scope_q

        return self.filter(scope_q(user, action, "organization__path", self_field="pk"))

    def current(self):
        return self.filter(left_at__isnull=True)

    def in_subtree(self, organization):
        return self.filter(organization__path__startswith=organization.path)

    def with_id_number(self, id_number: str):
        return self.filter(id_number_index=crypto.blind_index(id_number, purpose="id_number"))


class Member(IdentifyingTextMixin, TimeStampedModel):
    identifying_text = {"name": NAME, "admin_title": TITLE}
    name = models.CharField(_("full name"), max_length=50, validators=[validate_no_markup])
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(
        _("ethnicity"), max_length=20, blank=True, validators=[validate_no_markup]
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    id_number_cipher = models.BinaryField(null=True, editable=False)
    id_number_index = models.CharField(max_length=64, null=True, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    phone_cipher = models.BinaryField(null=True, editable=False)
    phone_index = models.CharField(max_length=64, null=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    joined_party_on = models.DateField(_("party join date"), null=True, blank=True)
    full_member_on = models.DateField(_("full membership date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("party organization"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    admin_title = models.CharField(
        _("administrative title"), max_length=100, blank=True, validators=[validate_no_markup]
    )
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["organization__path", "name", "id"]
        indexes = [models.Index(fields=["organization", "name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:member_detail", args=[self.pk])

    def set_id_number(self, value: str | None) -> None:
        """Store ``value`` (already validated and normalized) encrypted."""
        if value:
            self.id_number_cipher = crypto.encrypt(value)
            self.id_number_index = crypto.blind_index(value, purpose="id_number")
            self.id_number_masked = mask_id_number(value)
        else:
            self.id_number_cipher = None
            self.id_number_index = None
            self.id_number_masked = ""

    def set_phone(self, value: str | None) -> None:
        if value:
            self.phone_cipher = crypto.encrypt(value)
            self.phone_index = crypto.blind_index(value, purpose="phone")
            self.phone_masked = mask_phone(value)
        else:
            self.phone_cipher = None
            self.phone_index = None
            self.phone_masked = ""

    def decrypted(self, field: str) -> str:
        """The clear value; callers outside people.services must not use this."""
        if field not in SENSITIVE_FIELDS:
            raise ValueError(field)
        cipher = getattr(self, f"{field}_cipher")
        return crypto.decrypt(cipher) if cipher else ""


class PostAssignment(TimeStampedModel):
    """A party post (书记, 委员, 党组成员 …) held in an organization, which may
    differ from the member's own organization."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="posts"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    title = models.CharField(_("post"), max_length=30, choices=PostTitle.choices)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["organization__path", "title", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "organization", "title"],
                condition=models.Q(ended_on__isnull=True),
                name="post_unique_current",
            )
        ]

    def __str__(self):
        return f"{self.organization} {self.get_title_display()} {self.member}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class MemberTransfer(models.Model):
    """A member's move from one organization to another (the history is kept)."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("from organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("to organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    transferred_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "access.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-transferred_on", "-id"]

    def __str__(self):
        return f"{self.member}: {self.from_organization} → {self.to_organization}"


class RosterPrivateStorage(FileSystemStorage):
    """Uploaded rosters hold personal data in clear: kept under MEDIA_ROOT but
    never given a URL (nothing serves them; only the import code opens them)."""

    def url(self, name):
        raise ValueError("Roster files are private and have no URL.")


def roster_storage():
    return RosterPrivateStorage()


class RosterImport(TimeStampedModel):
    """One uploaded roster (党员名册) and what became of it.

    ``errors`` holds [{row, column, message}]; messages never repeat an ID
    number or phone. The uploaded file is deleted once the import reaches a
    final state, so the clear personal data it holds does not linger on disk
    (``file`` is then empty); ``roster_cleanup`` deletes the files of imports
    abandoned for longer than DANGJIAN_ROSTER_FILE_MAX_AGE_HOURS.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be checked")
        VALIDATING = "validating", _("checking")
        VALIDATED = "validated", _("checked, ready to import")
        INVALID = "invalid", _("has errors")
        COMMITTING = "committing", _("importing")
        COMMITTED = "committed", _("imported")
        FAILED = "failed", _("import failed")
        # Not imported within DANGJIAN_ROSTER_FILE_MAX_AGE_HOURS: the file is deleted.
        EXPIRED = "expired", _("expired, not imported")

    uploaded_by = models.ForeignKey(
        "access.User",
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="roster_imports",
    )
    file = models.FileField(
        _("file"), upload_to="rosters/%Y/%m/", storage=roster_storage, max_length=200, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    language = models.CharField(max_length=10, blank=True, editable=False)
    # The uploader's MEMBER_IMPORT scope when the roster was checked:
    # {"all": true} or {"paths": [...], "names": [...]}.
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    background = models.BooleanField(_("processed in the background"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    created_count = models.PositiveIntegerField(_("members created"), default=0)
    validated_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The process holding (or that last held) the commit lease, host:pid:token; for
    # operators only — whether it lives is told by the lease (people/commit_lease.py).
    commit_owner = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.original_name or self.pk} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("people:roster_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (
            self.Status.PENDING,
            self.Status.VALIDATING,
            self.Status.COMMITTING,
        )

    @property
    def can_commit(self) -> bool:
        return self.status == self.Status.VALIDATED and self.error_count == 0

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
