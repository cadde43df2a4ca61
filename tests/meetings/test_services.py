"""Meeting services: the record, optimistic locking, agenda, attendance, decisions → tasks."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.meetings import services
from dangjian.meetings.models import AgendaItem, Attendance, Meeting
from dangjian.people import services as people_services
from tests.factories import make_member


def statuses(meeting) -> dict[str, str]:
    return {a.member.name: a.status for a in meeting.attendances.select_related("member")}


def test_create_lists_the_branch_members_as_expected_and_is_audited(tree, branch_secretary):
    """A branch meeting expects the branch's own current members; an audit row is written."""
    meeting = services.meeting_create(
        actor=branch_secretary,
        organization=tree.orgs["branch"],
        kind="branch_committee",
        title="十二月支委会",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        chair=tree.members["secretary"],
        invited_leaders=[{"name": "张三", "title": "机关党委副书记"}, {"name": "", "title": ""}],
    )
    assert statuses(meeting) == {"李书记": "expected", "王党员": "expected", "赵预备": "expected"}
    assert meeting.invited_leaders == [{"name": "张三", "title": "机关党委副书记"}]
    assert AuditEvent.objects.filter(
        object_type="meetings.meeting", object_id=str(meeting.pk), action="create"
    ).exists()


def test_leading_group_meeting_expects_the_post_holders(tree, dangzu_office):
    """A leading group meeting expects the leading group's current post holders."""
    root = tree.orgs["root"]
    chief = make_member(tree.orgs["committee"], "局长党组书记")
    deputy = make_member(tree.orgs["branch"], "副局长")
    for member, title in ((chief, "leading_group_secretary"), (deputy, "leading_group_member")):
        people_services.post_assign(
            actor=None, member=member, organization=root, title=title, check=False
        )
    meeting = services.meeting_create(
        actor=dangzu_office,
        organization=root,
        kind="leading_group_meeting",
        title="党组会议",
        starts_at=timezone.now(),
    )
    assert set(statuses(meeting)) == {"局长党组书记", "副局长"}


def test_leading_group_meeting_without_posts_falls_back_to_members(tree, dangzu_office):
    meeting = services.meeting_create(
        actor=dangzu_office,
        organization=tree.orgs["root"],
        kind="leading_group_meeting",
        title="党组会议",
        starts_at=timezone.now(),
    )
    assert statuses(meeting) == {}  # the root has no direct members in the test tree


def test_create_outside_scope_is_refused(tree, outsider):
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=outsider,
            organization=tree.orgs["branch"],
            kind="branch_committee",
            title="越权",
            starts_at=timezone.now(),
        )
    assert not Meeting.objects.exists()


def test_chair_from_another_organization_and_end_before_start_are_refused(tree, branch_secretary):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=branch_secretary,
            organization=tree.orgs["branch"],
            kind="branch_committee",
            title="会议",
            starts_at=now,
            chair=tree.members["other"],
        )
    assert "chair" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=branch_secretary,
            organization=tree.orgs["branch"],
            kind="branch_committee",
            title="会议",
            starts_at=now,
            ends_at=now - datetime.timedelta(hours=1),
        )
    assert "ends_at" in exc.value.message_dict
    assert not Meeting.objects.exists()


def test_a_stale_version_is_refused_and_changes_nothing(make_meeting, branch_secretary):
    """Two people edit the same meeting: the second save is told of the conflict."""
    meeting = make_meeting()
    read_version = meeting.version
    services.meeting_update(
        actor=branch_secretary, meeting=meeting, version=read_version, venue="第一会议室"
    )
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(
            actor=branch_secretary, meeting=meeting, version=read_version, venue="第二会议室"
        )
    assert exc.value.error_list[0].code == "conflict"
    meeting.refresh_from_db()
    assert meeting.venue == "第一会议室"
    assert meeting.version == read_version + 1


