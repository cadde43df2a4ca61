"""Sign-in by QR code: signed tokens valid only in the meeting's window, once per member."""

from __future__ import annotations

import datetime

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings import services
from dangjian.meetings.models import Attendance
from tests.factories import PASSWORD, make_member, make_user

SIGNIN = reverse("meetings:signin")


def row(meeting, member):
    return Attendance.objects.get(meeting=meeting, member=member)


def test_token_signs_in_once_and_late_after_the_grace(make_meeting, tree, member_user):
    start = timezone.now()
    meeting = make_meeting(starts_at=start)
    token = services.signin_token(meeting)
    found = services.signin_meeting(token, now=start + datetime.timedelta(minutes=20))
    attendance, new = services.meeting_signin(
        user=member_user, meeting=found, now=start + datetime.timedelta(minutes=20)
    )
    assert new and attendance.status == "late" and attendance.via_qr
    again, new = services.meeting_signin(user=member_user, meeting=found)
    assert not new and again.status == "late"


def test_on_time_is_present(make_meeting, tree, member_user):
    start = timezone.now()
    meeting = make_meeting(starts_at=start)
    attendance, _new = services.meeting_signin(
        user=member_user, meeting=meeting, now=start - datetime.timedelta(minutes=10)
    )
    assert attendance.status == "present"


@pytest.mark.parametrize("minutes", [-31, 4 * 60 + 1])
def test_token_outside_the_window_has_expired(make_meeting, minutes):
    start = timezone.now()
    meeting = make_meeting(starts_at=start)
    with pytest.raises(services.SigninError):
        services.signin_meeting(
            services.signin_token(meeting), now=start + datetime.timedelta(minutes=minutes)
        )


def test_window_ends_with_the_meeting_and_is_configurable(make_meeting, settings):
    start = timezone.now()
    meeting = make_meeting(starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    token = services.signin_token(meeting)
    with pytest.raises(services.SigninError):
        services.signin_meeting(token, now=start + datetime.timedelta(minutes=61))
    settings.MEETING_SIGNIN_EARLY_MINUTES = 60
    assert services.signin_meeting(token, now=start - datetime.timedelta(minutes=59)) == meeting


def test_forged_tampered_and_rescheduled_tokens_are_refused(make_meeting, branch_secretary):
    meeting = make_meeting()
    forged = signing.dumps({"m": meeting.pk, "s": int(meeting.starts_at.timestamp())}, salt="x")
    token = services.signin_token(meeting)
    for bad in (forged, token[:-2] + "xx", "", "garbage"):
        with pytest.raises(services.SigninError):
            services.signin_meeting(bad)
    services.meeting_update(
        actor=branch_secretary,
        meeting=meeting,
        starts_at=meeting.starts_at + datetime.timedelta(minutes=10),
    )
    with pytest.raises(services.SigninError):
        services.signin_meeting(token)


def test_who_may_sign_in(make_meeting, tree, outsider):
    """No member record: refused. A member of the organization not listed: added as present.
    A member from elsewhere: refused."""
    meeting = make_meeting()
    with pytest.raises(services.SigninError):
        services.meeting_signin(user=outsider, meeting=meeting)
    newcomer = make_member(tree.orgs["group"], "新党员")
    user = make_user("newcomer", member=newcomer)
    attendance, new = services.meeting_signin(user=user, meeting=meeting)
    assert new and attendance.status == "present"
    stranger = make_user("stranger", member=tree.members["other"])
    with pytest.raises(services.SigninError):
        services.meeting_signin(user=stranger, meeting=meeting)
    assert not Attendance.objects.filter(meeting=meeting, member=tree.members["other"]).exists()


def test_qr_flow_through_the_pages(make_meeting, tree, client):
    """Scan → log in → confirm → present; a second scan changes nothing."""
    meeting = make_meeting()
    url = f"{SIGNIN}?t={services.signin_token(meeting)}"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.login(username="dangyuan", password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    assert b'data-testid="signin-submit"' in response.content
    assert row(meeting, tree.members["member"]).status == "expected"
    response = client.post(SIGNIN, {"t": services.signin_token(meeting)})
    assert response.status_code == 200
    assert b'data-testid="signin-done"' in response.content
    first = row(meeting, tree.members["member"])
    assert first.status == "present" and first.via_qr and first.signed_in_at
    client.post(SIGNIN, {"t": services.signin_token(meeting)})
    assert row(meeting, tree.members["member"]).signed_in_at == first.signed_in_at


def test_forged_token_page_saves_nothing(make_meeting, tree, client):
    meeting = make_meeting()
    assert client.login(username="dangyuan", password=PASSWORD)
    forged = signing.dumps({"m": meeting.pk, "s": 0}, salt="other")
    response = client.post(SIGNIN, {"t": forged})
    assert response.status_code == 403
    assert b'data-testid="signin-error"' in response.content
    assert row(meeting, tree.members["member"]).status == "expected"


def test_qr_svg_is_served_to_those_who_record_the_meeting(make_meeting, client):
    meeting = make_meeting()
    assert client.login(username="zhibu", password=PASSWORD)
    response = client.get(reverse("meetings:signin_qr", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
