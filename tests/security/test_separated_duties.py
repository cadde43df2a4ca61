"""三员分立 beyond the three roles themselves (issue 11, points 4 and 5).

4. An account holding the platform administrator, security administrator or auditor
   role holds no other role (business roles included), and an account with a business
   role is not given one of the three; grants that break this are listed by
   ``dangjian check_duties`` and refused at a production start (``dangjian.E008``).
5. Disabling, enabling or unlocking the account of one of the three duties (and resetting
   its second factor) is the security administrator's alone, never on their own account;
   the platform administrator keeps managing ordinary accounts. Every such act is audited.
"""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from dangjian.access import services as access_services
from dangjian.access.models import RoleGrant
from dangjian.access.roles import Role
from dangjian.core.models import AuditEvent
from dangjian.security import checks
from dangjian.security import services as security_services
from dangjian.security.models import AccountState
from dangjian.twofactor import services as twofactor_services
from tests.factories import make_user
from tests.security.test_production import SAFE

pytestmark = pytest.mark.django_db

DUTIES = ("admin", "security_admin", "auditor")  # the tree's personas holding the three roles
MIX = (
    "Platform administrator, security administrator and auditor are separate duties: "
    "an account holding one of them may hold no other role, and an account with "
    "another role may not be given one of them."
)


def _roles(user) -> list[str]:
    return sorted(RoleGrant.objects.filter(user=user).values_list("role", flat=True))


# ---------------------------------------------------------------------------
# 4. no other role beside one of the three duties
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", DUTIES)
@pytest.mark.parametrize("role", [Role.ORGAN_OFFICE, Role.BRANCH_SECRETARY, Role.MEMBER])
def test_a_duty_holder_is_given_no_business_role(tree, persona, role):
    """The security administrator cannot give the administrator or auditor an office role
    (which would reveal ID numbers or edit members), nor another security administrator."""
    user = tree.users[persona]
    before = _roles(user)
    grants = AuditEvent.objects.filter(action=AuditEvent.Action.GRANT).count()
    with pytest.raises(ValidationError) as caught:
        access_services.grant_create(
            actor=tree.users["security_admin"] if persona != "security_admin" else _sec2(),
            user=user,
            role=role,
            organization=tree.orgs["branch"],
        )
    assert caught.value.message_dict["role"] == [gettext(MIX)]
    assert _roles(user) == before
    assert AuditEvent.objects.filter(action=AuditEvent.Action.GRANT).count() == grants


def _sec2():
    return make_user("anquan2", role=Role.SECURITY_ADMIN)


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR])
@pytest.mark.parametrize("persona", ["office_staff", "branch_secretary", "member"])
def test_an_account_with_a_business_role_is_given_no_duty(tree, persona, role):
    user = tree.users[persona]
    before = _roles(user)
    with pytest.raises(ValidationError) as caught:
        access_services.grant_create(actor=tree.users["security_admin"], user=user, role=role)
    assert caught.value.message_dict["role"] == [gettext(MIX)]
    assert _roles(user) == before


def test_the_duties_and_the_business_roles_are_still_granted_alone(tree):
    """The rule refuses mixtures only: a new account takes one duty, another account any
    number of business roles."""
    sec = tree.users["security_admin"]
    fresh = make_user("fresh")
    access_services.grant_create(actor=sec, user=fresh, role=Role.AUDITOR)
    office = tree.users["office_staff"]
    access_services.grant_create(
        actor=sec, user=office, role=Role.BRANCH_SECRETARY, organization=tree.orgs["branch"]
    )
    assert _roles(fresh) == [Role.AUDITOR]
    assert Role.BRANCH_SECRETARY in _roles(office)


