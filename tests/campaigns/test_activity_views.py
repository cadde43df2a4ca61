"""Activity pages, photos, exemplary cases, the agenda, the notice and the ledger
chart through the views: scope (outsider 404, member 403), bad input kept on
the form with nothing saved, query counts of the list pages."""

from __future__ import annotations

import datetime
import json

from django.urls import reverse

from dangjian.campaigns import services
from dangjian.campaigns.models import Activity, ActivityPhoto, Campaign, Presentation, Submission
from tests.campaigns.conftest import image_bytes, stored_files, upload
from tests.factories import PASSWORD


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _activity_post(tree, campaign, today, **extra):
    data = {
        "type": "launch_ceremony",
        "title": "能力提升行动启动仪式",
        "held_on": today.isoformat(),
        "organization": tree.orgs["branch"].pk,
        "campaign": campaign.pk,
        "participants": "60",
        "participant_groups": "各部门党支部副书记",
        "leaders-TOTAL_FORMS": "2",
        "leaders-INITIAL_FORMS": "0",
        "leaders-MIN_NUM_FORMS": "0",
        "leaders-MAX_NUM_FORMS": "1000",
        "leaders-0-name": "杨小伟",
        "leaders-0-title": "局党组成员、副局长",
        "leaders-0-role": "spoke",
        "leaders-1-name": "乐玉成",
        "leaders-1-role": "entrusted",
        "leaders-1-entrusted_by": "",
    }
    data.update(extra)
    return data


def test_record_activity_with_leaders(client, tree, campaign, branch_secretary, today):
    _login(client, branch_secretary)
    url = reverse("campaigns:activity_create")
    bad = client.post(url, _activity_post(tree, campaign, today))
    assert bad.status_code == 200 and not Activity.objects.exists()
    assert bad.context["formset"].forms[1].errors["entrusted_by"]
    assert "能力提升行动启动仪式" in bad.content.decode()  # the input is kept
    ok = client.post(
        url, _activity_post(tree, campaign, today, **{"leaders-1-entrusted_by": "局长"})
    )
    activity = Activity.objects.get()
    assert ok.status_code == 302 and ok["Location"].endswith(f"/activities/{activity.pk}/")
    assert activity.participants == 60
    assert [(x["name"], x["role"]) for x in activity.leaders] == [
        ("杨小伟", "spoke"),
        ("乐玉成", "entrusted"),
    ]
    page = client.get(ok["Location"]).content.decode()
    assert "局长" in page and "杨小伟" in page


def test_stale_activity_edit_keeps_input(client, make_activity, branch_secretary, tree, today):
    activity = make_activity()
    services.activity_update(actor=branch_secretary, activity=activity, version=1, venue="甲")
    _login(client, branch_secretary)
    data = _activity_post(tree, activity.campaign, today, version="1", title="我的新标题")
    data["leaders-1-entrusted_by"] = "局长"
    response = client.post(reverse("campaigns:activity_update", args=[activity.pk]), data)
    assert response.status_code == 200 and "我的新标题" in response.content.decode()
    activity.refresh_from_db()
    assert activity.title != "我的新标题" and activity.version == 2


def test_scope_outsider_404_member_403(client, make_activity, tree, member_user, outsider):
    activity = make_activity()
    _login(client, outsider)
    assert client.get(reverse("campaigns:activity_detail", args=[activity.pk])).status_code == 404
    assert activity.title not in client.get(reverse("campaigns:activity_list")).content.decode()
    client.logout()
    _login(client, member_user)
    detail = client.get(reverse("campaigns:activity_detail", args=[activity.pk]))
    assert detail.status_code == 200
    assert 'data-testid="activity-edit"' not in detail.content.decode()
    assert 'data-testid="photo-form"' not in detail.content.decode()
    assert client.get(reverse("campaigns:activity_update", args=[activity.pk])).status_code == 403
    post = client.post(
        reverse("campaigns:photo_create", args=[activity.pk]),
        {"image": upload("a.png", image_bytes())},
    )
    assert post.status_code == 403 and not ActivityPhoto.objects.exists()


def test_list_filters_and_empty_state(client, make_activity, office_staff, tree, campaign, today):
    make_activity(title="主题党日甲")
    make_activity(title="专题培训乙", type="special_training", campaign=None)
    _login(client, office_staff)
    url = reverse("campaigns:activity_list")
    titles = lambda r: [a.title for a in r.context["object_list"]]  # noqa: E731
    assert set(titles(client.get(url))) == {"主题党日甲", "专题培训乙"}
    assert titles(client.get(url, {"type": "special_training"})) == ["专题培训乙"]
    assert titles(client.get(url, {"campaign": campaign.pk})) == ["主题党日甲"]
    assert titles(client.get(url, {"q": "培训"})) == ["专题培训乙"]
    assert titles(client.get(url, {"root": tree.orgs["other_branch"].pk})) == []
    later = (today + datetime.timedelta(days=1)).isoformat()
    empty = client.get(url, {"from": later})
    assert titles(empty) == [] and 'data-testid="activity-empty"' in empty.content.decode()
    assert client.get(url, {"root": "x"}).status_code == 404


