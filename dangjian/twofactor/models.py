"""The authenticator devices (RFC 6238 TOTP, GM/T 0021-2012 SM3) with their secrets
SM4-encrypted at rest, and the per-user lock on code attempts.

Recovery codes are django-otp's own models (``otp_static.StaticDevice``/``StaticToken``),
but ``StaticToken.token`` holds only :func:`recovery_token` of a code, never the code.
django-otp's ``otp_totp.TOTPDevice`` keeps its secret as plain hex; its rows were moved
into :class:`EncryptedTOTPDevice` here by migration 0003, and its table stays empty.
"""

from __future__ import annotations

import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp import models as otp_totp
from django_otp.util import hex_validator, random_hex

from dangjian.core import crypto

from . import gmt0021


def key_validator(value):
    return hex_validator()(value)


def default_sm3_key() -> str:
    """The clear seed default of migration 0001 (the seed is stored encrypted since 0002)."""
    return random_hex(32)


# 10 bytes = 80 bits, 16 base32 characters: exactly django-otp's StaticToken.token column.
RECOVERY_TOKEN_BYTES = 10
RECOVERY_KEY_PURPOSE = "twofactor/recovery-codes"


def recovery_token(user_id: int, code: str) -> str:
    """What ``StaticToken.token`` stores for the normalised recovery ``code`` of a user.

    HMAC-SM3 under a key derived from the audit key (which ``rotate_keys`` does not
    rotate, so stored codes stay valid), over the user's id and the code, truncated to
    80 bits and base32-encoded. One-way: the column reveals no code, and a row copied to
    another account does not match there. The truncation costs nothing: a code carries
    only 40 random bits, so guessing the code is always cheaper than forging the tag.
    """
    mac = crypto.hmac_sm3(crypto.derived_key(RECOVERY_KEY_PURPOSE), f"{user_id}\x00{code}".encode())
    return b32encode(mac[:RECOVERY_TOKEN_BYTES]).decode("ascii").lower()


def new_totp_secret() -> bytes:
    """A random 160-bit TOTP secret (django-otp's default size), SM4-encrypted."""
    return crypto.encrypt(random_hex(20))


def new_sm3_seed() -> bytes:
    """A random 256-bit SM3 seed (the standard asks for at least 128), SM4-encrypted."""
    return crypto.encrypt(random_hex(32))


class EncryptedSecretMixin(models.Model):
    """The device secret as SM4-GCM ciphertext (``crypto.encrypt`` under the data key).

    ``key`` reads and writes the clear hex secret as django-otp's devices expose it; only
    ``key_cipher`` is stored, so a database dump does not reveal any secret.
    ``dangjian rotate_keys`` re-encrypts it under a new data key.
    """

    key_cipher = models.BinaryField(_("secret (SM4-encrypted)"), editable=False)

    class Meta:
        abstract = True

    @property
    def key(self) -> str:
        return crypto.decrypt(self.key_cipher)

    @key.setter
    def key(self, value: str) -> None:
        key_validator(value)
        self.key_cipher = crypto.encrypt(value)

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())


class EncryptedTOTPDevice(EncryptedSecretMixin, TimestampMixin, ThrottlingMixin, Device):  # noqa: DJ008 (Device.__str__)
    """An RFC 6238 authenticator-app device: django-otp's TOTP device, secret encrypted.

    The fields and the code check are django-otp's own (``verify_token`` is its method,
    taken unchanged), so the verification, drift, throttling and "never the same period
    twice" behaviour stay the maintained package's.
    """

    key_cipher = models.BinaryField(
        _("secret (SM4-encrypted)"), editable=False, default=new_totp_secret
    )
    step = models.PositiveSmallIntegerField(_("time step (seconds)"), default=30)
    t0 = models.BigIntegerField(_("start of the first step (Unix time)"), default=0)
    digits = models.PositiveSmallIntegerField(_("digits"), choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(_("tolerance (steps)"), default=1)
    drift = models.SmallIntegerField(_("drift (steps)"), default=0)
    last_t = models.BigIntegerField(_("last step used"), default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    # django-otp's RFC 6238 implementation, unchanged (it reads self.bin_key).
    verify_token = otp_totp.TOTPDevice.verify_token
    get_throttle_factor = otp_totp.TOTPDevice.get_throttle_factor
    config_url = otp_totp.TOTPDevice.config_url
    _read_str_from_settings = otp_totp.TOTPDevice._read_str_from_settings


class SM3Device(EncryptedSecretMixin, TimestampMixin, ThrottlingMixin, Device):  # noqa: DJ008 (Device.__str__)
    """A time-based GM/T 0021-2012 dynamic-password token (SM3, Tc = 60 s, 6 digits).

    Like django-otp's TOTP device: a code is accepted within ``tolerance``
    periods of now + ``drift``, and only for a period after ``last_t`` (a code
    is never accepted twice).
    """

    key_cipher = models.BinaryField(_("seed (SM4-encrypted)"), editable=False, default=new_sm3_seed)
    step = models.PositiveSmallIntegerField(_("change period (seconds)"), default=60)
    digits = models.PositiveSmallIntegerField(_("digits"), default=6)
    tolerance = models.PositiveSmallIntegerField(_("tolerance (periods)"), default=1)
    drift = models.SmallIntegerField(_("drift (periods)"), default=0)
    last_t = models.BigIntegerField(_("last period used"), default=-1)

    class Meta(Device.Meta):
        verbose_name = _("SM3 dynamic-password token")
        verbose_name_plural = _("SM3 dynamic-password tokens")

    def verify_token(self, token):
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        t = gmt0021.matching_step(
            self.bin_key,
            str(token),
            at=time.time(),
            step=self.step,
            digits=self.digits,
            tolerance=self.tolerance,
            drift=self.drift,
            after=self.last_t,
        )
        if t is None:
            self.throttle_increment(commit=True)
            return False
        self.last_t = t
        self.drift = t - gmt0021.time_factor(int(time.time()), self.step)
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @property
    def config_url(self) -> str:
        """An otpauth URI naming the SM3 algorithm (read by GM/T 0021 token apps that know it)."""
        issuer = getattr(settings, "OTP_TOTP_ISSUER", "dangjian").replace(":", "")
        label = f"{issuer}:{self.user.get_username()}"
        params = urlencode(
            {
                "secret": b32encode(self.bin_key).decode(),
                "algorithm": "SM3",
                "digits": self.digits,
                "period": self.step,
            }
        )
        return f"otpauth://totp/{quote(label)}?{params}&issuer={quote(issuer)}"


class CodeLock(models.Model):
    """Wrong second-factor codes of one user: too many within the window lock the factor."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="twofactor_lock",
    )
    failures = models.PositiveIntegerField(_("wrong codes in the window"), default=0)
    window_started = models.DateTimeField(_("window started"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("two-factor lock")
        verbose_name_plural = _("two-factor locks")

    def __str__(self):
        return str(self.user)
