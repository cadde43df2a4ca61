"""The demo's campaigns, four-strong cycles and trainings (dangjian.core.demo_campaigns).

Seed 000's campaign inside the theme education with its five series activities,
the launch ceremony and forum with the two leaders and the ten presentations,
a ledger partly filled in, a four-strong cycle in progress scored from the
synthetic history, a finished one of the previous year, and trainings with
hours. The data must also be usable: the demo accounts can take the next step
through the apps' own services.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from dangjian.campaigns import selectors as campaign_selectors
from dangjian.campaigns import services as campaign_services
from dangjian.campaigns.models import (
    Activity,
    ActivityType,
    Campaign,
    LeaderRole,
    Presentation,
    Submission,
)
from dangjian.core import demo, demo_campaigns
from dangjian.fourstrong import computed
from dangjian.fourstrong import services as fourstrong_services
from dangjian.fourstrong.models import (
    Assessment,
    AssessmentStatus,
    ComputedKey,
    Cycle,
    CycleStatus,
    Score,
    Source,
)
from dangjian.organizations.models import Organization
from dangjian.training.capabilities import CAPABILITY_CODES
from dangjian.training.models import Training, TrainingAttendance
from dangjian.training.selectors import hours_overview

PASSWORD = "Demo-password-2024"
SIZE = 120  # the fixed branches only, as tests/core/test_demo.py
S = AssessmentStatus
User = get_user_model()


def load(seed: int = 5) -> demo.DemoResult:
    return demo.load_demo(size=SIZE, seed=seed, password=PASSWORD)


@pytest.fixture
def loaded(db):
    return load()


def user(name: str):
    return User.objects.get(username=name)


def seed_campaign() -> Campaign:
    return Campaign.objects.select_related("parent", "organization", "covered").get(
        name=demo_campaigns.CAMPAIGN_NAME
    )


def current_campaign() -> Campaign:
    return Campaign.objects.get(name__startswith=f"{timezone.localdate().year}年")


def test_seed_000_campaign_sits_in_the_theme_education(loaded):
    campaign = seed_campaign()
    assert campaign.parent.name == demo_campaigns.THEME_EDUCATION
    assert campaign.parent.organization.name == "广电总局党组"
    # Issued by the theme education leading group office by decision of 总局党组, over the
    # organ committee's tree, on the instructions of 中央和国家机关工委 (issue 12 point 4).
    assert campaign.organization.name == "广电总局党组"
    assert campaign.covered.name == "广电总局机关党委"
    assert campaign.issued_by_text == "总局主题教育领导小组办公室"
    assert campaign.superior_body == "中央和国家机关工委"
    assert campaign.capabilities == list(CAPABILITY_CODES)
    assert campaign.main_capability == "political"
    assert "政治机关，政治工作" in campaign.notice and "《关于在学习贯彻" in campaign.notice
    assert "四强" in campaign.goals
    assert campaign.parent.starts_on <= campaign.starts_on <= datetime.date(2023, 5, 6)
    assert campaign.ends_on <= campaign.parent.ends_on
    assert loaded.campaigns == Campaign.objects.count() == 3
    for c in Campaign.objects.all():
        c.full_clean()


def test_the_five_series_activities_of_the_notice(loaded):
    planned = list(seed_campaign().planned_activities.order_by("starts_on", "id"))
    assert len(planned) == 5
    assert Counter(p.type for p in planned) == Counter(
        [
            ActivityType.FORUM,
            ActivityType.THEMED_PARTY_DAY,
            ActivityType.SPECIAL_TRAINING,
            ActivityType.REPORT_MEETING,
            ActivityType.RESULTS_SHOWCASE,
        ]
    )
    themes = " ".join(p.theme for p in planned)
    for words in (
        "学习新思想 提升新本领",
        "我为广电勇担当",
        "四强",
        "破难题 解民忧",
        "激情·奉献·廉洁",
    ):
        assert words in themes
    forum = next(p for p in planned if p.type == ActivityType.FORUM)
    assert forum.starts_on == forum.ends_on == datetime.date(2023, 5, 6)
    for p in planned:
        assert p.owner_organization_id or p.owner_unit_id
        assert p.starts_on and p.ends_on and p.starts_on <= p.ends_on
    report = next(p for p in planned if p.type == ActivityType.REPORT_MEETING)
    assert report.owner_unit.name == "宣传司"


def test_launch_ceremony_and_forum_with_both_leaders_and_ten_presentations(loaded):
    """启动仪式暨论坛 is one activity of two kinds with one leader block (issue 12 point 5)."""
    campaign = seed_campaign()
    [forum] = Activity.objects.filter(campaign=campaign, held_on=datetime.date(2023, 5, 6))
    ceremony = forum
    assert forum.kinds() == [ActivityType.LAUNCH_CEREMONY, ActivityType.FORUM]
    assert forum.title == "“政治机关，政治工作”能力提升行动启动仪式暨“四强”党支部建设论坛"
    assert list(Activity.objects.filter(type="forum", campaign=campaign)) == []
    assert list(campaign_selectors.activity_list(user=user("jiguan"), type="forum")) == [forum]
    for activity in (forum,):
        activity.full_clean()
        assert activity.held_on == datetime.date(2023, 5, 6)
        assert activity.venue == "五四二台"
        assert activity.organization.name == "广电总局机关党委"
        [leader] = activity.leaders
        assert leader["name"] == "杨小伟"
        assert leader["role"] == LeaderRole.ENTRUSTED
        assert "乐玉成" in leader["entrusted_by"]
        assert "机关党委书记" in leader["title"]
        assert "党支部书记代表" in activity.participant_groups
    assert "受总局党组成员、副局长乐玉成委托" in ceremony.summary
    presentations = list(
        Presentation.objects.filter(activity=forum).select_related("organization", "unit")
    )
    assert [p.order for p in presentations] == list(range(1, 11))
    assert [p.organization.name for p in presentations] == [
        "办公厅第三党支部",
        "宣传司党支部",
        "电视剧司党支部",
        "网络视听司党支部",
        "规划财务司党支部",
        "北京地球站节目平台机房党支部",
        "监管中心信息安全处党支部",
        "广科院电视技术研究所党支部",
        "机关服务局技术保障部党支部",
        "中广公司工程事业部党支部",
    ]
    assert forum.organizer_text == "广电总局"
    assert [p.recommended_by_unit.name for p in presentations] == [
        "办公厅",
        "宣传司",
        "电视剧司",
        "网络视听司",
        "规划财务司",
        "北京地球站",
        "监管中心",
        "广科院",
        "机关服务局",
        "中广公司",
    ]
    for p in presentations:
        p.full_clean()
        assert p.unit_id == p.organization.unit_id
        assert p.topic and p.summary
    exemplary = [p for p in presentations if p.exemplary]
    assert 0 < len(exemplary) < 10
    assert all(p.exemplary_note for p in exemplary)
    assert Presentation.objects.count() == 10  # only the forum has presentations


def test_seed_ledger_is_partly_filled_in(loaded):
    campaign = seed_campaign()
    office = user("jiguan")
    ledger = campaign_selectors.ledger(user=office, campaign=campaign)
    assert len(ledger.requirements) == 3
    cells = [c for row in ledger.rows for c in row.cells if c.applies]
    statuses = Counter(c.status for c in cells)
    assert statuses["accepted"] > 0 and statuses["reported"] > 0 and statuses["missing"] > 0
    assert statuses["returned"] == 1
    assert all(c.late for c in cells if c.status in ("missing", "returned"))
    assert 0 < ledger.percent < 100
    returned = Submission.objects.get(requirement__campaign=campaign, status="returned")
    assert returned.comment == demo_campaigns.RETURN_REASON
    assert returned.reviewer == office and returned.reviewed_at >= returned.reported_at
    for s in Submission.objects.filter(requirement__campaign=campaign).select_related(
        "activity", "meeting", "training", "requirement", "organization"
    ):
        assert s.organization.path.startswith(campaign.covered.path)
        assert s.reported_at is not None
        assert (s.reviewer_id is None) == (s.status == Submission.Status.REPORTED)
        # Each entry points at what was recorded once: the training, the branch's own
        # 主题党日 meeting (which counts for 三会一课 too), or a showcase activity.
        if s.requirement.training_kind:
            assert s.training.title == "党员干部“学习新思想 提升新本领”专题培训"
        elif s.requirement.meeting_kind:
            assert (s.meeting.organization, s.meeting.kind) == (s.organization, "themed_party_day")
        else:
            assert s.activity.campaign_id == campaign.pk
    # No event is held twice: the training is a Training, not also an activity.
    assert not Activity.objects.filter(type=ActivityType.SPECIAL_TRAINING).exists()
    assert not Activity.objects.filter(type=ActivityType.THEMED_PARTY_DAY).exists()
    assert Training.objects.filter(date__year=2023).get().campaign_submissions.count() > 1


def test_zhibu_has_something_to_report_and_jiguan_something_to_review(loaded):
    zhibu, office = user("zhibu"), user("jiguan")
    branch = Organization.objects.get(pk=zhibu.grants.get().organization_id)
    today = timezone.localdate()
    ledger = campaign_selectors.ledger(user=zhibu, campaign=current_campaign())
    [row] = ledger.rows  # zhibu sees its own branch only
    assert row.organization == branch
    # The 主题党日 the branch held meets the first requirement: ready, one click, no form.
    [ready] = [c for c in row.cells if c.status == "ready"]
    assert ready.record.kind == "themed_party_day" and ready.record.organization == branch
    submission = campaign_services.submission_from_record(
        actor=zhibu, requirement=ready.requirement, organization=branch
    )
    assert submission.meeting == ready.record and submission.activity is None
    pending = [c for c in row.cells if c.status == "missing"]
    assert pending and not any(c.late for c in pending)
    # ... and reports the other through the service, with an activity of its own.
    requirement = pending[0].requirement
    activity = campaign_services.activity_create(
        actor=zhibu,
        type=ActivityType.OTHER,
        title="互学互评",
        held_on=today,
        organization=branch,
        campaign=requirement.campaign,
    )
    campaign_services.submission_report(
        actor=zhibu, requirement=requirement, organization=branch, activity=activity
    )
    waiting = Submission.objects.filter(status=Submission.Status.REPORTED)
    assert waiting.count() > 5
    campaign_services.submission_accept(actor=office, submission=waiting.first())
    # The seed campaign's late cell of zhibu's branch (the results showcase).
    seed_row = campaign_selectors.ledger(user=zhibu, campaign=seed_campaign()).rows[0]
    assert [c.status for c in seed_row.cells].count("missing") == 1
    assert [c.late for c in seed_row.cells if c.status == "missing"] == [True]


def test_current_cycle_in_progress_scored_from_the_history(loaded):
    today = timezone.localdate()
    cycle = Cycle.objects.select_related("scope", "system").get(year=today.year)
    assert cycle.status == CycleStatus.OPEN
    assert cycle.scope.name == "广电总局机关党委"
    assert fourstrong_services.weight_total(cycle.system) == 100
    statuses = Counter(cycle.assessments.values_list("status", flat=True))
    for status in (S.SELF_ASSESSMENT, S.SUBMITTED, S.RECOMMENDED, S.REVIEWED, S.PUBLIC_NOTICE):
        assert statuses[status] >= 1, status
    branches = Organization.objects.filter(path__startswith=cycle.scope.path, kind="branch")
    assert sum(statuses.values()) == branches.count()
    scores = Score.objects.filter(assessment__cycle=cycle).select_related("indicator")
    computed = Counter(
        s.indicator.computed_key
        for s in scores
        if s.indicator.source == Source.COMPUTED and s.suggested is not None
    )
    # Drawn on the synthetic meetings, study, campaign reports and training hours (study
    # promptness needs topics a month old: none in January).
    assert computed[ComputedKey.LIFE_COMPLIANCE] == branches.count()
    assert computed[ComputedKey.TRAINING_HOURS] == branches.count()
    assert computed[ComputedKey.CAMPAIGN_REPORTING] > 0
    if today.month > 1:
        assert computed[ComputedKey.STUDY_PROMPTNESS] == branches.count()
    for s in scores:
        s.full_clean()
        if s.suggested is not None:
            assert s.self_score == s.suggested
    for a in cycle.assessments.select_related("branch"):
        own = [s for s in scores if s.assessment_id == a.pk]
        if a.status in (S.REVIEWED, S.PUBLIC_NOTICE):
            assert a.total == fourstrong_services.weighted_total(own)
            assert Decimal(0) < a.total <= Decimal(100)
        else:
            assert a.total is None
        if a.status != S.SELF_ASSESSMENT:
            assert all(s.self_score is not None for s in own)
        steps = list(a.events.values_list("step", "at"))
        assert steps[0][0] == "started"
        assert [at for _s, at in steps] == sorted(at for _s, at in steps)
    notice = cycle.assessments.get(status=S.PUBLIC_NOTICE)
    assert notice.notice_start <= notice.notice_end
    zhibu = user("zhibu")
    mine = Assessment.objects.get(cycle=cycle, branch=zhibu.grants.get().organization)
    assert mine.status == S.SELF_ASSESSMENT
    assert fourstrong_services.can_self_assess(zhibu, mine)


def test_demo_cycle_steps_go_on_through_the_services(loaded):
    """The demo's states are real ones: the next step of each works as the accounts."""
    office, zhibu = user("jiguan"), user("zhibu")
    cycle = Cycle.objects.get(year=timezone.localdate().year)
    mine = Assessment.objects.get(cycle=cycle, branch=zhibu.grants.get().organization)
    missing = {s.indicator_id: "1" for s in mine.scores.filter(self_score__isnull=True)}
    fourstrong_services.self_assessment_save(actor=zhibu, assessment=mine, scores=missing)
    fourstrong_services.self_assessment_submit(actor=zhibu, assessment=mine)
    recommended = cycle.assessments.filter(
        status=S.RECOMMENDED, branch__parent__kind="organ_committee"
    )
    fourstrong_services.review(actor=office, assessment=recommended.first())
    assert Assessment.objects.filter(cycle=cycle, status=S.REVIEWED).count() >= 2