def test_list_query_count_does_not_grow(
    client, make_activity, office_staff, django_assert_max_num_queries
):
    make_activity()
    _login(client, office_staff)
    url = reverse("campaigns:activity_list")
    client.get(url)
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    for i in range(30):
        make_activity(title=f"活动{i}", leaders=[{"name": "张", "role": "attended"}])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["object_list"]) == 25


def test_photo_upload_and_scoped_download(client, make_activity, branch_secretary, outsider, media):
    activity = make_activity()
    _login(client, branch_secretary)
    url = reverse("campaigns:photo_create", args=[activity.pk])
    bad = client.post(url, {"image": upload("现场.jpg", "不是图片".encode(), "image/jpeg")})
    assert bad.status_code == 200 and bad.context["form"].errors["image"]
    assert "现场.jpg" in bad.content.decode()
    assert not ActivityPhoto.objects.exists() and stored_files(media) == []
    ok = client.post(url, {"image": upload("现场.png", image_bytes()), "caption": "合影"})
    assert ok.status_code == 302
    photo = ActivityPhoto.objects.get()
    thumb = client.get(reverse("campaigns:photo_thumbnail", args=[photo.pk]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert thumb["X-Content-Type-Options"] == "nosniff"
    full = client.get(reverse("campaigns:photo_image", args=[photo.pk]))
    assert full["Content-Type"] == "image/png"
    client.logout()
    _login(client, outsider)
    assert client.get(reverse("campaigns:photo_image", args=[photo.pk])).status_code == 404


def test_presentation_material_and_exemplary_case_page(
    client, make_activity, branch_secretary, office_staff, member_user, tree, media
):
    activity = make_activity()
    _login(client, branch_secretary)
    url = reverse("campaigns:presentation_create", args=[activity.pk])
    missing = client.post(url, {"topic": "经验交流"})
    assert missing.status_code == 200 and "presenter" in missing.context["form"].errors
    fake = client.post(
        url,
        {"topic": "经验交流", "presenter": "王", "material_upload": upload("x.pdf", b"nope")},
    )
    assert fake.status_code == 200 and fake.context["form"].errors["material_upload"]
    assert not Presentation.objects.exists() and stored_files(media) == []
    client.post(
        url,
        {
            "topic": "聚焦创建四强党支部",
            "organization": tree.orgs["branch"].pk,
            "material_upload": upload("发言.txt", "发言稿".encode()),
        },
    )
    p = Presentation.objects.get()
    download = client.get(reverse("campaigns:presentation_material", args=[p.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == "发言稿".encode()
    assert "attachment" in download["Content-Disposition"]
    # The branch cannot mark exemplary cases; the office can.
    mark = reverse("campaigns:presentation_exemplary", args=[p.pk])
    assert client.get(mark).status_code == 403
    client.logout()
    _login(client, office_staff)
    no_note = client.post(mark, {"exemplary": "on", "note": ""})
    assert no_note.status_code == 200 and "note" in no_note.context["form"].errors
    assert client.post(mark, {"exemplary": "on", "note": "可复制可推广"}).status_code == 302
    cases = client.get(reverse("campaigns:case_list"))
    assert [c.pk for c in cases.context["presentations"]] == [p.pk]
    assert "可复制可推广" in cases.content.decode()
    client.logout()
    _login(client, member_user)
    assert client.get(reverse("campaigns:case_list")).context["presentations"] == [p]


def test_agenda_built_on_the_forum_page(
    client, make_activity, branch_secretary, office_staff, tree, today
):
    source = make_activity()
    case = services.presentation_add(
        actor=branch_secretary, activity=source, topic="支部经验", organization=tree.orgs["branch"]
    )
    services.exemplary_mark(actor=office_staff, obj=case, note="典型")
    forum = services.activity_create(
        actor=office_staff,
        type="forum",
        title="四强论坛",
        held_on=today,
        organization=tree.orgs["committee"],
    )
    _login(client, office_staff)
    url = reverse("campaigns:agenda_build", args=[forum.pk])
    assert client.post(url, {}).context["form"].errors["cases"]
    assert client.post(url, {"cases": [case.pk]}).status_code == 302
    item = forum.presentations.get()
    assert item.source == case and item.topic == "支部经验"
    detail = client.get(reverse("campaigns:activity_detail", args=[forum.pk])).content.decode()
    assert 'data-testid="agenda-build"' in detail and "支部经验" in detail


def test_report_from_the_activity_page(
    client, campaign, requirement, office_staff, branch_secretary, make_activity, today
):
    second = services.requirement_add(
        actor=office_staff, campaign=campaign, title="报送心得", due_on=today
    )
    activity = make_activity()
    _login(client, branch_secretary)
    url = reverse("campaigns:activity_report", args=[activity.pk])
    assert client.post(url, {}).context["form"].errors["requirements"]
    response = client.post(url, {"requirements": [requirement.pk, second.pk]})
    assert response.status_code == 302
    assert set(Submission.objects.values_list("requirement_id", flat=True)) == {
        requirement.pk,
        second.pk,
    }
    detail = client.get(reverse("campaigns:activity_detail", args=[activity.pk])).content.decode()
    assert detail.count('data-testid="submission-status"') == 2


def test_news_link_when_the_reports_page_exists(client, make_activity, branch_secretary):
    from django.urls import NoReverseMatch

    activity = make_activity()
    _login(client, branch_secretary)
    page = client.get(reverse("campaigns:activity_detail", args=[activity.pk]))
    try:
        expected = reverse("reports:activity_news", args=[activity.pk])
    except NoReverseMatch:
        expected = ""
    assert page.context["news_url"] == expected
    assert ('data-testid="activity-news"' in page.content.decode()) == bool(expected)


def test_notice_attachment_through_the_pages(client, campaign, office_staff, outsider, media):
    _login(client, office_staff)
    url = reverse("campaigns:campaign_update", args=[campaign.pk])
    data = {
        "version": campaign.version,
        "name": campaign.name,
        "covered": campaign.covered_id,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
    }
    bad = client.post(url, data | {"notice_upload": upload("通知.docx", b"plain text")})
    assert bad.status_code == 200 and bad.context["form"].errors["notice_upload"]
    ok = client.post(url, data | {"notice_upload": upload("通知.txt", "通知全文".encode())})
    assert ok.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.notice_file_name == "通知.txt"
    detail = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    assert 'data-testid="notice-download"' in detail.content.decode()
    download = client.get(reverse("campaigns:notice_download", args=[campaign.pk]))
    assert b"".join(download.streaming_content) == "通知全文".encode()
    client.logout()
    # The other branch's secretary is covered by the campaign too: they read the notice.
    _login(client, outsider)
    assert client.get(reverse("campaigns:notice_download", args=[campaign.pk])).status_code == 200


def test_ledger_chart_and_remind_button(
    client, tree, campaign, office_staff, branch_secretary, make_activity, today
):
    late = services.requirement_add(
        actor=office_staff,
        campaign=campaign,
        title="逾期报送",
        due_on=today - datetime.timedelta(days=1),
        organization_kinds=["branch"],
    )
    sub = services.submission_report(
        actor=branch_secretary,
        requirement=late,
        organization=tree.orgs["branch"],
        activity=make_activity(),
    )
    services.submission_accept(actor=office_staff, submission=sub)
    _login(client, office_staff)
    page = client.get(reverse("campaigns:ledger", args=[campaign.pk]))
    groups = {g["organization"].pk: g["percent"] for g in page.context["ledger"].by_subtree}
    assert groups == {tree.orgs["branch"].pk: 100, tree.orgs["other_branch"].pk: 0}
    html = page.content.decode()
    assert 'id="ledger-chart-data"' in html and 'data-testid="subtree-table"' in html
    chart = page.context["chart"]
    assert json.loads(json.dumps(chart))["accepted"] == [100, 0]
    assert 'data-testid="remind-late"' in html
    remind = reverse("campaigns:remind_late", args=[campaign.pk])
    assert client.post(remind).status_code == 302
    from dangjian.campaigns.models import CampaignReminder

    assert CampaignReminder.objects.count() == 1  # only the other branch was late
    client.logout()
    _login(client, branch_secretary)
    branch_page = client.get(reverse("campaigns:ledger", args=[campaign.pk])).content.decode()
    assert 'data-testid="remind-late"' not in branch_page
    assert client.post(remind).status_code == 403


def test_case_list_query_count_does_not_grow(
    client, make_activity, branch_secretary, office_staff, django_assert_max_num_queries
):
    def add_case(i):
        activity = make_activity(title=f"活动{i}")
        services.exemplary_mark(actor=office_staff, obj=activity, note="典型")
        p = services.presentation_add(
            actor=branch_secretary, activity=activity, topic=f"经验{i}", presenter="王"
        )
        services.exemplary_mark(actor=office_staff, obj=p, note="典型")

    add_case(0)
    _login(client, office_staff)
    url = reverse("campaigns:case_list")
    client.get(url)
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    for i in range(1, 8):
        add_case(i)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["presentations"]) == 8
