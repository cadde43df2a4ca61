from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.campaigns import services
from dangjian.campaigns.models import Activity, Campaign, Requirement, Submission
from dangjian.core.models import AuditEvent


def test_campaign_create_is_audited(campaign):
    assert AuditEvent.objects.filter(
        object_type="campaigns.campaign", object_id=str(campaign.pk), action="create"
    ).exists()


def test_campaign_bad_capability_and_period(tree, office_staff, today):
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(
            actor=office_staff,
            name="x",
            organization=tree.orgs["committee"],
            covered=tree.orgs["committee"],
            starts_on=today,
            ends_on=today - datetime.timedelta(days=1),
            capabilities=["flying"],
        )
    assert {"ends_on", "capabilities"} <= set(exc.value.error_dict)
    assert not Campaign.objects.exists()


def test_branch_secretary_cannot_launch(tree, branch_secretary, today):
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            actor=branch_secretary,
            name="x",
            organization=tree.orgs["branch"],
            covered=tree.orgs["branch"],
            starts_on=today,
            ends_on=today,
        )


def test_requirement_due_outside_period(campaign, office_staff):
    with pytest.raises(ValidationError) as exc:
        services.requirement_add(
            actor=office_staff,
            campaign=campaign,
            title="迟到的要求",
            due_on=campaign.ends_on + datetime.timedelta(days=1),
        )
    assert "due_on" in exc.value.error_dict
    assert "期" in str(exc.value) or "period" in str(exc.value)
    assert not Requirement.objects.exists()


def test_campaign_update_stale_version(campaign, office_staff):
    services.campaign_update(actor=office_staff, campaign=campaign, version=1, goals="新目标")
    with pytest.raises(ValidationError):
        services.campaign_update(actor=office_staff, campaign=campaign, version=1, goals="旧")
    campaign.refresh_from_db()
    assert campaign.goals == "新目标" and campaign.version == 2


def test_report_return_accept(tree, requirement, make_activity, branch_secretary, office_staff):
    activity = make_activity()
    sub = services.submission_report(
        actor=branch_secretary,
        requirement=requirement,
        organization=tree.orgs["branch"],
        activity=activity,
    )
    assert sub.status == Submission.Status.REPORTED
    with pytest.raises(PermissionDenied):
        services.submission_accept(actor=branch_secretary, submission=sub)
    with pytest.raises(ValidationError):
        services.submission_return(actor=office_staff, submission=sub, reason="  ")
    sub = services.submission_return(actor=office_staff, submission=sub, reason="缺少照片")
    assert sub.status == Submission.Status.RETURNED and sub.comment == "缺少照片"
    sub = services.submission_report(
        actor=branch_secretary,
        requirement=requirement,
        organization=tree.orgs["branch"],
        activity=activity,
    )
    assert sub.status == Submission.Status.REPORTED
    sub = services.submission_accept(actor=office_staff, submission=sub)
    assert sub.status == Submission.Status.ACCEPTED and sub.reviewer == office_staff
    assert Submission.objects.count() == 1
    with pytest.raises(ValidationError):
        services.submission_report(
            actor=branch_secretary,
            requirement=requirement,
            organization=tree.orgs["branch"],
            activity=activity,
        )


def test_one_activity_serves_several_requirements(
    tree, campaign, requirement, make_activity, branch_secretary, office_staff
):
    second = services.requirement_add(
        actor=office_staff, campaign=campaign, title="报送学习心得", due_on=requirement.due_on
    )
    activity = make_activity()
    for req in (requirement, second):
        services.submission_report(
            actor=branch_secretary,
            requirement=req,
            organization=tree.orgs["branch"],
            activity=activity,
        )
    assert activity.submissions.count() == 2


def test_submission_from_outside_the_campaign(tree, office_staff, today, make_activity):
    narrow = services.campaign_create(
        actor=office_staff,
        name="窄范围行动",
        organization=tree.orgs["committee"],
        covered=tree.orgs["other_branch"],
        starts_on=today,
        ends_on=today + datetime.timedelta(days=5),
    )
    req = services.requirement_add(actor=office_staff, campaign=narrow, title="报送", due_on=today)
    with pytest.raises(ValidationError) as exc:
        services.submission_report(
            actor=office_staff,
            requirement=req,
            organization=tree.orgs["branch"],
            activity=make_activity(actor=office_staff),
        )
    assert "organization" in exc.value.error_dict
    assert not Submission.objects.exists()


def test_submission_outside_reporter_scope(tree, requirement, outsider, make_activity):
    activity = make_activity()
    with pytest.raises(PermissionDenied):
        services.submission_report(
            actor=outsider,
            requirement=requirement,
            organization=tree.orgs["branch"],
            activity=activity,
        )
    assert not Submission.objects.exists()


def test_activity_leaders_validated(make_activity):
    with pytest.raises(ValidationError):
        make_activity(leaders=[{"name": "张三", "role": "entrusted"}])
    activity = make_activity(
        leaders=[{"name": "张三", "title": "副局长", "role": "entrusted", "entrusted_by": "李局长"}]
    )
    assert Activity.objects.filter(pk=activity.pk).exists()
