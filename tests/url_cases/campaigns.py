"""Campaigns and their ledger.

The campaign every case opens is issued by the organ committee (jiguan's
scope) and covers only the branch of ``branch_secretary`` (zhibu), so the
``outsider`` (secretary of the other branch) sees nothing of it. Its one
requirement has a submission reported by the branch.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.test_url_matrix import Case, S

ANY_CAMPAIGN_ROLE = S("office_staff", "dangzu_office", "branch_secretary", "member", "outsider")
VIEWERS = S("office_staff", "dangzu_office", "branch_secretary", "member")
MANAGERS = S("office_staff", "dangzu_office")
REPORTERS = S("office_staff", "dangzu_office", "branch_secretary")
REVIEWERS = S("office_staff")


def _campaign(tree, name="branch"):
    from dangjian.campaigns import services
    from dangjian.campaigns.models import Campaign

    existing = Campaign.objects.filter(name="矩阵测试行动").first()
    if existing:
        return existing
    today = timezone.localdate()
    campaign = services.campaign_create(
        actor=None,
        check=False,
        name="矩阵测试行动",
        organization=tree.orgs["committee"],
        covered=tree.orgs["branch"],
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=30),
    )
    services.requirement_add(
        actor=None, check=False, campaign=campaign, title="主题党日", due_on=today
    )
    return campaign


def _campaign_pk(tree, name):
    return _campaign(tree, name).pk


def _requirement_pk(tree, name):
    return _campaign(tree).requirements.get().pk


def _submission_pk(tree, name):
    from dangjian.campaigns import services
    from dangjian.campaigns.models import Submission

    campaign = _campaign(tree)
    requirement = campaign.requirements.get()
    found = Submission.objects.filter(requirement=requirement).first()
    if found:
        return found.pk
    activity = services.activity_create(
        actor=None,
        check=False,
        type="themed_party_day",
        title="主题党日活动",
        held_on=timezone.localdate(),
        organization=tree.orgs["branch"],
        campaign=campaign,
    )
    return services.submission_report(
        actor=None,
        check=False,
        requirement=requirement,
        organization=tree.orgs["branch"],
        activity=activity,
    ).pk


def _activity(tree):
    from dangjian.campaigns import services
    from dangjian.campaigns.models import Activity

    found = Activity.objects.filter(title="矩阵测试论坛").first()
    if found:
        return found
    return services.activity_create(
        actor=None,
        check=False,
        type="forum",
        title="矩阵测试论坛",
        held_on=timezone.localdate(),
        organization=tree.orgs["branch"],
        campaign=_campaign(tree),
    )


def _activity_pk(tree, name):
    return _activity(tree).pk


def _presentation_pk(tree, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.campaigns import services

    activity = _activity(tree)
    found = activity.presentations.first()
    if found:
        return found.pk
    return services.presentation_add(
        actor=None,
        check=False,
        activity=activity,
        topic="矩阵测试发言",
        organization=tree.orgs["branch"],
        material=SimpleUploadedFile("发言.txt", "发言材料".encode()),
    ).pk


def _photo_pk(tree, name):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from dangjian.campaigns import services

    activity = _activity(tree)
    found = activity.photos.first()
    if found:
        return found.pk
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 0, 0)).save(buf, "PNG")
    return services.photo_add(
        actor=None,
        check=False,
        activity=activity,
        upload=SimpleUploadedFile("现场.png", buf.getvalue()),
    ).pk


def _campaign_with_notice_pk(tree, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.campaigns import services

    campaign = _campaign(tree)
    if not campaign.notice_file:
        campaign = services.campaign_update(
            actor=None,
            check=False,
            campaign=campaign,
            notice_upload=SimpleUploadedFile("通知.txt", "关于开展行动的通知".encode()),
        )
    return campaign.pk


RESOLVERS = {
    "campaign": _campaign_pk,
    "requirement": _requirement_pk,
    "submission": _submission_pk,
    "activity": _activity_pk,
    "presentation": _presentation_pk,
    "photo": _photo_pk,
    "campaign_notice": _campaign_with_notice_pk,
}

C = {"pk": "campaign:branch"}
A = {"pk": "activity:branch"}
P = {"pk": "presentation:branch"}
PH = {"pk": "photo:branch"}
CASES = {
    "campaigns:campaign_list": Case(ANY_CAMPAIGN_ROLE),
    "campaigns:campaign_create": Case(MANAGERS),
    "campaigns:campaign_detail": Case(VIEWERS, C),
    "campaigns:campaign_update": Case(MANAGERS, C),
    "campaigns:requirement_create": Case(MANAGERS, C),
    "campaigns:planned_create": Case(MANAGERS, C),
    "campaigns:ledger": Case(VIEWERS, C),
    "campaigns:ledger_export": Case(VIEWERS, C),
    "campaigns:report": Case(
        REPORTERS, {"pk": "campaign:branch", "req": "requirement:branch", "org": "org:branch"}
    ),
    "campaigns:report_record": Case(
        REPORTERS,
        {"pk": "campaign:branch", "req": "requirement:branch", "org": "org:branch"},
        method="post",
    ),
    "campaigns:submission_return": Case(REVIEWERS, {"pk": "submission:branch"}),
    "campaigns:submission_accept": Case(REVIEWERS, {"pk": "submission:branch"}, method="post"),
    "campaigns:notice_download": Case(VIEWERS, {"pk": "campaign_notice:branch"}),
    "campaigns:remind_late": Case(MANAGERS, C, method="post"),
    # Activities: seen by the branch's viewers, recorded by the branch and the offices,
    # exemplary cases marked by the offices (campaign.manage) only.
    "campaigns:activity_list": Case(ANY_CAMPAIGN_ROLE),
    "campaigns:activity_create": Case(REPORTERS | S("outsider")),
    "campaigns:case_list": Case(ANY_CAMPAIGN_ROLE),
    "campaigns:activity_detail": Case(VIEWERS, A),
    "campaigns:activity_update": Case(REPORTERS, A),
    "campaigns:activity_report": Case(REPORTERS, A),
    "campaigns:activity_exemplary": Case(MANAGERS, A),
    "campaigns:presentation_create": Case(REPORTERS, A),
    "campaigns:agenda_build": Case(REPORTERS, A),
    "campaigns:photo_create": Case(REPORTERS, A),
    "campaigns:presentation_update": Case(REPORTERS, P),
    "campaigns:presentation_delete": Case(REPORTERS, P, method="post"),
    "campaigns:presentation_move": Case(REPORTERS, P, method="post"),
    "campaigns:presentation_exemplary": Case(MANAGERS, P),
    "campaigns:presentation_material": Case(VIEWERS, P),
    "campaigns:photo_image": Case(VIEWERS, PH),
    "campaigns:photo_thumbnail": Case(VIEWERS, PH),
    "campaigns:photo_delete": Case(REPORTERS, PH, method="post"),
}
