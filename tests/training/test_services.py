from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEvent
from dangjian.training import services
from dangjian.training.capabilities import CAPABILITY_CODES, Capability
from dangjian.training.models import Training, TrainingAttendance

pytestmark = pytest.mark.django_db


def test_seven_capabilities():
    assert CAPABILITY_CODES == (
        "political",
        "research",
        "decision",
        "reform",
        "emergency",
        "mass_work",
        "implementation",
    )
    assert len(Capability.choices) == 7


def _create(tree, actor, **kw):
    data = {
        "organization": tree.orgs["branch"],
        "kind": "lecture",
        "title": "讲座",
        "date": datetime.date(2026, 4, 1),
        "hours": Decimal("2.5"),
        "capabilities": ["reform", "political", "reform"],
    }
    data.update(kw)
    return services.training_create(actor=actor, **data)


def test_create_is_audited_and_normalises_capabilities(tree, branch_secretary):
    t = _create(tree, branch_secretary)
    assert t.capabilities == ["political", "reform"]
    event = AuditEvent.objects.get(object_type="training.training", object_id=str(t.pk))
    assert event.action == "create" and event.actor == branch_secretary


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"hours": Decimal("25")}, "hours", "24"),
        ({"hours": Decimal("0")}, "hours", None),
        ({"hours": Decimal("-1")}, "hours", None),
        ({"capabilities": []}, "capabilities", None),
        ({"capabilities": ["cooking"]}, "capabilities", None),
        ({"title": ""}, "title", None),
        ({"kind": "party"}, "kind", None),
    ],
)
def test_bad_input_saves_nothing(tree, branch_secretary, changes, field, text):
    with pytest.raises(ValidationError) as exc:
        _create(tree, branch_secretary, **changes)
    assert field in exc.value.message_dict
    if text:
        assert text in " ".join(exc.value.message_dict[field])
    assert not Training.objects.exists()
    assert not AuditEvent.objects.filter(object_type="training.training").exists()


def test_create_outside_scope_is_refused(tree, outsider, member_user):
    with pytest.raises(PermissionDenied):
        _create(tree, outsider)
    with pytest.raises(PermissionDenied):
        _create(tree, member_user)
    assert not Training.objects.exists()


def test_update_optimistic_lock_and_hours_follow(tree, branch_secretary, make_training):
    t = make_training(hours="2")
    m = tree.members
    services.attendance_set(
        actor=branch_secretary,
        training=t,
        entries=[(m["secretary"], None), (m["member"], "1")],
    )
    t.refresh_from_db()
    stale = t.version
    t = services.training_update(
        actor=branch_secretary, training=t, version=stale, hours=Decimal("3")
    )
    hours = dict(t.attendances.values_list("member_id", "hours"))
    assert hours == {m["secretary"].pk: Decimal("3"), m["member"].pk: Decimal("1")}
    with pytest.raises(ValidationError) as exc:
        services.training_update(actor=branch_secretary, training=t, version=stale, title="新")
    assert exc.value.code == "conflict"
    t.refresh_from_db()
    assert t.title == "专题培训"
    # Below what a partial attendee was credited with: refused, nothing changes.
    with pytest.raises(ValidationError) as exc:
        services.training_update(actor=branch_secretary, training=t, hours=Decimal("0.5"))
    assert "hours" in exc.value.message_dict
    t.refresh_from_db()
    assert t.hours == Decimal("3")
    assert AuditEvent.objects.filter(object_id=str(t.pk), action="update").count() == 2


def test_update_cannot_move_organization(tree, office_staff, make_training):
    t = make_training()
    with pytest.raises(ValidationError):
        services.training_update(
            actor=office_staff, training=t, organization=tree.orgs["other_branch"]
        )


def test_attendance_defaults_and_replaces(tree, branch_secretary, make_training):
    t = make_training(hours="2")
    m = tree.members
    rows = services.attendance_set(
        actor=branch_secretary, training=t, entries=[(m["secretary"], None), (m["member"], "1.5")]
    )
    assert {(r.member_id, r.hours) for r in rows} == {
        (m["secretary"].pk, Decimal("2")),
        (m["member"].pk, Decimal("1.5")),
    }
    rows = services.attendance_set(
        actor=branch_secretary, training=t, entries=[(m["member"], None)]
    )
    assert [(r.member_id, r.hours) for r in rows] == [(m["member"].pk, Decimal("2"))]
    assert AuditEvent.objects.filter(object_id=str(t.pk), action="update").count() == 2


@pytest.mark.parametrize("hours", ["3", "0", "-1", "abc", "1.25"])
def test_attendance_bad_hours_change_nothing(tree, branch_secretary, make_training, hours):
    t = make_training(hours="2")
    m = tree.members
    services.attendance_set(actor=branch_secretary, training=t, entries=[(m["member"], None)])
    with pytest.raises(ValidationError) as exc:
        services.attendance_set(
            actor=branch_secretary,
            training=t,
            entries=[(m["secretary"], None), (m["member"], hours)],
        )
    assert "hours" in exc.value.message_dict
    assert list(TrainingAttendance.objects.values_list("member_id", "hours")) == [
        (m["member"].pk, Decimal("2"))
    ]


def test_attendance_member_outside_subtree_refused(tree, office_staff, make_training):
    t = make_training(org="branch")
    with pytest.raises(ValidationError) as exc:
        services.attendance_set(
            actor=office_staff,
            training=t,
            entries=[(tree.members["secretary"], None), (tree.members["other"], None)],
        )
    assert "钱同志" in " ".join(exc.value.message_dict["member"])
    assert not TrainingAttendance.objects.exists()


def test_attendance_twice_and_stale_refused(tree, branch_secretary, make_training):
    t = make_training()
    m = tree.members["member"]
    with pytest.raises(ValidationError):
        services.attendance_set(actor=branch_secretary, training=t, entries=[(m, None), (m, "1")])
    with pytest.raises(ValidationError) as exc:
        services.attendance_set(
            actor=branch_secretary, training=t, entries=[(m, None)], version=t.version + 5
        )
    assert exc.value.code == "conflict"
    assert not TrainingAttendance.objects.exists()


def test_attendance_guard(tree, outsider, make_training):
    t = make_training()
    with pytest.raises(PermissionDenied):
        services.attendance_set(actor=outsider, training=t, entries=[])


def test_creating_a_training_already_recorded_links_to_it(tree, branch_secretary):
    """Same organization, title and date: nothing is added; the message names the record."""
    first = _create(tree, branch_secretary)
    with pytest.raises(ValidationError) as exc:
        _create(tree, branch_secretary)
    assert first.get_absolute_url() in exc.value.messages[0]
    assert Training.objects.count() == 1
