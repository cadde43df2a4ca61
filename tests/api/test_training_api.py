"""The trainings API: scope, the same services and messages as the pages, 400/409, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from dangjian.access.models import User
from dangjian.core.models import AuditEvent
from dangjian.training import services
from dangjian.training.models import Training, TrainingAttendance
from tests.training import conftest as training_fixtures

TRAININGS = "/api/trainings/"
HOURS = "/api/training-hours/"
NO_CAPABILITY = "Choose at least one capability the training builds."


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def assert_error(response, status: int, error: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "detail", "fields"}
    assert body["error"] == error
    return body


def english(msgid: str) -> str:
    with translation.override("en"):
        return translation.gettext(msgid)


def chinese(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


# The training tests' fixtures: make_training(org=…, hours=…, …) and the hand-checked history
# (2026: T1 committee 3h political+research: 李书记 3, 王党员 2, 钱同志 3; T2 branch 2h
# political: 李书记 2, 赵预备 1.5. 2025: T3 branch 4h mass work: 王党员 4).
make_training = training_fixtures.make_training
history = training_fixtures.history


def fresh(training: Training) -> Training:
    training.refresh_from_db()  # setting the attendance moved the version on
    return training


def new_training(tree, **overrides) -> dict:
    data = {
        "organization": tree.orgs["branch"].pk,
        "kind": "lecture",
        "title": "接口培训",
        "date": "2026-04-01",
        "hours": "2.5",
        "capabilities": ["reform", "political"],
        "summary": "",
    }
    return data | overrides


# Reading


def test_list_is_scoped_and_filtered(tree, history, office_staff, branch_secretary, outsider):
    """The office sees all three, the branch its own two, the other branch none of them."""
    assert {r["title"] for r in rows(client_for(office_staff).get(TRAININGS))} == {
        "调研能力专题培训",
        "专题党课",
        "往年培训",
    }
    branch = rows(client_for(branch_secretary).get(TRAININGS))
    assert [r["title"] for r in branch] == ["专题党课", "往年培训"]
    assert branch[0]["attendee_count"] == 2
    assert branch[0]["capabilities"] == ["political"]
    assert rows(client_for(outsider).get(TRAININGS)) == []
    office = client_for(office_staff)
    assert [r["title"] for r in rows(office.get(TRAININGS, {"year": 2025}))] == ["往年培训"]
    assert [r["title"] for r in rows(office.get(TRAININGS, {"capability": "research"}))] == [
        "调研能力专题培训"
    ]
    by_branch = office.get(TRAININGS, {"organization": tree.orgs["branch"].pk, "q": "党课"})
    assert [r["title"] for r in rows(by_branch)] == ["专题党课"]


def test_list_refuses_bad_filters_and_organizations_outside_scope(tree, branch_secretary):
    client = client_for(branch_secretary)
    bad = client.get(TRAININGS, {"capability": "flying", "year": "x"})
    assert set(assert_error(bad, 400, "invalid")["fields"]) == {"capability", "year"}
    outside = client.get(TRAININGS, {"organization": tree.orgs["other_branch"].pk})
    assert "organization" in assert_error(outside, 400, "invalid")["fields"]


def test_detail_lists_attendance_and_outsiders_get_404(tree, history, member_user, outsider):
    url = f"{TRAININGS}{history['t2'].pk}/"
    body = client_for(member_user).get(url).json()
    assert [(a["member_name"], a["hours"]) for a in body["attendances"]] == sorted(
        [("李书记", "2.0"), ("赵预备", "1.5")]
    )
    assert body["attendee_count"] == 2
    assert body["version"] == fresh(history["t2"]).version
    assert_error(client_for(outsider).get(url), 404, "not_found")


def test_roles_without_meeting_view_are_refused(tree, auditor, admin_user):
    for user in (auditor, admin_user):
        assert_error(client_for(user).get(TRAININGS), 403, "permission_denied")
        assert_error(client_for(user).get(HOURS), 403, "permission_denied")


def test_list_query_count_does_not_grow(
    tree, make_training, office_staff, django_assert_max_num_queries
):
    for i in range(3):
        make_training(title=f"培训{i}")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(office_staff).get(TRAININGS).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(3, 30):
        make_training(org="other_branch" if i % 2 else "committee", title=f"培训{i}")
    with django_assert_max_num_queries(few):
        assert len(rows(client_for(office_staff).get(TRAININGS))) == 30


# Writing


def test_create_goes_through_the_service(tree, branch_secretary):
    response = client_for(branch_secretary).post(TRAININGS, new_training(tree), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["capabilities"] == ["political", "reform"]  # canonical order
    assert body["hours"] == "2.5"
    assert body["attendances"] == []
    training = Training.objects.get(pk=body["id"])
    assert training.created_by_id == branch_secretary.pk
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_id=str(training.pk)
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "msgid"),
    [
        ({"hours": "30"}, "hours", "A training held on one day cannot last more than 24 hours."),
        ({"capabilities": []}, "capabilities", NO_CAPABILITY),
        ({"capabilities": ["flying"]}, "capabilities", None),
        ({"hours": "1.25"}, "hours", None),
        ({"title": "<script>x</script>"}, "title", None),
    ],
)
def test_bad_input_is_400_in_the_requested_language_and_nothing_saved(
    tree, branch_secretary, overrides, field, msgid
):
    before = Training.objects.count()
    audits = AuditEvent.objects.count()
    client = client_for(branch_secretary)
    for language, translate in (("en", english), ("zh-hans", chinese)):
        response = client.post(
            TRAININGS,
            new_training(tree, **overrides),
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        body = assert_error(response, 400, "invalid")
        assert list(body["fields"]) == [field]
        if msgid:
            assert body["fields"][field] == [translate(msgid)]
    assert Training.objects.count() == before
    assert AuditEvent.objects.count() == audits


def test_member_cannot_write_and_outsider_cannot_name_the_branch(
    tree, history, member_user, outsider
):
    before = Training.objects.count()
    t2 = fresh(history["t2"])
    member = client_for(member_user)
    refused = member.post(TRAININGS, new_training(tree), format="json")
    assert_error(refused, 403, "permission_denied")
    assert_error(
        member.patch(f"{TRAININGS}{t2.pk}/", {"title": "x", "version": 1}, format="json"),
        403,
        "permission_denied",
    )
    assert_error(
        member.post(f"{TRAININGS}{t2.pk}/attendance/", {"entries": []}, format="json"),
        403,
        "permission_denied",
    )
    other = client_for(outsider)
    body = assert_error(other.post(TRAININGS, new_training(tree), format="json"), 400, "invalid")
    assert list(body["fields"]) == ["organization"]
    assert_error(
        other.patch(f"{TRAININGS}{t2.pk}/", {"title": "x", "version": 1}, format="json"),
        404,
        "not_found",
    )
    assert Training.objects.count() == before
    t2.refresh_from_db()
    assert t2.title == "专题党课"


def test_update_needs_the_version_and_a_stale_one_is_409(tree, history, branch_secretary):
    t2 = fresh(history["t2"])
    url = f"{TRAININGS}{t2.pk}/"
    client = client_for(branch_secretary)
    body = assert_error(client.patch(url, {"title": "新"}, format="json"), 400, "invalid")
    assert list(body["fields"]) == ["version"]
    version = t2.version
    ok = client.patch(url, {"title": "改过的党课", "version": version}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == version + 1
    stale = client.patch(url, {"title": "又改", "version": version}, format="json")
    assert_error(stale, 409, "conflict")
    t2.refresh_from_db()
    assert t2.title == "改过的党课"


def test_update_hours_below_an_attendees_credit_is_400(tree, history, branch_secretary):
    t1 = fresh(history["t1"])  # the committee's; 王党员 credited with 2 of 3 hours
    response = client_for(tree.users["office_staff"]).patch(
        f"{TRAININGS}{t1.pk}/",
        {"hours": "1.5", "version": t1.version},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = assert_error(response, 400, "invalid")
    assert body["fields"]["hours"] == [
        english("Some attendees were credited with more hours than this; change their hours first.")
    ]
    t1.refresh_from_db()
    assert t1.hours == Decimal("3")


def test_attendance_is_set_all_or_nothing(tree, history, branch_secretary):
    t2 = fresh(history["t2"])
    url = f"{TRAININGS}{t2.pk}/attendance/"
    client = client_for(branch_secretary)
    m = tree.members
    response = client.post(
        url,
        {
            "entries": [{"member": m["member"].pk}, {"member": m["secretary"].pk, "hours": "1.5"}],
            "version": t2.version,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert {a["member_name"]: a["hours"] for a in response.json()["attendances"]} == {
        "王党员": "2.0",
        "李书记": "1.5",
    }
    version = response.json()["version"]
    before = sorted(TrainingAttendance.objects.filter(training=t2).values_list("member", "hours"))
    too_many = client.post(
        url,
        {"entries": [{"member": m["member"].pk, "hours": "3"}], "version": version},
        format="json",
    )
    assert "hours" in assert_error(too_many, 400, "invalid")["fields"]
    stale = client.post(url, {"entries": [], "version": t2.version}, format="json")
    assert_error(stale, 409, "conflict")
    # A member of another branch: branch_secretary cannot even name them.
    foreign = client.post(url, {"entries": [{"member": m["other"].pk}]}, format="json")
    assert_error(foreign, 400, "invalid")
    after = sorted(TrainingAttendance.objects.filter(training=t2).values_list("member", "hours"))
    assert after == before


def test_attendance_of_a_member_outside_the_subtree_is_refused(tree, history, office_staff):
    """The office can name 钱同志 (another branch), but not for the branch's training."""
    t2 = fresh(history["t2"])
    response = client_for(office_staff).post(
        f"{TRAININGS}{t2.pk}/attendance/",
        {"entries": [{"member": tree.members["other"].pk}]},
        format="json",
    )
    assert "member" in assert_error(response, 400, "invalid")["fields"]
    assert TrainingAttendance.objects.filter(training=t2).count() == 2


