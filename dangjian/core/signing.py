"""SM2 signatures of important operations by the acting user (GB/T 32918, via gmssl).

Closing a task, naming a four-strong branch and accepting a ledger submission
are signed by the user who does it **where that user has a key**: the private
key is a file ``<DANGJIAN_SM2_KEY_DIR>/<username>.key`` (64 hex digits; never in
the database or the repository), the public key is registered in
``core.SigningKey`` (``dangjian sm2key generate|register``). Without a key
directory, a key file or a registered public key the operation is simply
unsigned.

What is signed: a canonical JSON payload naming the operation, the record and
the values of the fields the operation set (and who signed when). Its SM3
digest is signed with SM2: e = SM3(Z ‖ M) with Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖
yG ‖ xA ‖ yA) (GB/T 32918.2-2016, 6.1), the default user ID of GM/T 0009
(``1234567812345678``) and the recommended curve of GB/T 32918.5. Z and e are
computed here (:func:`sign_message`), gmssl only does the curve arithmetic, so
the whole path is checked against the worked example of GB/T 32918.2 /
GM/T 0003.2 (its own ID and example curve) in ``tests/security/test_sm_vectors.py``.

Displaying a signature recomputes the payload from the record as it is now,
compares the digest and verifies the signature with the registered public key:
*verified*, *changed since signing* (the signature is good but the record no
longer has the signed values), or *invalid*.

gmssl's own random nonce uses :mod:`random`; the nonce here comes from
:mod:`secrets` (a predictable SM2 nonce would reveal the private key).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from gmssl import sm2

from .integrity import _plain
from .models import Signature, SigningKey

logger = logging.getLogger(__name__)

_N = int(sm2.default_ecc_table["n"], 16)
# GM/T 0009-2012: the user ID when none is agreed (ENTL = 128 bits).
DEFAULT_USER_ID = b"1234567812345678"
_USERNAME_RE = re.compile(r"^[\w.@+-]+$")

# operation → (model label, fields whose values the operation produced)
OPERATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "task.close": ("tasks.task", ("title", "organization", "status", "closed_at")),
    "fourstrong.name": ("fourstrong.assessment", ("cycle", "branch", "status", "total")),
    "submission.accept": (
        "campaigns.submission",
        ("requirement", "organization", "activity", "status", "reviewer", "reviewed_at"),
    ),
}


# --- keys --------------------------------------------------------------------------------------


def _crypt(private_key: str = "", public_key: str = "", curve=None) -> sm2.CryptSM2:
    c = sm2.CryptSM2(
        private_key=private_key, public_key="", ecc_table=curve or sm2.default_ecc_table
    )
    c.public_key = public_key  # gmssl's lstrip("04") would damage keys starting with 0/4
    return c


def public_from_private(private_key: str, *, curve=None) -> str:
    """The public key (x ‖ y, 128 hex digits, without the 04 prefix) of a private key."""
    curve = curve or sm2.default_ecc_table
    d = int(private_key, 16)
    if not 0 < d < int(curve["n"], 16) - 1:
        raise ValueError("not an SM2 private key")
    c = _crypt(private_key, curve=curve)
    return c._kg(d, curve["g"])


def generate_keypair() -> tuple[str, str]:
    d = secrets.randbelow(_N - 2) + 1
    private_key = f"{d:064x}"
    return private_key, public_from_private(private_key)


def fingerprint(public_key: str) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(bytes.fromhex("04" + public_key))
    return digest.finalize().hex()


def _normalize_public(public_key: str) -> str:
    key = public_key.strip().lower()
    if len(key) == 130 and key.startswith("04"):
        key = key[2:]
    if not re.fullmatch(r"[0-9a-f]{128}", key):
        raise ValueError("an SM2 public key is 128 hex digits (x ‖ y), optionally after 04")
    return key


def register_public_key(user, public_key: str) -> SigningKey:
    """Register ``user``'s public key; earlier keys stay for verifying old signatures."""
    key = _normalize_public(public_key)
    SigningKey.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return SigningKey.objects.create(user=user, public_key=key, fingerprint=fingerprint(key))


def key_path(username: str) -> Path | None:
    directory = getattr(settings, "DANGJIAN_SM2_KEY_DIR", None)
    if not directory or not _USERNAME_RE.match(username):
        return None
    return Path(directory) / f"{username}.key"


def write_private_key(username: str, private_key: str) -> Path:
    path = key_path(username)
    if path is None:
        raise ValueError("DANGJIAN_SM2_KEY_DIR is not set")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=False)
    path.write_text(private_key + "\n", encoding="ascii")
    return path


def _private_key(username: str) -> str | None:
    path = key_path(username)
    if path is None or not path.is_file():
        return None
    value = path.read_text(encoding="ascii").strip()
    return value if re.fullmatch(r"[0-9a-fA-F]{64}", value) else None


# --- signing and verifying ---------------------------------------------------------------------


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def z_value(public_key: str, *, user_id: bytes = DEFAULT_USER_ID, curve=None) -> bytes:
    """Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2-2016, 5.5)."""
    curve = curve or sm2.default_ecc_table
    if len(user_id) * 8 > 0xFFFF:
        raise ValueError("the user ID is limited to 65535 bits")
    entl = (len(user_id) * 8).to_bytes(2, "big")
    points = curve["a"] + curve["b"] + curve["g"] + public_key
    return bytes.fromhex(sm3_hex(entl + user_id + bytes.fromhex(points)))


