"""Personal-data protection: SM4-GCM encryption and HMAC-SM3 blind indexes.

Keys come from configuration (``DANGJIAN_DATA_KEY`` / ``DANGJIAN_INDEX_KEY`` /
``DANGJIAN_AUDIT_KEY`` or ``DANGJIAN_KEY_FILE``), never from the database. The
audit key MACs the audit chain, the record seals and the recovery codes (one derived key each);
``OLD_DATA_KEY`` / ``OLD_INDEX_KEY`` are read only while ``dangjian rotate_keys``
re-encrypts. A ciphertext is
``b"\\x01" + nonce(12) + ciphertext + tag(16)``; the leading version byte
leaves room for key rotation.
"""

from __future__ import annotations

import functools
import hmac as std_hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = b"\x01"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """A ciphertext was tampered with or was written under another key."""


@dataclass(frozen=True)
class Keys:
    data: bytes
    index: bytes
    audit: bytes = b""
    # Keys being replaced by ``dangjian rotate_keys``: still accepted for reading.
    old_data: bytes | None = None
    old_index: bytes | None = None


def _parse_hex(name: str, value: str, length: int | None) -> bytes:
    try:
        raw = bytes.fromhex(value.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be hexadecimal.") from exc
    if length is not None and len(raw) != length:
        raise ImproperlyConfigured(f"{name} must be {length} bytes ({length * 2} hex digits).")
    if length is None and len(raw) < 16:
        raise ImproperlyConfigured(f"{name} must be at least 16 bytes.")
    return raw


# Key-file line name → (setting, Keys field)
_KEY_FILE_NAMES = {
    "DATA_KEY": "DANGJIAN_DATA_KEY",
    "INDEX_KEY": "DANGJIAN_INDEX_KEY",
    "AUDIT_KEY": "DANGJIAN_AUDIT_KEY",
    "OLD_DATA_KEY": "DANGJIAN_OLD_DATA_KEY",
    "OLD_INDEX_KEY": "DANGJIAN_OLD_INDEX_KEY",
}


@functools.cache
def get_keys() -> Keys:
    values = {setting: getattr(settings, setting, None) for setting in _KEY_FILE_NAMES.values()}
    if settings.DANGJIAN_KEY_FILE:
        with open(settings.DANGJIAN_KEY_FILE, encoding="ascii") as fh:
            for line in fh:
                name, _, value = line.strip().partition("=")
                if name in _KEY_FILE_NAMES and value:
                    values[_KEY_FILE_NAMES[name]] = value
    data_hex = values["DANGJIAN_DATA_KEY"]
    index_hex = values["DANGJIAN_INDEX_KEY"]
    audit_hex = values["DANGJIAN_AUDIT_KEY"]
    if not data_hex or not index_hex:
        raise ImproperlyConfigured(
            "Personal data keys are missing: set DANGJIAN_DATA_KEY and DANGJIAN_INDEX_KEY "
            "or DANGJIAN_KEY_FILE (README.md, Configuration)."
        )
    if not audit_hex:
        raise ImproperlyConfigured(
            "The audit key is missing: set DANGJIAN_AUDIT_KEY or AUDIT_KEY in DANGJIAN_KEY_FILE "
            "(README.md, Configuration)."
        )
    old_data, old_index = values["DANGJIAN_OLD_DATA_KEY"], values["DANGJIAN_OLD_INDEX_KEY"]
    return Keys(
        data=_parse_hex("DANGJIAN_DATA_KEY", data_hex, 16),
        index=_parse_hex("DANGJIAN_INDEX_KEY", index_hex, None),
        audit=_parse_hex("DANGJIAN_AUDIT_KEY", audit_hex, None),
        old_data=_parse_hex("DANGJIAN_OLD_DATA_KEY", old_data, 16) if old_data else None,
        old_index=_parse_hex("DANGJIAN_OLD_INDEX_KEY", old_index, None) if old_index else None,
    )


def key_fingerprint(key: bytes) -> str:
    """A short public name of a key (SM3 of a label and the key), for logs and checkpoints."""
    return hmac_sm3(b"dangjian key fingerprint", key).hex()[:16]


def derived_key(purpose: str) -> bytes:
    """A key for one purpose derived from the audit key (audit chain, seals, recovery codes)."""
    return hmac_sm3(get_keys().audit, b"dangjian/" + purpose.encode("ascii"))


def encrypt(plaintext: str, *, key: bytes | None = None) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key or get_keys().data), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    return VERSION + nonce + body + encryptor.tag


def _decrypt_with(token: bytes, key: bytes) -> str:
    nonce = token[1 : 1 + NONCE_BYTES]
    body, tag = token[1 + NONCE_BYTES : -TAG_BYTES], token[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except Exception as exc:  # InvalidTag, UnicodeDecodeError
        raise DecryptionError("ciphertext failed authentication") from exc


def decrypt(token: bytes, *, key: bytes | None = None) -> str:
    """The clear text; under the current data key, else the old one while a rotation runs."""
    token = bytes(token)
    if len(token) < 1 + NONCE_BYTES + TAG_BYTES or token[:1] != VERSION:
        raise DecryptionError("unknown ciphertext format")
    if key is not None:
        return _decrypt_with(token, key)
    keys = get_keys()
    try:
        return _decrypt_with(token, keys.data)
    except DecryptionError:
        if keys.old_data is None:
            raise
        return _decrypt_with(token, keys.old_data)


def blind_index(value: str, *, purpose: str, key: bytes | None = None) -> str:
    """HMAC-SM3 of a normalized value, for exact lookup without decrypting."""
    mac = crypto_hmac.HMAC(key or get_keys().index, hashes.SM3())
    mac.update(purpose.encode("ascii") + b"\x00" + value.encode("utf-8"))
    return mac.finalize().hex()


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize()


def constant_time_equals(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())