# The hours overview


def test_hours_overview_of_the_default_and_a_chosen_subtree(tree, history, office_staff):
    body = client_for(office_staff).get(HOURS, {"year": 2026}).json()
    assert body["organization"] == tree.orgs["committee"].pk
    assert [c["code"] for c in body["capabilities"]][:2] == ["political", "research"]
    total = body["total"]["hours"]
    # T1 3+2+3 = 8 (political and research), T2 2+1.5 = 3.5 (political).
    assert (total["political"], total["research"], total["total"]) == ("11.5", "8.0", "11.5")
    by_org = {r["organization_name"]: r for r in body["rows"]}
    assert by_org["办公厅第三党支部"]["hours"]["total"] == "8.5"
    assert by_org["办公厅第三党支部"]["members_trained"] == 3
    assert by_org["宣传司党支部"]["hours"]["research"] == "3.0"
    assert not any(r["own_members_only"] for r in body["rows"])
    branch = client_for(office_staff).get(
        HOURS, {"year": 2025, "organization": tree.orgs["branch"].pk}
    )
    assert branch.json()["total"]["hours"]["mass_work"] == "4.0"


def test_hours_overview_scope(tree, history, branch_secretary, outsider, member_user):
    mine = client_for(branch_secretary).get(HOURS, {"year": 2026}).json()
    assert mine["organization"] == tree.orgs["branch"].pk
    assert mine["total"]["hours"]["total"] == "8.5"
    assert mine["rows"][0]["own_members_only"] is True
    assert client_for(member_user).get(HOURS, {"year": 2026}).json()["total"]["members"] == 3
    theirs = client_for(outsider).get(HOURS, {"year": 2026}).json()
    assert theirs["organization"] == tree.orgs["other_branch"].pk
    assert theirs["total"]["hours"]["total"] == "3.0"
    refused = client_for(outsider).get(HOURS, {"organization": tree.orgs["branch"].pk})
    assert "organization" in assert_error(refused, 400, "invalid")["fields"]


def test_hours_overview_query_count_is_flat(tree, history, make_training, office_staff):
    with CaptureQueriesContext(connection) as ctx:
        assert client_for(office_staff).get(HOURS, {"year": 2026}).status_code == 200
    few = len(ctx.captured_queries)
    for i in range(10):
        t = make_training(org="other_branch", title=f"更多{i}")
        services.attendance_set(
            actor=None, training=t, entries=[(tree.members["other"], None)], check=False
        )
    with CaptureQueriesContext(connection) as ctx:
        assert client_for(office_staff).get(HOURS, {"year": 2026}).status_code == 200
    assert len(ctx.captured_queries) == few
