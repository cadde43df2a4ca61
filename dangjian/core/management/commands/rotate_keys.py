"""``dangjian rotate_keys``: re-encrypt personal data under a new SM4 data key and
recompute the blind indexes under a new index key.

Procedure (README.md, "Key rotation"; docs/security.md):

1. Back up the database. Announce a maintenance window: until the run ends,
   look-ups by ID number or phone miss the rows not yet re-indexed.
2. Configure the new keys as ``DATA_KEY`` / ``INDEX_KEY`` and the previous ones
   as ``OLD_DATA_KEY`` / ``OLD_INDEX_KEY`` (environment or key file); restart.
   Reading works throughout: decryption tries the new key, then the old one.
3. Run ``dangjian rotate_keys``. Each batch of members is re-encrypted,
   re-indexed and re-sealed in one transaction, and the checkpoint
   (``core.KeyRotation``, named by the new keys' fingerprints) moves in the
   same transaction: an interrupted run is resumed by running it again. Then the
   two-factor device secrets (``SECRETS``) are re-encrypted, one transaction per model.
4. When it reports "done", remove ``OLD_DATA_KEY`` / ``OLD_INDEX_KEY`` and
   destroy the old keys; ``dangjian rotate_keys --check`` proves every value
   decrypts with the new key alone.

The audit key (chain and seals) is not rotated by this command: re-MACing the
audit chain would erase its evidence. A new audit key starts a new installation
chain (archive the old one first) — docs/security.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit, crypto, integrity
from dangjian.core.models import AuditEvent, KeyRotation

# model label → (cipher field, index field, blind-index purpose)
ENCRYPTED = {
    "people.member": (
        ("id_number_cipher", "id_number_index", "id_number"),
        ("phone_cipher", "phone_index", "phone"),
    ),
}
# model label → a field encrypted with the data key and not indexed: the two-factor
# secrets. Few rows (one device per user), re-encrypted in one transaction per model
# after the members; re-encrypting twice is harmless, so no checkpoint is needed.
SECRETS = {
    "twofactor.encryptedtotpdevice": "key_cipher",
    "twofactor.sm3device": "key_cipher",
}


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


class Command(BaseCommand):
    help = "Re-encrypt personal data with the new data key and recompute blind indexes."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction")
        parser.add_argument(
            "--max-batches",
            type=int,
            default=None,
            help="stop after this many batches (resume later)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check that every value decrypts with the new data key alone",
        )

    def handle(self, *args, batch, max_batches, check, **options):
        crypto.get_keys.cache_clear()
        keys = crypto.get_keys()
        if check:
            return self.check_new_key(keys)
        if keys.old_data is None and keys.old_index is None:
            raise CommandError(
                "Nothing to rotate: configure the new keys as DATA_KEY/INDEX_KEY and the previous "
                "ones as OLD_DATA_KEY/OLD_INDEX_KEY."
            )
        run, created = KeyRotation.objects.get_or_create(
            data_key=crypto.key_fingerprint(keys.data),
            index_key=crypto.key_fingerprint(keys.index),
        )
        if run.finished_at:
            self.stdout.write(f"done already ({run.rows} rows, {run.finished_at:%Y-%m-%d %H:%M})")
            return
        if created or run.last_pk == 0:
            audit.record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                object_type="core.keyrotation",
                object_repr=f"key rotation {run.data_key}/{run.index_key}",
                note="rotate_keys start",
            )
        batches = 0
        for label, fields in ENCRYPTED.items():
            model = _model(label)
            while max_batches is None or batches < max_batches:
                done = self.rotate_batch(run.pk, model, fields, keys, batch)
                batches += 1
                if done == 0:
                    break
                self.stdout.write(f"{label}: {done} rows re-encrypted")
            else:
                run.refresh_from_db()
                self.stdout.write(f"stopped after {batches} batches at id {run.last_pk}; run again")
                return
        for label, field in SECRETS.items():
            done = self.rotate_secrets(_model(label), field, keys)
            self.stdout.write(f"{label}: {done} secrets re-encrypted")
        with transaction.atomic():
            KeyRotation.objects.filter(pk=run.pk).update(finished_at=timezone.now())
            run.refresh_from_db()
            audit.record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                object_type="core.keyrotation",
                object_repr=f"key rotation {run.data_key}/{run.index_key}",
                changes={"rows": [None, run.rows]},
                note="rotate_keys done",
            )
        self.stdout.write(f"done: {run.rows} rows under the new keys")

    @staticmethod
    @transaction.atomic
    def rotate_batch(run_id, model, fields, keys, size) -> int:
        run = KeyRotation.objects.select_for_update().get(pk=run_id)
        rows = list(
            model._base_manager.select_for_update(of=("self",))
            .filter(pk__gt=run.last_pk)
            .order_by("pk")
            .only("pk", *[f for triple in fields for f in triple[:2]])[:size]
        )
        for obj in rows:
            values = {}
            for cipher_field, index_field, purpose in fields:
                cipher = getattr(obj, cipher_field)
                if not cipher:
                    continue
                clear = crypto.decrypt(cipher)  # the new key, else the old one
                values[cipher_field] = crypto.encrypt(clear, key=keys.data)
                values[index_field] = crypto.blind_index(clear, purpose=purpose, key=keys.index)
            if values:
                model._base_manager.filter(pk=obj.pk).update(**values)
                if model._meta.label_lower in integrity.SPECS:
                    integrity.seal(obj)
        if rows:
            KeyRotation.objects.filter(pk=run_id).update(
                last_pk=rows[-1].pk, rows=run.rows + len(rows)
            )
        return len(rows)

    @staticmethod
    @transaction.atomic
    def rotate_secrets(model, field, keys) -> int:
        rows = model._base_manager.select_for_update().values_list("pk", field)
        for pk, cipher in rows:
            clear = crypto.decrypt(cipher)  # the new key, else the old one
            model._base_manager.filter(pk=pk).update(
                **{field: crypto.encrypt(clear, key=keys.data)}
            )
        return len(rows)

    def check_new_key(self, keys) -> None:
        bad = 0
        total = 0
        for label, fields in ENCRYPTED.items():
            model = _model(label)
            for cipher_field, _index_field, _purpose in fields:
                qs = model._base_manager.exclude(**{f"{cipher_field}__isnull": True})
                for pk, cipher in qs.values_list("pk", cipher_field).iterator():
                    total += 1
                    try:
                        crypto.decrypt(cipher, key=keys.data)
                    except crypto.DecryptionError:
                        bad += 1
                        self.stderr.write(f"{label} {pk}: {cipher_field} not under the new key")
        for label, field in SECRETS.items():
            for pk, cipher in _model(label)._base_manager.values_list("pk", field).iterator():
                total += 1
                try:
                    crypto.decrypt(cipher, key=keys.data)
                except crypto.DecryptionError:
                    bad += 1
                    self.stderr.write(f"{label} {pk}: {field} not under the new key")
        if bad:
            raise CommandError(
                f"{bad} of {total} values are not under the new data key", returncode=1
            )
        self.stdout.write(f"all {total} encrypted values decrypt with the new data key")
