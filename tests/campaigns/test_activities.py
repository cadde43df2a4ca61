"""Activities: edit with leaders and optimistic locking, presentations, photos,
exemplary cases, the forum agenda from cases, one activity reported against
several requirements, the notice attachment — services, with bad input."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.campaigns import selectors, services
from dangjian.campaigns.models import ActivityPhoto, Campaign, Presentation, Submission
from dangjian.core.models import AuditEvent
from tests.campaigns.conftest import image_bytes, stored_files, upload

LEADERS = [
    {"name": "杨小伟", "title": "局党组成员、副局长", "role": "spoke"},
    {"name": "乐玉成", "title": "局党组成员", "role": "entrusted", "entrusted_by": "局党组书记"},
    {"name": "", "title": "", "role": ""},
]


def test_activity_leaders_cleaned_and_update_locked(make_activity, branch_secretary):
    activity = make_activity(leaders=LEADERS, participants=40)
    assert [leader["name"] for leader in activity.leaders] == ["杨小伟", "乐玉成"]
    assert activity.leaders[0]["entrusted_by"] == ""
    updated = services.activity_update(
        actor=branch_secretary, activity=activity, version=1, venue="五四二台"
    )
    assert updated.version == 2 and updated.venue == "五四二台"
    with pytest.raises(ValidationError):
        services.activity_update(actor=branch_secretary, activity=activity, version=1, venue="x")
    assert AuditEvent.objects.filter(object_type="campaigns.activity", action="update").count() == 1


@pytest.mark.parametrize(
    "leaders",
    [
        [{"name": "张三", "role": "entrusted"}],  # entrusted by nobody
        [{"name": "张三", "role": "danced"}],
        [{"name": "", "title": "副局长", "role": "spoke"}],
    ],
)
def test_bad_leaders_refused(make_activity, leaders):
    from dangjian.campaigns.models import Activity

    with pytest.raises(ValidationError) as exc:
        make_activity(leaders=leaders)
    assert "leaders" in exc.value.error_dict
    assert not Activity.objects.exists()


def test_member_and_outsider_cannot_record(make_activity, member_user, outsider):
    with pytest.raises(PermissionDenied):
        make_activity(actor=member_user)
    with pytest.raises(PermissionDenied):
        make_activity(actor=outsider)


def test_activity_outside_campaign_refused(tree, office_staff, make_activity, today):
    other = services.campaign_create(
        actor=None,
        check=False,
        name="别处的行动",
        organization=tree.orgs["other_root"],
        covered=tree.orgs["other_root"],
        starts_on=today,
        ends_on=today + datetime.timedelta(days=5),
    )
    with pytest.raises(ValidationError) as exc:
        make_activity(campaign=other)
    assert "campaign" in exc.value.error_dict


def test_presentations_order_move_remove(
    tree, make_activity, branch_secretary, media, django_capture_on_commit_callbacks
):
    activity = make_activity()
    a = services.presentation_add(
        actor=branch_secretary, activity=activity, topic="经验一", organization=tree.orgs["branch"]
    )
    b = services.presentation_add(
        actor=branch_secretary,
        activity=activity,
        topic="经验二",
        unit=tree.units["office"],
        material=upload("slides.txt", "发言材料".encode()),
    )
    c = services.presentation_add(
        actor=branch_secretary, activity=activity, topic="经验三", presenter="王同志"
    )
    assert [p.order for p in (a, b, c)] == [1, 2, 3]
    assert b.material_name == "slides.txt" and len(stored_files(media)) == 1
    services.presentation_move(actor=branch_secretary, presentation=c, up=True)
    assert [p.topic for p in selectors.presentations_of(activity)] == ["经验一", "经验三", "经验二"]
    with pytest.raises(ValidationError) as exc:
        services.presentation_add(actor=branch_secretary, activity=activity, topic="无人")
    assert "presenter" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.presentation_add(
            actor=branch_secretary,
            activity=activity,
            topic="坏材料",
            presenter="王",
            material=upload("fake.pdf", b"not a pdf"),
        )
    assert "material" in exc.value.error_dict
    assert Presentation.objects.count() == 3 and len(stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.presentation_remove(actor=branch_secretary, presentation=b)
    assert Presentation.objects.count() == 2 and stored_files(media) == []
    activity.refresh_from_db()
    assert activity.version > 1  # presentations are part of the activity


def test_photo_added_reencoded_and_removed(
    make_activity, branch_secretary, media, django_capture_on_commit_callbacks
):
    from PIL import Image

    activity = make_activity()
    photo = services.photo_add(
        actor=branch_secretary,
        activity=activity,
        upload=upload("现场.jpg", image_bytes("JPEG", (1024, 768), exif=True)),
        caption="活动现场",
    )
    assert (photo.width, photo.height) == (1024, 768)
    with photo.image.open("rb") as fh:
        assert not Image.open(fh).getexif()
    with photo.thumbnail.open("rb") as fh:
        assert Image.open(fh).size == (320, 240)
    assert len(stored_files(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_remove(actor=branch_secretary, photo=photo)
    assert not ActivityPhoto.objects.exists() and stored_files(media) == []


def test_text_named_jpg_refused_nothing_saved(make_activity, branch_secretary, media):
    activity = make_activity()
    with pytest.raises(ValidationError) as exc:
        services.photo_add(
            actor=branch_secretary,
            activity=activity,
            upload=upload("photo.jpg", "这只是一段文字".encode(), "image/jpeg"),
        )
    assert "image" in exc.value.error_dict
    assert "photo.jpg" in exc.value.error_dict["image"][0].messages[0]
    assert not ActivityPhoto.objects.exists() and stored_files(media) == []
    assert not AuditEvent.objects.filter(object_type="campaigns.activityphoto").exists()


def test_member_cannot_add_photo(make_activity, member_user, media):
    with pytest.raises(PermissionDenied):
        services.photo_add(
            actor=member_user, activity=make_activity(), upload=upload("a.png", image_bytes())
        )
    assert stored_files(media) == []


def test_exemplary_marking_needs_the_office(tree, make_activity, branch_secretary, office_staff):
    activity = make_activity()
    p = services.presentation_add(
        actor=branch_secretary, activity=activity, topic="四强支部经验", presenter="王"
    )
    with pytest.raises(PermissionDenied):
        services.exemplary_mark(actor=branch_secretary, obj=p, note="好")
    marked = services.exemplary_mark(actor=office_staff, obj=p, note="经验可复制")
    assert marked.exemplary and marked.exemplary_note == "经验可复制"
    services.exemplary_mark(actor=office_staff, obj=activity, note="组织有力")
    presentations, activities = selectors.exemplary_cases(user=office_staff)
    assert list(presentations) == [marked] and list(activities) == [activity]
    # Filters: another capability, another subtree.
    assert not selectors.exemplary_cases(user=office_staff, capability="research")[0].exists()
    assert selectors.exemplary_cases(user=office_staff, capability="political")[0].exists()
    assert not selectors.exemplary_cases(user=office_staff, root=tree.orgs["other_branch"])[
        0
    ].exists()
    # Cases travel down: the outsider's branch is addressed by the campaign and sees the case
    # (issue 12 point 6; tests/campaigns/test_cases_travel.py has the other side).
    assert list(selectors.exemplary_cases(user=tree.users["outsider"])[0]) == [marked]
    unmarked = services.exemplary_mark(actor=office_staff, obj=p, exemplary=False)
    assert not unmarked.exemplary and unmarked.exemplary_note == ""


def test_forum_agenda_from_cases(tree, make_activity, branch_secretary, office_staff, today):
    branch_day = make_activity()
    case = services.presentation_add(
        actor=branch_secretary,
        activity=branch_day,
        topic="聚焦创建四强党支部",
        summary="推动决策部署贯彻落实",
        organization=tree.orgs["branch"],
    )
    plain = services.presentation_add(
        actor=branch_secretary, activity=branch_day, topic="普通发言", presenter="李"
    )
    services.exemplary_mark(actor=office_staff, obj=case, note="典型")
    forum = services.activity_create(
        actor=office_staff,
        type="forum",
        title="四强党支部建设论坛",
        held_on=today,
        organization=tree.orgs["committee"],
    )
    with pytest.raises(ValidationError):
        services.agenda_build(actor=office_staff, activity=forum, cases=[plain])
    with pytest.raises(ValidationError):
        services.agenda_build(actor=office_staff, activity=branch_day, cases=[case])
    created = services.agenda_build(actor=office_staff, activity=forum, cases=[case])
    assert len(created) == 1
    item = created[0]
    assert item.source == case and item.organization == tree.orgs["branch"]
    assert (item.topic, item.summary, item.order) == (case.topic, case.summary, 1)
    # Again: the case is already on the agenda, nothing is added.
    assert services.agenda_build(actor=office_staff, activity=forum, cases=[case]) == []
    assert list(selectors.agenda_case_choices(user=office_staff, activity=forum)) == [case]
    with pytest.raises(PermissionDenied):
        services.agenda_build(actor=branch_secretary, activity=forum, cases=[case])


def test_one_activity_reported_against_several_requirements(
    campaign, requirement, office_staff, branch_secretary, make_activity, today, tree
):
    second = services.requirement_add(
        actor=office_staff, campaign=campaign, title="报送学习心得", due_on=today
    )
    activity = make_activity()
    assert selectors.reportable_requirements(user=branch_secretary, activity=activity) == [
        second,
        requirement,
    ]
    subs = services.activity_report(
        actor=branch_secretary, activity=activity, requirements=[requirement, second]
    )
    assert {s.requirement for s in subs} == {requirement, second}
    assert all(s.activity == activity and s.status == Submission.Status.REPORTED for s in subs)
    assert selectors.reportable_requirements(user=branch_secretary, activity=activity) == []
    ledger = selectors.ledger(user=office_staff, campaign=campaign)
    row = next(r for r in ledger.rows if r.organization == tree.orgs["branch"])
    assert [c.submission.activity for c in row.cells if c.submission] == [activity, activity]


def test_reporting_all_or_nothing(campaign, requirement, office_staff, branch_secretary, tree):
    """The second requirement is refused (not for groups): the first is not kept either."""
    only_groups = services.requirement_add(
        actor=office_staff,
        campaign=campaign,
        title="党小组学习",
        due_on=requirement.due_on,
        organization_kinds=["group"],
    )
    activity = services.activity_create(
        actor=branch_secretary,
        type="themed_party_day",
        title="主题党日",
        held_on=campaign.starts_on,
        organization=tree.orgs["branch"],
    )
    with pytest.raises(ValidationError):
        services.activity_report(
            actor=branch_secretary, activity=activity, requirements=[requirement, only_groups]
        )
    assert not Submission.objects.exists()


def test_notice_attachment(tree, office_staff, today, media, django_capture_on_commit_callbacks):
    data = {
        "name": "能力提升行动",
        "organization": tree.orgs["committee"],
        "covered": tree.orgs["committee"],
        "starts_on": today,
        "ends_on": today + datetime.timedelta(days=30),
    }
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(
            actor=office_staff, notice_upload=upload("通知.pdf", b"<html>not pdf"), **data
        )
    assert "notice_file" in exc.value.error_dict
    assert not Campaign.objects.exists() and stored_files(media) == []
    campaign = services.campaign_create(
        actor=office_staff, notice_upload=upload("通知.pdf", b"%PDF-1.4\n..."), **data
    )
    assert campaign.notice_file_name == "通知.pdf" and len(stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        campaign = services.campaign_update(
            actor=office_staff, campaign=campaign, version=1, notice_remove=True
        )
    assert not campaign.notice_file and stored_files(media) == []


def test_presentation_add_note_goes_to_its_audit_row(make_activity, branch_secretary):
    """``note`` (an import says where the presentation came from) joins the audit row's note."""
    activity = make_activity()
    plain = services.presentation_add(
        actor=branch_secretary, activity=activity, topic="经验一", presenter="王同志"
    )
    noted = services.presentation_add(
        actor=branch_secretary,
        activity=activity,
        topic="经验二",
        presenter="李同志",
        note="imported from a news report",
    )
    notes = {
        e.object_id: e.note for e in AuditEvent.objects.filter(object_type="campaigns.presentation")
    }
    assert notes == {
        str(plain.pk): f"activity {activity.pk}",
        str(noted.pk): f"activity {activity.pk}; imported from a news report",
    }
