"""Integrity of important records (members, meeting minutes, four-strong results): HMAC-SM3
seals; a change made outside the application is detected and reported.

GB/T 22239-2019 8.1.4.7 (data integrity of important data in storage); GB/T 39786-2021
(integrity of stored important data by a commercial-cryptography MAC) — docs/security.md.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dangjian.core import integrity
from dangjian.meetings import services as meeting_services
from dangjian.people import services as people_services
from dangjian.people.models import Member
from tests.factories import make_member, synthetic_id_number
from tests.fourstrong.conftest import start_cycle

pytestmark = pytest.mark.django_db


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _check(*args) -> tuple[bool, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("integrity", "check", *args, stdout=out, stderr=err)
    except CommandError as exc:
        assert exc.returncode == 1
        return False, out.getvalue() + err.getvalue()
    return True, out.getvalue() + err.getvalue()


def test_members_written_by_the_application_are_sealed(tree):
    member = tree.members["member"]
    assert integrity.status(member) == integrity.OK
    people_services.member_update(
        actor=None, member=member, check=False, name="新名字", admin_title="处长"
    )
    assert integrity.status(member) == integrity.OK
    # a transfer writes with QuerySet.update() (no save signal): the audit row re-seals
    people_services.member_transfer(
        actor=None, member=member, to_organization=tree.orgs["other_branch"], check=False
    )
    assert integrity.status(member) == integrity.OK
    ok, out = _check()
    assert ok, out


def test_a_member_changed_by_sql_is_reported_by_integrity_check_and_on_its_page(
    tree, client, branch_secretary
):
    member = tree.members["member"]
    _raw("UPDATE people_member SET status = 'probationary' WHERE id = %s", [member.pk])
    assert integrity.status(member) == integrity.TAMPERED
    ok, out = _check()
    assert not ok
    assert f"people.member {member.pk}: tampered" in out
    client.force_login(branch_secretary)
    page = client.get(reverse("people:member_detail", args=[member.pk])).content.decode()
    assert 'data-testid="seal-tampered"' in page
    other = tree.members["secretary"]
    page = client.get(reverse("people:member_detail", args=[other.pk])).content.decode()
    assert 'data-testid="seal-tampered"' not in page and 'data-testid="seal-ok"' in page


def test_swapping_encrypted_id_numbers_by_sql_is_detected(tree):
    a = make_member(tree.orgs["branch"], id_number=synthetic_id_number())
    b = make_member(tree.orgs["branch"], id_number=synthetic_id_number())
    _raw(
        "UPDATE people_member SET id_number_cipher = (SELECT id_number_cipher FROM people_member"
        " WHERE id = %s) WHERE id = %s",
        [b.pk, a.pk],
    )
    assert integrity.status(Member.objects.get(pk=a.pk)) == integrity.TAMPERED
    assert integrity.status(b) == integrity.OK


def test_meeting_minutes_and_decisions_changed_by_sql_are_detected(tree, client, office_staff):
    meeting = meeting_services.meeting_create(
        actor=None,
        organization=tree.orgs["branch"],
        kind="branch_committee",
        title="支部委员会会议",
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        check=False,
    )
    item = meeting_services.agenda_item_add(
        actor=None,
        meeting=meeting,
        kind="other",
        title="研究工作",
        minutes="会议同意。",
        check=False,
    )
    assert integrity.status(meeting) == integrity.OK
    _raw("UPDATE meetings_agendaitem SET minutes = %s WHERE id = %s", ["会议不同意。", item.pk])
    assert integrity.status(meeting) == integrity.TAMPERED
    ok, out = _check("--model", "meetings.meeting")
    assert not ok and f"meetings.meeting {meeting.pk}: tampered" in out
    client.force_login(office_staff)
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert 'data-testid="seal-tampered"' in page


def test_four_strong_result_changed_by_sql_is_detected(tree, office_staff):
    cycle = start_cycle(tree, office_staff)
    assessment = cycle.assessments.get(branch=tree.orgs["branch"])
    assert integrity.status(assessment) == integrity.OK
    _raw("UPDATE fourstrong_assessment SET status = 'named' WHERE id = %s", [assessment.pk])
    assert integrity.status(assessment) == integrity.TAMPERED
    ok, out = _check("--model", "fourstrong.assessment")
    assert not ok and f"fourstrong.assessment {assessment.pk}: tampered" in out


def test_bulk_written_records_are_reported_unsealed_until_sealed(tree):
    member = tree.members["member"]
    from dangjian.core.models import RecordSeal

    RecordSeal.objects.filter(object_id=str(member.pk)).delete()
    assert integrity.status(member) == integrity.UNSEALED
    ok, out = _check()
    assert ok and "unsealed" in out  # reported, not a failure …
    ok, out = _check("--strict")
    assert not ok  # … unless asked to be strict
    call_command("integrity", "seal", stdout=StringIO())
    assert integrity.status(member) == integrity.OK


def test_a_record_deleted_by_sql_is_reported(tree):
    member = make_member(tree.orgs["branch"])
    _raw("DELETE FROM people_membertransfer WHERE member_id = %s", [member.pk])
    _raw("DELETE FROM people_member WHERE id = %s", [member.pk])
    ok, out = _check("--model", "people.member")
    assert not ok and f"people.member {member.pk}: deleted" in out


def test_revealing_or_exporting_a_tampered_member_does_not_renew_its_seal(
    tree, client, office_staff
):
    member = tree.members["member"]
    _raw("UPDATE people_member SET name = %s WHERE id = %s", ["冒名", member.pk])
    client.force_login(office_staff)
    client.post(reverse("people:member_reveal", args=[member.pk, "id_number"]))
    b"".join(client.get(reverse("people:member_export")).streaming_content)
    assert integrity.status(member) == integrity.TAMPERED
