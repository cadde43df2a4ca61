"""The SM3 dynamic password of GM/T 0021-2012 (动态口令密码应用技术规范), section 6.

Pure functions, no database::

    T  = floor((T0 - epoch) / Tc)      time factor, 8 bytes big-endian (Tc at most 60 s)
    C  = event counter                  4 bytes big-endian (optional)
    Q  = challenge                      ASCII, at least 4 bytes (optional)
    ID = T ‖ C ‖ Q                      zero-padded at the end to at least 128 bits
    S  = SM3(K ‖ ID)                    K: the seed, at least 128 bits
    OD = Truncate(S)                    S as eight 32-bit big-endian words S1..S8,
                                        OD = (S1 + S2 + … + S8) mod 2^32
    P  = OD mod 10^N                    N ≥ 6 digits, left-padded with zeros

The layout follows the reference code that accompanies the standard
(``SM3_DPasswd`` / ``TruncateSM3``). SM3 itself is ``cryptography``'s
(OpenSSL's), checked in the tests against the GB/T 32905 example.
"""

from __future__ import annotations

import hmac
import struct
import time

from cryptography.hazmat.primitives import hashes

MAX_STEP_SECONDS = 60  # the standard's longest change period
MIN_KEY_BYTES = 16  # 128 bits
MIN_ID_BYTES = 16  # 128 bits
MIN_CHALLENGE_BYTES = 4
MIN_DIGITS, MAX_DIGITS = 6, 10


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def time_factor(t0: int, step: int = MAX_STEP_SECONDS, epoch: int = 0) -> int:
    """T = (T0 - epoch) / Tc, rounded down."""
    if not 1 <= step <= MAX_STEP_SECONDS:
        raise ValueError("the change period Tc must be 1 to 60 seconds")
    return (int(t0) - epoch) // step


def build_id(t: int | None = None, c: int | None = None, q: bytes | str | None = None) -> bytes:
    """ID = T ‖ C ‖ Q, padded with zero bytes to 128 bits."""
    if t is None and c is None and q is None:
        raise ValueError("at least one of T, C and Q is needed")
    parts = b""
    if t is not None:
        parts += struct.pack(">Q", t)
    if c is not None:
        parts += struct.pack(">I", c)
    if q is not None:
        challenge = q.encode("ascii") if isinstance(q, str) else bytes(q)
        if len(challenge) < MIN_CHALLENGE_BYTES:
            raise ValueError("the challenge Q must be at least 4 bytes")
        parts += challenge
    return parts.ljust(MIN_ID_BYTES, b"\0")


def truncate(s: bytes) -> int:
    """OD: the sum of the eight big-endian 32-bit words of the SM3 output, mod 2^32."""
    if len(s) != 32:
        raise ValueError("Truncate takes the 256-bit SM3 output")
    return sum(struct.unpack(">8I", s)) & 0xFFFFFFFF


def dynamic_password(
    key: bytes,
    *,
    t: int | None = None,
    c: int | None = None,
    q: bytes | str | None = None,
    digits: int = 6,
) -> str:
    """P for the seed ``key`` and the factors T (already divided by Tc), C and Q."""
    if len(key) < MIN_KEY_BYTES:
        raise ValueError("the seed K must be at least 128 bits")
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise ValueError("a dynamic password has 6 to 10 digits")
    od = truncate(sm3(bytes(key) + build_id(t, c, q)))
    return f"{od % 10**digits:0{digits}d}"


def time_password(
    key: bytes,
    *,
    at: float | None = None,
    step: int = MAX_STEP_SECONDS,
    epoch: int = 0,
    digits: int = 6,
    offset: int = 0,
) -> str:
    """The time-based password at Unix time ``at`` (now if None), ``offset`` periods away."""
    t = time_factor(int(time.time() if at is None else at), step, epoch) + offset
    return dynamic_password(key, t=t, digits=digits)


def matching_step(
    key: bytes,
    code: str,
    *,
    at: float | None = None,
    step: int = MAX_STEP_SECONDS,
    epoch: int = 0,
    digits: int = 6,
    tolerance: int = 1,
    drift: int = 0,
    after: int = -1,
) -> int | None:
    """The time factor T (within ±tolerance of now + drift, above ``after``) whose password
    is ``code``; None when none is. Compared in constant time."""
    code = str(code).strip()
    if len(code) != digits or not code.isdigit():
        return None
    now = time_factor(int(time.time() if at is None else at), step, epoch) + drift
    for t in range(now - tolerance, now + tolerance + 1):
        if t <= after or t < 0:
            continue
        if hmac.compare_digest(dynamic_password(key, t=t, digits=digits), code):
            return t
    return None