def test_batched_shares_are_those_of_the_computed_indicators(loaded):
    """The demo reads each computed indicator for all branches at once; the shares are the
    ones ``fourstrong.computed`` gives branch by branch."""
    office = user("jiguan")
    scope = Organization.objects.get(name="广电总局机关党委")
    branches = list(
        Organization.objects.filter(path__startswith=scope.path, kind="branch").select_related(
            "parent"
        )
    )
    today = timezone.localdate()
    batch = demo_campaigns.ComputedShares(user=office, scope=scope, today=today)
    for year in (today.year - 1, today.year):
        shares = batch.shares(list(ComputedKey), branches, year)
        for key in ComputedKey:
            expected = {
                b.pk: computed.compute(key, user=office, branch=b, year=year) for b in branches
            }
            got = {b.pk: shares.get((b.pk, key)) for b in branches}
            assert got == pytest.approx(expected), (year, key)
            if key in (ComputedKey.LIFE_COMPLIANCE, ComputedKey.TRAINING_HOURS):
                assert all(v is not None for v in got.values()), (year, key)


def test_previous_cycle_finished_with_named_branches(loaded):
    year = timezone.localdate().year - 1
    cycle = Cycle.objects.get(year=year)
    assert cycle.status == CycleStatus.CLOSED
    statuses = Counter(cycle.assessments.values_list("status", flat=True))
    assert statuses[S.NAMED] >= 1 and statuses[S.NOT_NAMED] >= 1
    assert set(statuses) == {S.NAMED, S.NOT_NAMED}
    ranking = sorted(cycle.assessments.all(), key=lambda a: -a.total)
    named = statuses[S.NAMED]
    assert {a.status for a in ranking[:named]} == {S.NAMED}
    for a in cycle.assessments.all():
        steps = list(a.events.values_list("step", flat=True))
        assert steps[0] == "started" and steps[-1] in ("named", "not_named", "objection_answered")
        assert a.notice_start == datetime.date(year, 12, 4)
    objected = cycle.assessments.get(objections__isnull=False)
    assert objected.status == S.NAMED
    assert objected.objections.get().answer


