"""Infrastructure models: no domain here, only what every app leans on."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditImmutable(Exception):
    """An audit record was about to be changed or deleted through the application."""


class AuditEventQuerySet(models.QuerySet):
    """Audit rows are appended, never changed or deleted here (archiving uses the base manager)."""

    def update(self, **kwargs):
        raise AuditImmutable("audit records cannot be changed")

    def delete(self):
        raise AuditImmutable("audit records cannot be deleted; they are archived")

    def bulk_create(self, *args, **kwargs):
        raise AuditImmutable("audit records are appended one by one to the chain")

    def bulk_update(self, *args, **kwargs):
        raise AuditImmutable("audit records cannot be changed")


class AuditEvent(models.Model):
    """One recorded action: who did what to which object, and which fields changed.

    Values of sensitive fields are never written here, only the fact that
    they changed or were revealed.

    The log is a hash chain: ``seq`` numbers the records without gaps and
    ``mac`` is an HMAC-SM3 over the record's content and the previous
    record's ``mac`` (``core.audit``). Rows are only ever inserted: ``save()``
    of an existing row, ``delete()`` and queryset updates/deletes raise.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        REVEAL = "reveal", _("reveal personal data")
        EXPORT = "export", _("export")
        IMPORT = "import", _("import")
        GRANT = "grant", _("grant role")
        REVOKE = "revoke", _("revoke role")
        LOGIN = "login", _("log in")
        LOGIN_FAILED = "login_failed", _("failed log-in")
        LOGOUT = "logout", _("log out")
        THROTTLED = "throttled", _("rate limit exceeded")

    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    seq = models.PositiveBigIntegerField(_("record number"), unique=True, null=True, editable=False)
    mac = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding or self.seq is not None:
            raise AuditImmutable("audit records cannot be changed")
        from . import audit  # the chain logic lives with the writer

        audit.chain_append(self, lambda: super(AuditEvent, self).save(*args, **kwargs))

    def delete(self, *args, **kwargs):
        raise AuditImmutable("audit records cannot be deleted; they are archived")


class AuditChainHead(models.Model):
    """The single row that serializes appends to the audit chain (locked while appending).

    ``seq``/``mac`` name the newest record; ``archived_seq``/``archived_mac``
    the newest record moved to the archive (the anchor the live log starts from).
    """

    seq = models.PositiveBigIntegerField(default=0)
    mac = models.CharField(max_length=64, blank=True)
    archived_seq = models.PositiveBigIntegerField(default=0)
    archived_mac = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self):
        return f"#{self.seq}"


class AuditArchiveEvent(models.Model):
    """An audit record older than the retention period, moved here unchanged (never deleted)."""

    seq = models.PositiveBigIntegerField(_("record number"), unique=True)
    mac = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor_ref = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditEvent.Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    archived_at = models.DateTimeField(_("archived at"), default=timezone.now)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("archived audit event")
        verbose_name_plural = _("archived audit events")
        ordering = ["seq"]
        # "Who looked at my data" (privacy) reads the archive by object on every view.
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutable("archived audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("archived audit records cannot be deleted")


class AuditVerification(models.Model):
    """One run of the chain verification (command, page button or job), with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        OK = "ok", _("intact")
        BROKEN = "broken", _("broken")
        FAILED = "failed", _("failed")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveBigIntegerField(default=0)
    checked = models.PositiveBigIntegerField(default=0)
    verified_through = models.PositiveBigIntegerField(default=0)
    broken_seq = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("audit chain verification")
        verbose_name_plural = _("audit chain verifications")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.requested_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, int(self.checked * 100 / self.total))


class RecordSeal(models.Model):
    """HMAC-SM3 over the important fields of one record (member, meeting, assessment).

    Kept beside, not in, the sealed models; updated by their save signals and
    by every audited change (``core.integrity``). A change made outside the
    application leaves the seal stale: ``dangjian integrity check`` and the
    record's page report it.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)
    fields_version = models.CharField(max_length=40)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("record seal")
        verbose_name_plural = _("record seals")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="core_one_seal")
        ]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id}"


class SigningKey(models.Model):
    """A user's registered SM2 public key (the private key stays in a key file, never here)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="signing_keys",
    )
    public_key = models.CharField(_("public key"), max_length=130)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.fingerprint[:16]


class Signature(models.Model):
    """An SM2 signature by the acting user over the state an important operation produced."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    operation = models.CharField(_("operation"), max_length=40)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signer_name = models.CharField(_("signed by"), max_length=150)
    payload = models.TextField()
    payload_digest = models.CharField(max_length=64)
    signature = models.CharField(max_length=200)
    public_key_fingerprint = models.CharField(max_length=64)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.operation} {self.signer_name}"


class KeyRotation(models.Model):
    """Checkpoint of ``dangjian rotate_keys``: which row was re-encrypted last, per new key."""

    data_key = models.CharField(max_length=32)
    index_key = models.CharField(max_length=32)
    last_pk = models.BigIntegerField(default=0)
    rows = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["data_key", "index_key"], name="core_one_rotation")
        ]

    def __str__(self):
        return f"{self.data_key}/{self.index_key} @{self.last_pk}"


class Notification(models.Model):
    """An in-app message to one user (reminders, returned tasks …)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title


class WorkerHeartbeat(models.Model):
    """The last sign of life of each job worker (``dangjian worker``), by its worker id.

    django_tasks_db keeps no heartbeat of its own; without one nobody notices a worker that
    died and left jobs waiting. ``/healthz`` and the offices' pages read the newest row.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("job worker heartbeat")

    def __str__(self):
        return self.worker_id