def test_attendance_of_a_meeting_not_yet_held_is_refused(make_meeting, tree, branch_secretary):
    """Present/late/absent for a future meeting: a clear error and nothing saved; leave is fine."""
    meeting = make_meeting(starts_at=timezone.now() + datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            actor=branch_secretary,
            meeting=meeting,
            entries=[
                {"member": tree.members["member"], "status": "present"},
                {"member": tree.members["probationary"], "status": "leave", "reason": "出差"},
            ],
        )
    assert "王党员" in exc.value.messages[0]
    assert set(statuses(meeting).values()) == {"expected"}
    services.attendance_record(
        actor=branch_secretary,
        meeting=meeting,
        entries=[{"member": tree.members["probationary"], "status": "leave", "reason": "出差"}],
    )
    assert statuses(meeting)["赵预备"] == "leave"


def test_a_member_listed_twice_is_refused(make_meeting, tree, branch_secretary):
    meeting = make_meeting()
    member = tree.members["member"]
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            actor=branch_secretary,
            meeting=meeting,
            entries=[
                {"member": member, "status": "present"},
                {"member": member, "status": "absent"},
            ],
        )
    assert "王党员" in exc.value.messages[0]
    assert statuses(meeting)["王党员"] == "expected"
    assert Attendance.objects.filter(meeting=meeting, member=member).count() == 1


def test_leave_needs_a_reason_and_strangers_are_refused(make_meeting, tree, branch_secretary):
    meeting = make_meeting()
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=branch_secretary,
            meeting=meeting,
            entries=[{"member": tree.members["member"], "status": "leave", "reason": " "}],
        )
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            actor=branch_secretary,
            meeting=meeting,
            entries=[{"member": tree.members["other"], "status": "present"}],
        )
    assert "钱同志" in exc.value.messages[0]
    assert set(statuses(meeting).values()) == {"expected"}


def test_attendance_is_recorded_audited_and_bumps_the_version(make_meeting, tree, branch_secretary):
    meeting = make_meeting()
    services.attendance_record(
        actor=branch_secretary,
        meeting=meeting,
        entries=[
            {"member": tree.members["member"], "status": "late"},
            {"member": tree.members["secretary"], "status": "present"},
            {"member": tree.members["probationary"], "status": "absent"},
        ],
    )
    assert statuses(meeting) == {"李书记": "present", "王党员": "late", "赵预备": "absent"}
    assert Meeting.objects.get(pk=meeting.pk).version == meeting.version + 1
    event = AuditEvent.objects.filter(object_id=str(meeting.pk), action="update").latest("id")
    assert event.changes["attendance"]["王党员"] == ["expected", "late"]


def test_first_agenda_rule_warns_but_does_not_refuse(tree, dangzu_office, topic, make_meeting):
    """A leading group meeting whose first item is not study is saved, with a warning."""
    meeting = make_meeting(org="root", kind="leading_group_meeting", title="党组会议")
    assert services.first_agenda_warning(meeting)
    services.agenda_item_add(
        actor=dangzu_office, meeting=meeting, kind="deliberation", title="研究人事"
    )
    assert services.first_agenda_warning(meeting)
    study = services.agenda_item_add(
        actor=dangzu_office,
        meeting=meeting,
        kind="study",
        title="传达学习",
        topics=[topic],
        order=1,
    )
    assert list(meeting.agenda_items.values_list("title", "order")) == [
        ("传达学习", 1),
        ("研究人事", 2),
    ]
    assert list(study.topics.all()) == [topic]
    assert services.first_agenda_warning(meeting) == ""
    branch_meeting = make_meeting()
    assert services.first_agenda_warning(branch_meeting) == ""


def test_topics_only_on_study_items_and_delete_renumbers(make_meeting, topic, branch_secretary):
    meeting = make_meeting()
    with pytest.raises(ValidationError):
        services.agenda_item_add(
            actor=branch_secretary, meeting=meeting, kind="report", title="汇报", topics=[topic]
        )
    a = services.agenda_item_add(actor=branch_secretary, meeting=meeting, kind="other", title="A")
    b = services.agenda_item_add(actor=branch_secretary, meeting=meeting, kind="other", title="B")
    c = services.agenda_item_add(actor=branch_secretary, meeting=meeting, kind="other", title="C")
    services.agenda_reorder(actor=branch_secretary, meeting=meeting, item_ids=[c.pk, a.pk, b.pk])
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["C", "A", "B"]
    services.agenda_item_delete(actor=branch_secretary, item=AgendaItem.objects.get(pk=a.pk))
    assert list(meeting.agenda_items.values_list("title", "order")) == [("C", 1), ("B", 2)]