def test_trainings_tagged_with_capabilities_have_hours(loaded):
    today = timezone.localdate()
    office = user("jiguan")
    committee = Organization.objects.get(name="广电总局机关党委")
    assert Training.objects.filter(date__year=2023).count() == 1  # the seed's special training
    recent = Training.objects.filter(date__gte=today - datetime.timedelta(days=730))
    assert recent.count() > 20
    tagged = {c for t in recent for c in t.capabilities}
    assert tagged == set(CAPABILITY_CODES)
    for training in Training.objects.all()[:30]:
        training.full_clean()
    for year in (today.year - 1, today.year):
        overview = hours_overview(user=office, root=committee, year=year)
        assert overview.total.hours["total"] > 0
        assert overview.total.attendee_count > 0
    attendance = TrainingAttendance.objects.select_related("training__organization", "member")
    for row in attendance[:500]:
        assert row.member.organization.path.startswith(row.training.organization.path)
        assert Decimal("0") < row.hours <= row.training.hours
    assert loaded.trainings == Training.objects.count()


def _snapshot() -> dict[str, list]:
    return {
        "submissions": list(
            Submission.objects.order_by("requirement__title", "organization__name").values_list(
                "requirement__title", "organization__name", "status", "activity__held_on"
            )
        ),
        "scores": list(
            Score.objects.order_by(
                "assessment__cycle__year", "assessment__branch__name", "indicator__order"
            ).values_list("assessment__branch__name", "self_score", "final_score")
        ),
        "trainings": list(
            Training.objects.order_by("date", "title", "organization__name").values_list(
                "title", "date", "organization__name"
            )
        ),
        "attendance": TrainingAttendance.objects.count(),
    }


def _load_and_roll_back(seed: int) -> dict[str, list]:
    savepoint = transaction.savepoint()
    load(seed=seed)
    snapshot = _snapshot()
    transaction.savepoint_rollback(savepoint)
    return snapshot


def test_same_seed_same_campaigns_scores_and_trainings(db):
    first = _load_and_roll_back(7)
    assert first == _load_and_roll_back(7)
    assert first["submissions"] != _load_and_roll_back(8)["submissions"]
