"""The SM3 dynamic-password device (GM/T 0021-2012) and the per-user lock on code attempts.

TOTP devices (RFC 6238) and recovery codes are django-otp's own models
(``otp_totp.TOTPDevice``, ``otp_static.StaticDevice``/``StaticToken``).
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
from django_otp.util import hex_validator, random_hex

from . import gmt0021


def key_validator(value):
    return hex_validator()(value)


def default_sm3_key() -> str:
    return random_hex(32)  # 256 bits (the standard asks for at least 128)


class SM3Device(TimestampMixin, ThrottlingMixin, Device):
    """A time-based GM/T 0021-2012 dynamic-password token (SM3, Tc = 60 s, 6 digits).

    Like django-otp's TOTP device: a code is accepted within ``tolerance``
    periods of now + ``drift``, and only for a period after ``last_t`` (a code
    is never accepted twice).
    """

    key = models.CharField(
        _("seed"), max_length=128, validators=[key_validator], default=default_sm3_key
    )
    step = models.PositiveSmallIntegerField(_("change period (seconds)"), default=60)
    digits = models.PositiveSmallIntegerField(_("digits"), default=6)
    tolerance = models.PositiveSmallIntegerField(_("tolerance (periods)"), default=1)
    drift = models.SmallIntegerField(_("drift (periods)"), default=0)
    last_t = models.BigIntegerField(_("last period used"), default=-1)

    class Meta(Device.Meta):
        verbose_name = _("SM3 dynamic-password token")
        verbose_name_plural = _("SM3 dynamic-password tokens")

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

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