def test_the_grant_page_refuses_the_mixture_with_the_message(tree, client):
    """The page shows the Chinese message beside the role and grants nothing."""
    client.force_login(tree.users["security_admin"])
    response = client.post(
        reverse("access:grant_create"),
        {
            "user": tree.users["admin"].pk,
            "role": Role.ORGAN_OFFICE,
            "organization": tree.orgs["committee"].pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == [gettext(MIX)]
    assert gettext(MIX) in response.content.decode()
    assert gettext(MIX) != MIX  # the message is translated
    assert _roles(tree.users["admin"]) == [Role.SYSTEM_ADMIN]


def _old_mixture(tree):
    """A grant written before the rule (past the service), as an existing database holds."""
    RoleGrant.objects.create(
        user=tree.users["auditor"], role=Role.ORGAN_OFFICE, organization=tree.orgs["committee"]
    )


def test_check_duties_lists_the_accounts_that_break_the_rule(tree):
    out = io.StringIO()
    call_command("check_duties", stdout=out)
    assert "No account holds" in out.getvalue()

    _old_mixture(tree)
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("check_duties", stdout=out)
    assert caught.value.returncode == 1
    assert out.getvalue().splitlines() == ["shenji: auditor, organ_office"]


def test_production_start_is_refused_while_a_mixture_exists(tree):
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(**SAFE):
        assert checks.production_separated_duties() == []
        _old_mixture(tree)
        found = checks.production_separated_duties()
        assert [e.id for e in found] == ["dangjian.E008"]
        assert "shenji (auditor, organ_office)" in found[0].msg
        with pytest.raises(ImproperlyConfigured, match=r"dangjian\.E008"):
            checks.refuse_unsafe_start()
    # Outside production mode the check says nothing (the demo is not refused).
    assert checks.production_separated_duties() == []


# ---------------------------------------------------------------------------
# 5. account actions on the three duties
# ---------------------------------------------------------------------------


def _toggle(client, user):
    return client.post(reverse("access:user_toggle", args=[user.pk]), follow=True)


@pytest.mark.parametrize("target", DUTIES)
def test_the_platform_administrator_cannot_disable_a_duty_account(tree, client, target):
    """Before: the platform administrator disabled the auditor and the security administrator."""
    user = tree.users[target]
    other_admin = make_user("admin2", role=Role.SYSTEM_ADMIN)
    client.force_login(other_admin)
    response = _toggle(client, user)
    user.refresh_from_db()
    assert user.is_active
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [gettext(access_services.DUTY_ACCOUNT_MESSAGE)]
    assert not AuditEvent.objects.filter(
        object_id=str(user.pk), changes__has_key="is_active"
    ).exists()
    with pytest.raises(ValidationError):
        access_services.user_set_active(actor=other_admin, user=user, active=False)


@pytest.mark.parametrize("target", DUTIES)
def test_the_security_administrator_disables_and_enables_a_duty_account_audited(
    tree, client, target
):
    user = tree.users[target]
    actor = tree.users["security_admin"] if target != "security_admin" else _sec2()
    client.force_login(actor)
    response = _toggle(client, user)
    assert response.redirect_chain[-1][0] == reverse("access:grant_list")
    user.refresh_from_db()
    assert not user.is_active
    _toggle(client, user)
    user.refresh_from_db()
    assert user.is_active
    changes = list(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.UPDATE, object_id=str(user.pk), actor=actor
        )
        .order_by("id")
        .values_list("changes", flat=True)
    )
    assert changes == [{"is_active": [True, False]}, {"is_active": [False, True]}]


def test_the_grant_list_offers_the_security_administrator_the_duty_accounts_only(tree, client):
    client.force_login(tree.users["security_admin"])
    page = client.get(reverse("access:grant_list")).content.decode()
    for persona in ("admin", "auditor"):
        assert reverse("access:user_toggle", args=[tree.users[persona].pk]) in page
    for persona in ("security_admin", "office_staff", "member"):
        assert reverse("access:user_toggle", args=[tree.users[persona].pk]) not in page


def test_the_user_list_offers_the_platform_administrator_no_button_for_duty_accounts(tree, client):
    client.force_login(tree.users["admin"])
    page = client.get(reverse("access:user_list")).content.decode()
    for persona in ("security_admin", "auditor"):
        assert reverse("access:user_toggle", args=[tree.users[persona].pk]) not in page
    assert reverse("access:user_toggle", args=[tree.users["member"].pk]) in page


def test_nobody_disables_their_own_duty_account(tree, client):
    sec = tree.users["security_admin"]
    client.force_login(sec)
    _toggle(client, sec)
    sec.refresh_from_db()
    assert sec.is_active
    with pytest.raises(ValidationError):
        access_services.user_set_active(actor=sec, user=sec, active=False)


def test_ordinary_accounts_stay_the_platform_administrators(tree, client):
    """The platform administrator still disables a member's account (audited); the security
    administrator does not (user management is not their duty)."""
    member = tree.users["member"]
    with pytest.raises(PermissionDenied):
        access_services.user_set_active(
            actor=tree.users["security_admin"], user=member, active=False
        )
    assert client.post(reverse("access:user_toggle", args=[member.pk])).status_code == 302
    client.force_login(tree.users["security_admin"])
    assert client.post(reverse("access:user_toggle", args=[member.pk])).status_code == 403
    client.force_login(tree.users["admin"])
    _toggle(client, member)
    member.refresh_from_db()
    assert not member.is_active
    assert AuditEvent.objects.filter(
        actor=tree.users["admin"], object_id=str(member.pk), changes={"is_active": [True, False]}
    ).exists()
    client.force_login(tree.users["auditor"])
    assert client.post(reverse("access:user_toggle", args=[member.pk])).status_code == 403


def _lock(user):
    AccountState.objects.update_or_create(
        user=user,
        defaults={
            "failed_logins": 5,
            "locked_at": timezone.now(),
            "locked_until": timezone.now() + timezone.timedelta(minutes=30),
        },
    )


def test_the_security_administrator_cannot_unlock_their_own_account(tree, client):
    """Someone guessing the security administrator's password locks the account while they
    are logged in elsewhere; they may not lift that lock themselves."""
    sec = tree.users["security_admin"]
    _lock(sec)
    client.force_login(sec)
    response = client.post(reverse("security:unlock", args=[sec.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        gettext("Ask another security administrator to unlock your own account.")
    ]
    assert security_services.is_locked(sec)
    other = _sec2()
    security_services.account_unlock(actor=other, user=sec)
    assert not security_services.is_locked(sec)
    assert AuditEvent.objects.filter(
        actor=other, object_id=str(sec.pk), note="account unlocked by the security administrator"
    ).exists()


@pytest.mark.parametrize("target", ["admin", "auditor", "member"])
def test_only_the_security_administrator_unlocks(tree, target):
    user = tree.users[target]
    _lock(user)
    with pytest.raises(PermissionDenied):
        security_services.account_unlock(actor=tree.users["admin"], user=user)
    security_services.account_unlock(actor=tree.users["security_admin"], user=user)
    assert not security_services.is_locked(user)


@pytest.mark.parametrize("target", ["admin", "auditor"])
def test_two_factor_reset_of_a_duty_account_is_the_security_administrators(tree, target):
    user = tree.users[target]
    with pytest.raises(PermissionDenied):
        twofactor_services.device_reset(actor=tree.users["admin"], user=user)
    sec = tree.users["security_admin"]
    with pytest.raises(ValidationError):
        twofactor_services.device_reset(actor=sec, user=sec)
    twofactor_services.device_reset(actor=sec, user=user)
    assert AuditEvent.objects.filter(
        actor=sec, object_id=str(user.pk), action=AuditEvent.Action.DELETE
    ).exists()
