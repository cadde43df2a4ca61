"""Helpers for the two-factor tests: real codes computed from the device's secret."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import totp

from dangjian.twofactor import gmt0021, services
from dangjian.twofactor.models import EncryptedTOTPDevice
from tests.factories import PASSWORD

SECRET = re.compile(r'data-testid="otp-secret">([A-Z2-7=]+)<')


def totp_code(device, offset: int = 0) -> str:
    """The RFC 6238 code of ``device`` now (``offset`` periods away), as an app shows it."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, drift=offset)
    return f"{value:0{device.digits}d}"


def code_for(device, offset: int = 0) -> str:
    if isinstance(device, EncryptedTOTPDevice):
        return totp_code(device, offset)
    return gmt0021.time_password(
        device.bin_key, at=time.time(), step=device.step, digits=device.digits, offset=offset
    )


def secret_on_page(response) -> bytes:
    match = SECRET.search(response.content.decode())
    assert match, "the enrolment page shows the secret"
    return b32decode(match.group(1))


@pytest.fixture
def log_in(client):
    def do(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return do


@pytest.fixture
def enrolled():
    """Give ``user`` an activated device (through the services) and its recovery codes."""

    def do(user):
        device = services.enrollment_start(user=user)
        outcome = services.enrollment_confirm(user=user, code=code_for(device))
        assert outcome.ok, outcome.error
        device.refresh_from_db()
        return device, outcome.recovery_codes

    return do


@pytest.fixture
def required(settings):
    settings.DANGJIAN_2FA = "required"
    return settings


@pytest.fixture
def no_backoff(settings):
    """django-otp's per-device back-off off, to count the lock's own attempts."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    return settings


def verify_url(next_path: str = "/") -> str:
    return reverse("twofactor:verify") + "?next=" + next_path