def test_minutes_and_decisions_per_item(make_meeting, branch_secretary):
    meeting = make_meeting()
    item = services.agenda_item_add(
        actor=branch_secretary, meeting=meeting, kind="deliberation", title="研究工作"
    )
    item = services.agenda_item_update(
        actor=branch_secretary,
        item=item,
        minutes="会议认为……",
        decisions=["一要提高政治站位", "", "二要狠抓落实"],
    )
    assert item.decisions == ["一要提高政治站位", "二要狠抓落实"]
    assert item.minutes == "会议认为……"


def test_cancel_and_mark_held(make_meeting, branch_secretary):
    future = make_meeting(starts_at=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.meeting_mark_held(actor=branch_secretary, meeting=future)
    services.meeting_cancel(actor=branch_secretary, meeting=future, reason="改期")
    future.refresh_from_db()
    assert future.status == Meeting.Status.CANCELLED
    with pytest.raises(ValidationError):
        services.meeting_update(actor=branch_secretary, meeting=future, venue="x")
    past = make_meeting()
    services.meeting_mark_held(actor=branch_secretary, meeting=past)
    past.refresh_from_db()
    assert past.status == Meeting.Status.HELD
    with pytest.raises(ValidationError):
        services.meeting_cancel(actor=branch_secretary, meeting=past)


def test_decision_becomes_tasks(make_meeting, tree, office_staff):
    """Each row becomes a task issued by the meeting's organization, with the item as origin."""
    from dangjian.tasks.models import Task

    meeting = make_meeting(org="committee", kind="branch_assembly", title="机关党委会议")
    item = services.agenda_item_add(
        actor=office_staff,
        meeting=meeting,
        kind="deliberation",
        title="研究部署",
        decisions=["一要抓好学习", "二要狠抓落实"],
    )
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    tasks = services.decision_to_tasks(
        actor=office_staff,
        item=item,
        decision_index=1,
        tasks=[
            {"title": "制定落实方案", "deadline": deadline, "lead_unit": tree.units["office"]},
            {
                "title": "开展专题学习",
                "deadline": deadline,
                "lead_organization": tree.orgs["branch"],
                "responsible": tree.members["secretary"],
            },
        ],
    )
    assert [t.title for t in tasks] == ["制定落实方案", "开展专题学习"]
    stored = Task.objects.filter(origin_agenda_item=item)
    assert stored.count() == 2
    assert {t.organization_id for t in stored} == {tree.orgs["committee"].pk}
    assert {t.origin_meeting_id for t in stored} == {meeting.pk}


def test_decision_tasks_bad_input_saves_nothing(make_meeting, tree, office_staff):
    from dangjian.tasks.models import Task

    meeting = make_meeting(org="committee", kind="branch_assembly")
    item = services.agenda_item_add(
        actor=office_staff, meeting=meeting, kind="other", title="x", decisions=["一要"]
    )
    good = {
        "title": "好",
        "deadline": timezone.localdate() + datetime.timedelta(days=3),
        "lead_unit": tree.units["office"],
    }
    bad = {
        "title": "坏",
        "deadline": timezone.localdate() - datetime.timedelta(days=3),
        "lead_unit": tree.units["office"],
    }
    with pytest.raises(ValidationError):
        services.decision_to_tasks(
            actor=office_staff, item=item, decision_index=0, tasks=[good, bad]
        )
    with pytest.raises(ValidationError):
        services.decision_to_tasks(actor=office_staff, item=item, decision_index=5, tasks=[good])
    with pytest.raises(ValidationError):
        services.decision_to_tasks(
            actor=office_staff, item=item, decision_index=0, tasks=[{**good, "lead_unit": None}]
        )
    assert not Task.objects.exists()
