"""Member services: validation, encryption at rest, counts, history, audit, reveal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from dangjian.core.models import AuditEvent
from dangjian.people import services
from dangjian.people.models import Member, MemberTransfer
from tests.factories import synthetic_id_number


def test_create_stores_personal_data_encrypted(tree, office_staff):
    number = synthetic_id_number(datetime.date(1992, 2, 2))
    m = services.member_create(
        actor=office_staff,
        organization=tree.orgs["branch"],
        name="新党员",
        id_number=number,
        phone="13700001111",
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id_number_cipher, phone_cipher FROM people_member WHERE id = %s", [m.pk]
        )
        id_cipher, phone_cipher = cur.fetchone()
    assert number.encode() not in bytes(id_cipher)
    assert b"13700001111" not in bytes(phone_cipher)
    assert m.id_number_masked == "*" * 18
    assert m.birth_date == datetime.date(1992, 2, 2)  # taken from the ID number
    assert Member.objects.with_id_number(number).get() == m


def test_create_writes_audit_without_values(tree, office_staff):
    number = synthetic_id_number(datetime.date(1993, 3, 3))
    m = services.member_create(
        actor=office_staff, organization=tree.orgs["branch"], name="审计", id_number=number
    )
    event = AuditEvent.objects.get(
        action="create", object_type="people.member", object_id=str(m.pk)
    )
    assert event.actor == office_staff
    assert event.changes["id_number_index"] == "***"
    assert number not in str(event.changes)


def test_duplicate_id_number_is_refused(tree, office_staff):
    existing = tree.members["member"].decrypted("id_number")
    before = Member.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.member_create(
            actor=office_staff, organization=tree.orgs["branch"], name="重复", id_number=existing
        )
    assert "id_number" in exc.value.message_dict
    assert Member.objects.count() == before


def test_impossible_dates_are_refused(tree, office_staff):
    with pytest.raises(ValidationError) as exc:
        services.member_create(
            actor=office_staff,
            organization=tree.orgs["branch"],
            name="日期",
            birth_date=datetime.date(2000, 1, 1),
            joined_party_on=datetime.date(2010, 1, 1),
            full_member_on=datetime.date(2009, 1, 1),
        )
    errors = exc.value.message_dict
    assert "joined_party_on" in errors  # joined at ten
    assert "full_member_on" in errors  # full before joining


def test_markup_and_overlong_text_are_refused(tree, office_staff):
    with pytest.raises(ValidationError) as exc:
        services.member_create(
            actor=office_staff,
            organization=tree.orgs["branch"],
            name="<script>x</script>",
            admin_title="长" * 101,
        )
    assert {"name", "admin_title"} <= set(exc.value.message_dict)


def test_secretary_cannot_add_to_other_branch(tree, branch_secretary):
    with pytest.raises(PermissionDenied):
        services.member_create(
            actor=branch_secretary, organization=tree.orgs["other_branch"], name="越权"
        )


def test_transfer_keeps_history_and_counts(tree, office_staff):
    m = tree.members["member"]
    services.member_transfer(
        actor=office_staff, member=m, to_organization=tree.orgs["other_branch"], reason="工作调动"
    )
    m.refresh_from_db()
    assert m.organization == tree.orgs["other_branch"]
    history = list(MemberTransfer.objects.filter(member=m).order_by("id"))
    assert [t.to_organization.name for t in history] == ["办公厅第三党支部", "宣传司党支部"]
    assert history[-1].from_organization == tree.orgs["branch"]


def test_transfer_to_same_org_is_refused(tree, office_staff):
    with pytest.raises(ValidationError):
        services.member_transfer(
            actor=office_staff, member=tree.members["member"], to_organization=tree.orgs["branch"]
        )


def test_update_with_stale_version_is_a_conflict(tree, office_staff):
    m = tree.members["member"]
    services.member_update(actor=office_staff, member=m, version=m.version, admin_title="处长")
    with pytest.raises(ValidationError) as exc:
        services.member_update(actor=office_staff, member=m, version=m.version, admin_title="司长")
    assert exc.value.code == "conflict"
    m.refresh_from_db()
    assert m.admin_title == "处长"


def test_status_change_moves_probationary_count(tree, office_staff):
    p = tree.members["probationary"]
    services.member_update(
        actor=office_staff, member=p, status="full", full_member_on=datetime.date.today()
    )
    tree.orgs["branch"].refresh_from_db()
    assert tree.orgs["branch"].probationary_count == 0
    assert tree.orgs["branch"].member_count == 3


def test_reveal_is_audited_and_guarded(tree, office_staff, dangzu_office):
    m = tree.members["member"]
    value = services.member_reveal(actor=office_staff, member=m, field="phone")
    assert value == "13800001234"
    assert AuditEvent.objects.filter(action="reveal", object_id=str(m.pk)).count() == 1
    with pytest.raises(PermissionDenied):
        services.member_reveal(actor=dangzu_office, member=m, field="phone")
    assert AuditEvent.objects.filter(action="reveal", object_id=str(m.pk)).count() == 1


def test_post_assignment_rules(tree, office_staff):
    m = tree.members["member"]
    post = services.post_assign(
        actor=office_staff, member=m, organization=tree.orgs["branch"], title="propaganda_member"
    )
    with pytest.raises(ValidationError):
        services.post_assign(
            actor=office_staff,
            member=m,
            organization=tree.orgs["branch"],
            title="propaganda_member",
        )
    services.post_end(actor=office_staff, post=post)
    post.refresh_from_db()
    assert post.ended_on == datetime.date.today()


@pytest.mark.parametrize(
    "persona",
    ["admin", "office_staff", "dangzu_office", "branch_secretary", "member", "outsider", "nobody"],
)
def test_member_count_from_stored_counts_equals_counting_rows(tree, persona):
    """The member list's unfiltered total (from per-organization counts) is exact."""
    from dangjian.people import selectors

    user = tree.users[persona]
    # A member who left and one transferred away must not be counted twice or at all.
    services.member_transfer(
        actor=None,
        member=tree.members["probationary"],
        to_organization=tree.orgs["other_branch"],
        check=False,
    )
    expected = selectors.member_list(user=user).count()
    assert selectors.member_count_in_scope(user=user) == expected


def test_membership_in_a_leading_group_is_refused(tree, admin_user):
    """A 党组 is a leading body: a member is registered in (or transferred to) a branch,
    never the 党组; the record is refused with a clear message on the field."""
    root = tree.orgs["root"]
    before = Member.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.member_create(actor=admin_user, organization=root, name="党组成员")
    assert exc.value.message_dict["organization"] == [services.leading_group_membership_error()]
    assert Member.objects.count() == before
    with pytest.raises(ValidationError) as exc:
        services.member_transfer(
            actor=admin_user, member=tree.members["member"], to_organization=root
        )
    assert "to_organization" in exc.value.message_dict
    assert Member.objects.get(pk=tree.members["member"].pk).organization == tree.orgs["branch"]
    root.refresh_from_db()
    assert root.member_count == 0


def test_member_forms_do_not_offer_a_leading_group(tree, admin_user):
    """The member and transfer forms offer branches and committees, not the 党组."""
    from dangjian.people.forms import MemberForm, TransferForm

    offered = set(MemberForm(user=admin_user).fields["organization"].queryset)
    assert tree.orgs["branch"] in offered
    assert not {tree.orgs["root"], tree.orgs["other_root"]} & offered
    transfer = TransferForm(user=admin_user, member=tree.members["member"])
    assert tree.orgs["root"] not in set(transfer.fields["to_organization"].queryset)
