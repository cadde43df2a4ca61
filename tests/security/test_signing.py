"""SM2 signatures of important operations by the acting user, verified on display.

GB/T 39786-2021 (non-repudiation of important operations with digital signatures, SM2 /
GB/T 32918); keys from key files, never the database — docs/security.md.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dangjian.core import signing
from dangjian.core.models import Signature, SigningKey
from dangjian.tasks import services as task_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_dir(settings, tmp_path):
    settings.DANGJIAN_SM2_KEY_DIR = str(tmp_path / "sm2")
    return tmp_path / "sm2"


def _closed_task(tree, dangzu_office, branch_secretary):
    task = task_services.task_create(
        actor=dangzu_office,
        title="贯彻落实第一项要求",
        organization=tree.orgs["root"],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        lead_organization=tree.orgs["branch"],
        lead_unit=tree.units["office"],
    )
    task_services.task_start(actor=branch_secretary, task=task)
    task_services.task_request_closure(actor=branch_secretary, task=task, reason="已完成")
    return task_services.task_approve_closure(actor=dangzu_office, task=task, reason="同意")


def test_sm2_sign_and_verify_round_trip_and_a_tampered_signature_fails():
    private_key, public_key = signing.generate_keypair()
    assert signing.public_from_private(private_key) == public_key and len(public_key) == 128
    digest = signing.sm3_hex(b"closing task 42")
    sig = signing.sign_digest(private_key, public_key, digest)
    assert signing.verify_digest(public_key, digest, sig)
    assert sig != signing.sign_digest(private_key, public_key, digest)  # random nonce
    flipped = sig[:10] + ("0" if sig[10] != "0" else "1") + sig[11:]
    assert not signing.verify_digest(public_key, digest, flipped)
    assert not signing.verify_digest(public_key, signing.sm3_hex(b"closing task 43"), sig)
    _, other_public = signing.generate_keypair()
    assert not signing.verify_digest(other_public, digest, sig)
    assert not signing.verify_digest(public_key, digest, "00" * 64)


def test_closing_a_task_is_signed_by_the_acting_user_and_verified_on_display(
    tree, key_dir, dangzu_office, branch_secretary, client
):
    call_command("sm2key", "generate", dangzu_office.username, stdout=StringIO())
    path = key_dir / f"{dangzu_office.username}.key"
    assert path.is_file() and oct(path.stat().st_mode & 0o777) == "0o600"
    key = SigningKey.objects.get(user=dangzu_office)
    assert path.read_text().strip() not in key.public_key  # only the public key is stored
    task = _closed_task(tree, dangzu_office, branch_secretary)
    sig = Signature.objects.get(object_id=str(task.pk), operation="task.close")
    assert sig.signer == dangzu_office and sig.public_key_fingerprint == key.fingerprint
    assert sig.payload_digest == signing.sm3_hex(sig.payload.encode())
    assert signing.check(sig) == signing.VERIFIED
    client.force_login(dangzu_office)
    url = reverse("tasks:task_detail", args=[task.pk])
    assert 'data-testid="signature-verified"' in client.get(url).content.decode()

    # the signed record changed outside the application: the page says so
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tasks_task SET closed_at = %s WHERE id = %s", [timezone.now(), task.pk]
        )
    assert signing.check(sig) == signing.CHANGED
    assert 'data-testid="signature-changed"' in client.get(url).content.decode()
    # a forged signature value is invalid
    forged = sig.signature[:-1] + ("0" if sig.signature[-1] != "0" else "1")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_signature SET signature = %s WHERE id = %s", [forged, sig.pk])
    sig.refresh_from_db()
    assert signing.check(sig) == signing.INVALID
    assert 'data-testid="signature-invalid"' in client.get(url).content.decode()


def test_without_a_key_the_operation_is_done_unsigned(
    tree, key_dir, dangzu_office, branch_secretary, client
):
    task = _closed_task(tree, dangzu_office, branch_secretary)
    assert not Signature.objects.exists()
    client.force_login(dangzu_office)
    page = client.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert 'data-testid="signature-unsigned"' in page


def test_a_key_file_not_matching_the_registered_key_does_not_sign(
    tree, key_dir, dangzu_office, branch_secretary
):
    call_command("sm2key", "generate", dangzu_office.username, stdout=StringIO())
    other_private, _ = signing.generate_keypair()
    (key_dir / f"{dangzu_office.username}.key").write_text(other_private)
    _closed_task(tree, dangzu_office, branch_secretary)
    assert not Signature.objects.exists()


def test_accepting_a_submission_and_naming_a_branch_are_signed(
    tree, key_dir, office_staff, branch_secretary
):
    from dangjian.campaigns import services as campaign_services
    from tests.fourstrong.conftest import start_cycle

    call_command("sm2key", "generate", office_staff.username, stdout=StringIO())
    today = timezone.localdate()
    campaign = campaign_services.campaign_create(
        actor=office_staff,
        name="能力提升行动",
        organization=tree.orgs["committee"],
        covered=tree.orgs["committee"],
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=60),
        capabilities=["political"],
        notice="通知",
    )
    requirement = campaign_services.requirement_add(
        actor=office_staff,
        campaign=campaign,
        title="主题党日",
        due_on=today + datetime.timedelta(days=20),
        organization_kinds=["branch"],
    )
    activity = campaign_services.activity_create(
        actor=branch_secretary,
        type="themed_party_day",
        title="主题党日",
        held_on=today,
        organization=tree.orgs["branch"],
        campaign=campaign,
    )
    sub = campaign_services.submission_report(
        actor=branch_secretary,
        requirement=requirement,
        organization=tree.orgs["branch"],
        activity=activity,
    )
    sub = campaign_services.submission_accept(actor=office_staff, submission=sub)
    sig = Signature.objects.get(operation="submission.accept", object_id=str(sub.pk))
    assert signing.check(sig) == signing.VERIFIED

    # naming: the service hook signs after the state change; checked here on the record
    assessment = start_cycle(tree, office_staff).assessments.get(branch=tree.orgs["branch"])
    sig = signing.sign_operation(office_staff, assessment, "fourstrong.name")
    assert signing.check(sig) == signing.VERIFIED
