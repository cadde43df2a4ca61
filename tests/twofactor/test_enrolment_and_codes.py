"""Enrolment, verification, wrong and reused codes, the lock, recovery codes, reset, audit."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from dangjian.core.models import AuditEvent
from dangjian.twofactor import services
from dangjian.twofactor.models import CodeLock, EncryptedTOTPDevice, SM3Device
from tests.twofactor.conftest import code_for, secret_on_page, totp_code


def audit_notes(user, action=None):
    rows = AuditEvent.objects.filter(actor=user)
    if action:
        rows = rows.filter(action=action)
    return list(rows.order_by("pk").values_list("note", flat=True))


def test_enrolment_shows_qr_and_secret_and_activates_with_a_real_totp_code(
    tree, office_staff, log_in
):
    """RFC 6238: the page's secret, fed to a TOTP computation, activates the device."""
    client = log_in(office_staff)
    page = client.get(reverse("twofactor:enroll"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()  # the QR code, drawn on the server
    secret = secret_on_page(page)
    device = EncryptedTOTPDevice.objects.get(user=office_staff, confirmed=False)
    assert device.bin_key == secret

    response = client.post(reverse("twofactor:enroll"), {"code": totp_code(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code in response.content.decode()
    assert StaticToken.objects.filter(device__user=office_staff).count() == 10
    assert any("two-factor enrolment (totp)" in n for n in audit_notes(office_staff, "create"))
    # The enrolling session is verified: pages open.
    assert client.get(reverse("core:home")).status_code == 200


def test_enrolment_is_refused_with_a_wrong_code(tree, office_staff, log_in):
    """A device is activated only by a code it produced."""
    client = log_in(office_staff)
    client.get(reverse("twofactor:enroll"))
    response = client.post(reverse("twofactor:enroll"), {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not EncryptedTOTPDevice.objects.filter(user=office_staff, confirmed=True).exists()
    assert any("enrolment: wrong code" in n for n in audit_notes(office_staff, "login_failed"))


def test_a_second_device_cannot_be_enrolled_while_one_is_active(tree, office_staff, enrolled):
    """A stolen password is not enough to add the thief's phone: reset comes first."""
    enrolled(office_staff)
    assert services.enrollment_start(user=office_staff) is None
    outcome = services.enrollment_confirm(user=office_staff, code="123456")
    assert not outcome.ok
    assert EncryptedTOTPDevice.objects.filter(user=office_staff).count() == 1


def test_verification_with_a_correct_code_then_the_same_code_is_refused(
    tree, office_staff, enrolled, no_backoff
):
    """A code works once: the time step once accepted is never accepted again."""
    device, _codes = enrolled(office_staff)
    code = code_for(device, offset=1)
    assert services.verify(user=office_staff, code=code).ok
    again = services.verify(user=office_staff, code=code)
    assert not again.ok and again.error
    assert any("two-factor verified (totp)" in n for n in audit_notes(office_staff, "login"))
    assert any("code refused" in n for n in audit_notes(office_staff, "login_failed"))


def test_a_code_sent_right_after_a_wrong_one_is_held_back(tree, office_staff, enrolled):
    """django-otp's back-off: after a wrong code the device waits before the next attempt."""
    device, _codes = enrolled(office_staff)
    assert not services.verify(user=office_staff, code="000000").ok
    outcome = services.verify(user=office_staff, code=code_for(device, offset=1))
    assert not outcome.ok  # too soon, even though the code is right
    device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(seconds=5)
    device.save()
    assert services.verify(user=office_staff, code=code_for(device, offset=1)).ok


def test_too_many_wrong_codes_lock_the_second_factor_even_for_the_right_code(
    tree, office_staff, enrolled, no_backoff, settings
):
    """N wrong codes within the window lock code entry for the lock time (audited)."""
    settings.DANGJIAN_2FA_MAX_FAILURES = 3
    device, codes = enrolled(office_staff)
    for _ in range(3):
        assert not services.verify(user=office_staff, code="000000").ok
    lock = CodeLock.objects.get(user=office_staff)
    assert lock.locked_until > timezone.now()
    assert not services.verify(user=office_staff, code=code_for(device, offset=1)).ok
    assert not services.verify(user=office_staff, code=codes[0]).ok
    notes = audit_notes(office_staff, "login_failed")
    assert any("locked" in n for n in notes)
    # Once the lock time is over, the right code works again.
    lock.locked_until = timezone.now() - datetime.timedelta(seconds=1)
    lock.save()
    assert services.verify(user=office_staff, code=code_for(device, offset=1)).ok


def test_wrong_codes_outside_the_window_do_not_add_up(
    tree, office_staff, enrolled, no_backoff, settings
):
    """The count starts again when the window has passed."""
    settings.DANGJIAN_2FA_MAX_FAILURES = 2
    enrolled(office_staff)
    assert not services.verify(user=office_staff, code="000000").ok
    CodeLock.objects.filter(user=office_staff).update(
        window_started=timezone.now() - datetime.timedelta(minutes=60)
    )
    assert not services.verify(user=office_staff, code="000000").ok
    assert CodeLock.objects.get(user=office_staff).locked_until is None


def test_recovery_codes_are_single_use(tree, office_staff, enrolled, no_backoff):
    """Each recovery code logs in once (any case, with or without the dash), then never again."""
    _device, codes = enrolled(office_staff)
    assert services.verify(user=office_staff, code=codes[0].upper()).ok
    assert not services.verify(user=office_staff, code=codes[0]).ok
    assert services.verify(user=office_staff, code=codes[1].replace("-", "")).ok
    assert StaticToken.objects.filter(device__user=office_staff).count() == 8
    assert any("recovery code (9 left)" in n for n in audit_notes(office_staff, "login"))


def test_regenerated_recovery_codes_replace_the_old_ones(
    tree, office_staff, enrolled, no_backoff, log_in
):
    """New codes are shown once; the old ones stop working (audited)."""
    device, old = enrolled(office_staff)
    client = log_in(office_staff)
    client.post(reverse("twofactor:verify"), {"code": code_for(device, offset=1)})
    response = client.post(reverse("twofactor:recovery_regenerate"))
    assert response.status_code == 200
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert not services.verify(user=office_staff, code=old[0]).ok
    assert services.verify(user=office_staff, code=new[0]).ok
    assert any("recovery codes regenerated" in n for n in audit_notes(office_staff, "update"))


def test_device_reset_by_the_security_administrator_only(
    tree, office_staff, security_admin, enrolled, log_in
):
    """Reset (a lost phone) removes devices, codes and the lock; only the security administrator."""
    enrolled(office_staff)
    url = reverse("twofactor:device_reset", args=[office_staff.pk])
    for persona in ("admin", "auditor", "dangzu_office", "member"):
        client = log_in(tree.users[persona])
        assert client.post(url).status_code == 403
        client.logout()
    assert EncryptedTOTPDevice.objects.filter(user=office_staff).exists()

    client = log_in(security_admin)
    listing = client.get(reverse("twofactor:device_list"))
    assert office_staff.username in listing.content.decode()
    assert client.post(url).status_code == 302
    assert not EncryptedTOTPDevice.objects.filter(user=office_staff).exists()
    assert not StaticDevice.objects.filter(user=office_staff).exists()
    row = AuditEvent.objects.get(actor=security_admin, action="delete")
    assert row.object_id == str(office_staff.pk) and "two-factor devices reset" in row.note


def test_the_security_administrator_cannot_reset_their_own_devices(tree, security_admin, enrolled):
    """Separation of duties: one's own reset needs another security administrator."""
    from django.core.exceptions import ValidationError

    enrolled(security_admin)
    with pytest.raises(ValidationError):
        services.device_reset(actor=security_admin, user=security_admin)
    assert EncryptedTOTPDevice.objects.filter(user=security_admin, confirmed=True).exists()


def test_sm3_algorithm_enrols_and_verifies_gm_t_0021_codes(
    tree, office_staff, log_in, settings, no_backoff
):
    """DANGJIAN_OTP_ALGORITHM=sm3: the device is a GM/T 0021 SM3 token (Tc 60 s, 6 digits)."""
    settings.DANGJIAN_OTP_ALGORITHM = "sm3"
    client = log_in(office_staff)
    page = client.get(reverse("twofactor:enroll"))
    device = SM3Device.objects.get(user=office_staff, confirmed=False)
    assert secret_on_page(page) == device.bin_key
    assert len(device.bin_key) == 32 and device.step == 60
    response = client.post(reverse("twofactor:enroll"), {"code": code_for(device)})
    assert response.status_code == 200 and response.context["codes"]
    device.refresh_from_db()
    assert device.confirmed
    code = code_for(device, offset=1)
    assert services.verify(user=office_staff, code=code).ok
    assert not services.verify(user=office_staff, code=code).ok  # not twice
    assert any("(sm3)" in n for n in audit_notes(office_staff, "login"))
