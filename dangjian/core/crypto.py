"""Personal-data protection: SM4-GCM encryption and HMAC-SM3 blind indexes.

Keys come from configuration (``DANGJIAN_DATA_KEY`` / ``DANGJIAN_INDEX_KEY``
or ``DANGJIAN_KEY_FILE``), never from the database. A ciphertext is
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


@functools.cache
def get_keys() -> Keys:
    data_hex = settings.DANGJIAN_DATA_KEY
    index_hex = settings.DANGJIAN_INDEX_KEY
    if settings.DANGJIAN_KEY_FILE:
        with open(settings.DANGJIAN_KEY_FILE, encoding="ascii") as fh:
            for line in fh:
                name, _, value = line.strip().partition("=")
                if name == "DATA_KEY":
                    data_hex = value
                elif name == "INDEX_KEY":
                    index_hex = value
    if not data_hex or not index_hex:
        raise ImproperlyConfigured(
            "Personal data keys are missing: set DANGJIAN_DATA_KEY and DANGJIAN_INDEX_KEY "
            "or DANGJIAN_KEY_FILE (README.md, Configuration)."
        )
    return Keys(
        data=_parse_hex("DANGJIAN_DATA_KEY", data_hex, 16),
        index=_parse_hex("DANGJIAN_INDEX_KEY", index_hex, None),
    )


def encrypt(plaintext: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(get_keys().data), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    return VERSION + nonce + body + encryptor.tag


def decrypt(token: bytes) -> str:
    token = bytes(token)
    if len(token) < 1 + NONCE_BYTES + TAG_BYTES or token[:1] != VERSION:
        raise DecryptionError("unknown ciphertext format")
    nonce = token[1 : 1 + NONCE_BYTES]
    body, tag = token[1 + NONCE_BYTES : -TAG_BYTES], token[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(get_keys().data), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except Exception as exc:  # InvalidTag, UnicodeDecodeError
        raise DecryptionError("ciphertext failed authentication") from exc


def blind_index(value: str, *, purpose: str) -> str:
    """HMAC-SM3 of a normalized value, for exact lookup without decrypting."""
    mac = crypto_hmac.HMAC(get_keys().index, hashes.SM3())
    mac.update(purpose.encode("ascii") + b"\x00" + value.encode("utf-8"))
    return mac.finalize().hex()


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize()


def constant_time_equals(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())