def message_hash(
    public_key: str, message: bytes, *, user_id: bytes = DEFAULT_USER_ID, curve=None
) -> bytes:
    """e = SM3(Z_A ‖ M), the value the signature is computed on (GB/T 32918.2-2016, 6.1)."""
    z = z_value(public_key, user_id=user_id, curve=curve)
    return bytes.fromhex(sm3_hex(z + message))


def sign_message(
    private_key: str,
    public_key: str,
    message: bytes,
    *,
    user_id: bytes = DEFAULT_USER_ID,
    curve=None,
    k: str | None = None,
) -> str | None:
    """The SM2 signature r ‖ s (128 hex digits) of ``message``.

    ``k`` is the per-signature random number; it is given only by the tests of the
    standard's example (a fixed or predictable k reveals the private key). With ``k``
    given, None when that k is unusable (r = 0, r + k = n or s = 0).
    """
    curve = curve or sm2.default_ecc_table
    n = int(curve["n"], 16)
    e = message_hash(public_key, message, user_id=user_id, curve=curve)
    c = _crypt(private_key, public_key, curve)
    if k is not None:
        return c.sign(e, k)
    while True:
        signature = c.sign(e, f"{secrets.randbelow(n - 1) + 1:064x}")
        if signature:
            return signature


def verify_message(
    public_key: str,
    message: bytes,
    signature: str,
    *,
    user_id: bytes = DEFAULT_USER_ID,
    curve=None,
) -> bool:
    curve = curve or sm2.default_ecc_table
    n = int(curve["n"], 16)
    if not re.fullmatch(r"[0-9a-f]{128}", signature or ""):
        return False
    r, s = int(signature[:64], 16), int(signature[64:], 16)
    if not (0 < r < n and 0 < s < n):
        return False
    try:
        e = message_hash(public_key, message, user_id=user_id, curve=curve)
        return bool(_crypt("", public_key, curve).verify(signature, e))
    except (ValueError, ZeroDivisionError, IndexError, TypeError):
        return False


def sign_digest(private_key: str, public_key: str, digest_hex: str) -> str:
    """SM2 signature of the SM3 digest of a payload (the digest is the message M)."""
    return sign_message(private_key, public_key, bytes.fromhex(digest_hex))


def verify_digest(public_key: str, digest_hex: str, signature: str) -> bool:
    return verify_message(public_key, bytes.fromhex(digest_hex), signature)


def payload(operation: str, obj: models.Model, signer_name: str, signed_at) -> str:
    label, fields = OPERATIONS[operation]
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = _plain(field, getattr(obj, field.attname))
    content = {
        "operation": operation,
        "model": label,
        "pk": str(obj.pk),
        "values": values,
        "signer": signer_name,
        "signed_at": _plain(Signature._meta.get_field("signed_at"), signed_at),
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sign_operation(actor, obj: models.Model, operation: str) -> Signature | None:
    """Sign ``operation`` just done on ``obj`` by ``actor`` if the actor has a key; else None.

    Called by the services right after the state change, in their transaction.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if operation not in OPERATIONS or obj._meta.label_lower != OPERATIONS[operation][0]:
        raise ValueError(f"unknown operation {operation} for {obj._meta.label_lower}")
    username = actor.get_username()
    private_key = _private_key(username)
    if private_key is None:
        return None
    key = SigningKey.objects.filter(user=actor, revoked_at__isnull=True).first()
    if key is None:
        return None
    try:
        derived = public_from_private(private_key)
    except ValueError:
        derived = ""
    if derived != key.public_key:
        logger.warning("SM2 key file of user %s does not match the registered key", actor.pk)
        return None
    stored = obj._meta.model._base_manager.get(pk=obj.pk)  # the values as written
    signed_at = timezone.now()
    text = payload(operation, stored, username, signed_at)
    digest = sm3_hex(text.encode())
    return Signature.objects.create(
        content_type=ContentType.objects.get_for_model(obj._meta.model),
        object_id=str(obj.pk),
        operation=operation,
        signer=actor,
        signer_name=username,
        payload=text,
        payload_digest=digest,
        signature=sign_digest(private_key, key.public_key, digest),
        public_key_fingerprint=key.fingerprint,
        signed_at=signed_at,
    )


VERIFIED, CHANGED, INVALID = "verified", "changed", "invalid"


@dataclass(frozen=True)
class Checked:
    signature: Signature
    status: str  # verified / changed / invalid


def check(signature: Signature, obj: models.Model | None = None) -> str:
    """verified / changed (good signature, record no longer as signed) / invalid."""
    key = SigningKey.objects.filter(fingerprint=signature.public_key_fingerprint).first()
    if key is None or not verify_digest(
        key.public_key, signature.payload_digest, signature.signature
    ):
        return INVALID
    if sm3_hex(signature.payload.encode()) != signature.payload_digest:
        return INVALID
    if obj is None:
        model = signature.content_type.model_class()
        obj = model._base_manager.filter(pk=signature.object_id).first() if model else None
    if obj is None:
        return CHANGED
    current = payload(signature.operation, obj, signature.signer_name, signature.signed_at)
    return VERIFIED if sm3_hex(current.encode()) == signature.payload_digest else CHANGED


def signatures_for(obj: models.Model) -> list[Checked]:
    if obj is None or obj.pk is None:
        return []
    ct = ContentType.objects.get_for_model(obj._meta.model)
    stored = obj._meta.model._base_manager.filter(pk=obj.pk).first()
    return [
        Checked(s, check(s, stored))
        for s in Signature.objects.filter(content_type=ct, object_id=str(obj.pk)).order_by(
            "signed_at", "id"
        )
    ]
