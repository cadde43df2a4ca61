"""Reads for the two-factor pages."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from dangjian.access.models import User

from . import services
from .models import CodeLock, EncryptedTOTPDevice, SM3Device


def status(*, user) -> dict:
    """The user's own second factor: devices, recovery codes left, lock."""
    lock = CodeLock.objects.filter(user=user).first()
    locked_until = lock.locked_until if lock else None
    return {
        "devices": services.confirmed_devices(user),
        "recovery_left": StaticToken.objects.filter(
            device__user=user, device__confirmed=True
        ).count(),
        "locked_until": locked_until if locked_until and locked_until > timezone.now() else None,
        "required": services.required_by_role(user),
        "mode": services.conf.mode(),
    }


def enrollment_details(device) -> dict:
    """What the enrolment page shows: the secret for manual entry and the QR code (SVG)."""
    qr = segno.make(device.config_url, error="m")
    return {
        "secret": b32encode(device.bin_key).decode(),
        "secret_hex": device.key,
        "algorithm": services.algorithm_of(device),
        "period": device.step,
        "digits": device.digits,
        "qr_svg": qr.svg_inline(scale=4, border=2, dark="#000", light="#fff"),
    }


def users_with_status(*, q: str = ""):
    """Every account with its second-factor state, for the security administrator."""
    now = timezone.now()
    qs = User.objects.annotate(
        has_totp=Exists(EncryptedTOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        has_sm3=Exists(SM3Device.objects.filter(user=OuterRef("pk"), confirmed=True)),
        has_recovery=Exists(StaticDevice.objects.filter(user=OuterRef("pk"))),
        locked=Exists(CodeLock.objects.filter(user=OuterRef("pk"), locked_until__gt=now)),
        recovery_left=Count(
            "staticdevice__token_set", filter=Q(staticdevice__confirmed=True), distinct=True
        ),
    )
    q = q.strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    return qs.order_by("username")
