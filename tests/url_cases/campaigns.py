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


RESOLVERS = {
    "campaign": _campaign_pk,
    "requirement": _requirement_pk,
    "submission": _submission_pk,
}

C = {"pk": "campaign:branch"}
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
    "campaigns:submission_return": Case(REVIEWERS, {"pk": "submission:branch"}),
    "campaigns:submission_accept": Case(REVIEWERS, {"pk": "submission:branch"}, method="post"),
}
