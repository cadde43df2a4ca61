"""Multi-step workflows are all or nothing (issue 6, Reliability): the four-strong steps,
the report import of a meeting (with tasks) and of an activity, and the campaign ledger.

Each test lets the step write part of its rows, checks that they were written, then
makes a later call deep inside the step raise; afterwards every table of the database
holds exactly the rows it held before (``table_rows``: all tables, all columns).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from dangjian.campaigns import services as campaign_services
from dangjian.campaigns.models import Activity, Campaign, Presentation, Submission
from dangjian.core import audit, signing
from dangjian.core.models import Signature
from dangjian.fourstrong import services as fourstrong
from dangjian.fourstrong.models import Assessment, AssessmentEvent, AssessmentStatus
from dangjian.meetings import services as meeting_services
from dangjian.meetings.models import Meeting
from dangjian.reports import importing
from dangjian.tasks.models import Task
from tests.fourstrong.conftest import start_cycle
from tests.reliability.test_backup import table_rows

pytestmark = pytest.mark.django_db

S = AssessmentStatus


class Crash(Exception):
    """The fault injected half way."""


def crash_after(monkeypatch, target, name: str, *, written=lambda: True, on_call: int = 1):
    """Make ``target.name`` run as usual, then — on call ``on_call`` — check that the step's
    earlier rows are there (``written``) and raise as a crash would."""
    original = getattr(target, name)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == on_call:
            assert written(), "the fault came before the step wrote anything"
            raise Crash
        return result

    monkeypatch.setattr(target, name, wrapper)
    return calls


@pytest.fixture
def key_dir(settings, tmp_path):
    settings.DANGJIAN_SM2_KEY_DIR = str(tmp_path / "sm2")


def with_sm2_key(user) -> None:
    call_command("sm2key", "generate", user.username, stdout=io.StringIO())


# --- four-strong ---------------------------------------------------------------------------------


def status_in_db(assessment) -> str:
    return Assessment.objects.get(pk=assessment.pk).status


@pytest.fixture
def assessment(tree, office_staff):
    cycle = start_cycle(tree, office_staff)
    return cycle.assessments.get(branch=tree.orgs["branch"])


def scores_of(assessment) -> dict:
    return {
        s.indicator_id: min(Decimal("8"), s.indicator.max_score)
        for s in assessment.scores.select_related("indicator")
    }


def self_assessed(assessment, secretary) -> None:
    fourstrong.self_assessment_save(
        actor=secretary, assessment=assessment, scores=scores_of(assessment)
    )


def submitted(assessment, secretary) -> None:
    self_assessed(assessment, secretary)
    fourstrong.self_assessment_submit(actor=secretary, assessment=assessment)


def recommended(assessment, secretary, office) -> None:
    submitted(assessment, secretary)
    fourstrong.recommend(actor=office, assessment=assessment)


def in_public_notice(assessment, secretary, office) -> None:
    recommended(assessment, secretary, office)
    fourstrong.review(actor=office, assessment=assessment)
    today = timezone.localdate()
    fourstrong.notice_start(
        actor=office,
        assessment=assessment,
        start=today,
        end=today + datetime.timedelta(days=5),
    )


def test_fourstrong_self_assessment_failing_half_way_saves_no_score(
    assessment, branch_secretary, monkeypatch
):
    before = table_rows()
    crash_after(
        monkeypatch,
        audit,
        "record",
        written=lambda: assessment.scores.filter(self_score__isnull=False).exists(),
    )
    with pytest.raises(Crash):
        self_assessed(assessment, branch_secretary)
    assert table_rows() == before


def test_fourstrong_self_assessment_submit_failing_half_way_leaves_it_unsubmitted(
    assessment, branch_secretary, monkeypatch
):
    self_assessed(assessment, branch_secretary)
    before = table_rows()
    crash_after(
        monkeypatch, audit, "record", written=lambda: status_in_db(assessment) == S.SUBMITTED
    )
    with pytest.raises(Crash):
        fourstrong.self_assessment_submit(actor=branch_secretary, assessment=assessment)
    assert table_rows() == before
    assert status_in_db(assessment) == S.SELF_ASSESSMENT


def test_fourstrong_recommendation_failing_half_way_leaves_it_submitted(
    assessment, branch_secretary, office_staff, monkeypatch
):
    submitted(assessment, branch_secretary)
    before = table_rows()
    crash_after(
        monkeypatch,
        audit,
        "record",
        written=lambda: AssessmentEvent.objects.filter(
            assessment=assessment, step="recommended"
        ).exists(),
    )
    with pytest.raises(Crash):
        fourstrong.recommend(actor=office_staff, assessment=assessment, comment="同意推荐")
    assert table_rows() == before
    assert status_in_db(assessment) == S.SUBMITTED


def test_fourstrong_review_failing_half_way_saves_no_final_score_or_total(
    assessment, branch_secretary, office_staff, monkeypatch
):
    recommended(assessment, branch_secretary, office_staff)
    before = table_rows()
    crash_after(
        monkeypatch,
        audit,
        "record",
        written=lambda: (
            Assessment.objects.get(pk=assessment.pk).total is not None
            and not assessment.scores.filter(final_score__isnull=True).exists()
        ),
    )
    first = assessment.scores.first()
    with pytest.raises(Crash):
        fourstrong.review(
            actor=office_staff, assessment=assessment, final_scores={first.indicator_id: "10"}
        )
    assert table_rows() == before
    assert status_in_db(assessment) == S.RECOMMENDED


def test_fourstrong_naming_failing_after_its_sm2_signature_leaves_the_branch_unnamed(
    assessment, branch_secretary, office_staff, key_dir, monkeypatch
):
    """The title, the step, the audit record and the SM2 signature go together or not at all."""
    with_sm2_key(office_staff)
    in_public_notice(assessment, branch_secretary, office_staff)
    before = table_rows()
    crash_after(
        monkeypatch,
        signing,
        "sign_operation",
        written=lambda: (
            status_in_db(assessment) == S.NAMED
            and Signature.objects.filter(
                object_id=str(assessment.pk), operation="fourstrong.name"
            ).exists()
        ),
    )
    with pytest.raises(Crash):
        fourstrong.decide(actor=office_staff, assessment=assessment, named=True)
    assert table_rows() == before
    assert status_in_db(assessment) == S.PUBLIC_NOTICE
    assert not Signature.objects.exists()


# --- report import -------------------------------------------------------------------------------


def test_report_import_of_a_meeting_with_tasks_failing_half_way_leaves_nothing(tree, monkeypatch):
    """Meeting, attendance, new topics, agenda items and tasks are written; marking the
    meeting held (the last step) fails: none of them remain."""
    from tests.reports.test_import_service import SEED, corrections

    user = tree.users["dangzu_office"]
    draft = importing.draft_for(user=user, text=SEED.read_text(encoding="utf-8"))
    data = corrections(draft, tree, tasks=(1, 4))
    before = table_rows()
    crash_after(
        monkeypatch,
        meeting_services,
        "meeting_mark_held",
        written=lambda: Meeting.objects.exists() and Task.objects.count() == 2,
    )
    with pytest.raises(Crash):
        importing.import_meeting(actor=user, **data)
    assert table_rows() == before


def test_report_import_of_an_activity_failing_half_way_leaves_nothing(tree, monkeypatch):
    """The activity and its first presentations are written; the audit record of the third
    presentation fails: none of them remain."""
    from tests.reports.test_import_activity import SEED

    Campaign.objects.create(
        name="“政治机关,政治工作”能力提升行动",
        organization=tree.orgs["root"],
        covered=tree.orgs["root"],
        starts_on=datetime.date(2023, 5, 1),
        ends_on=datetime.date(2023, 11, 30),
    )
    user = tree.users["dangzu_office"]
    draft = importing.draft_for(
        user=user, text=SEED.read_text(encoding="utf-8"), organization=tree.orgs["committee"]
    )
    a = importing.activity_draft_for(user=user, draft=draft)
    assert len([p for p in a.presentations if p.include]) > 3
    before = table_rows()
    crash_after(
        monkeypatch,
        audit,
        "record",
        on_call=4,  # the activity's record, then the first three presentations'
        written=lambda: Activity.objects.exists() and Presentation.objects.count() == 3,
    )
    with pytest.raises(Crash):
        importing.import_activity(
            actor=user,
            organization=tree.orgs["committee"],
            type=a.type,
            title=a.title,
            held_on=a.held_on,
            venue=a.venue,
            campaign=a.campaign,
            leaders=a.leaders,
            participant_groups=a.participant_groups,
            presentations=a.presentations,
            summary=a.summary,
        )
    assert table_rows() == before


# --- campaign ledger -----------------------------------------------------------------------------


@pytest.fixture
def ledger(tree, office_staff, branch_secretary):
    """A campaign with two requirements for branches and an activity of the branch."""
    today = timezone.localdate()
    campaign = campaign_services.campaign_create(
        actor=office_staff,
        name="能力提升行动",
        organization=tree.orgs["committee"],
        covered=tree.orgs["committee"],
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=60),
        capabilities=["political"],
        notice="关于开展能力提升行动的通知",
    )
    requirements = [
        campaign_services.requirement_add(
            actor=office_staff,
            campaign=campaign,
            title=title,
            due_on=today + datetime.timedelta(days=20),
            organization_kinds=["branch"],
        )
        for title in ("开展主题党日", "开展专题学习")
    ]
    activity = campaign_services.activity_create(
        actor=branch_secretary,
        type="themed_party_day",
        title="我为广电勇担当主题党日",
        held_on=today,
        organization=tree.orgs["branch"],
        campaign=campaign,
    )
    return requirements, activity


def reported(tree, ledger, secretary) -> Submission:
    requirements, activity = ledger
    return campaign_services.submission_report(
        actor=secretary,
        requirement=requirements[0],
        organization=tree.orgs["branch"],
        activity=activity,
    )


def status_of(submission) -> str:
    return Submission.objects.get(pk=submission.pk).status


def test_ledger_report_failing_half_way_leaves_no_submission(
    tree, ledger, branch_secretary, monkeypatch
):
    before = table_rows()
    crash_after(monkeypatch, audit, "record", written=Submission.objects.exists)
    with pytest.raises(Crash):
        reported(tree, ledger, branch_secretary)
    assert table_rows() == before


def test_ledger_report_of_an_activity_against_several_requirements_is_all_or_nothing(
    tree, ledger, branch_secretary, monkeypatch
):
    requirements, activity = ledger
    before = table_rows()
    crash_after(
        monkeypatch,
        campaign_services,
        "submission_report",
        on_call=2,
        written=lambda: Submission.objects.count() == 2,
    )
    with pytest.raises(Crash):
        campaign_services.activity_report(
            actor=branch_secretary, activity=activity, requirements=requirements
        )
    assert table_rows() == before


def test_ledger_return_failing_half_way_leaves_the_submission_reported(
    tree, ledger, branch_secretary, office_staff, monkeypatch
):
    submission = reported(tree, ledger, branch_secretary)
    before = table_rows()
    crash_after(
        monkeypatch,
        audit,
        "record",
        written=lambda: status_of(submission) == Submission.Status.RETURNED,
    )
    with pytest.raises(Crash):
        campaign_services.submission_return(
            actor=office_staff, submission=submission, reason="缺少照片"
        )
    assert table_rows() == before


def test_ledger_acceptance_failing_after_its_sm2_signature_leaves_the_submission_reported(
    tree, ledger, branch_secretary, office_staff, key_dir, monkeypatch
):
    """Acceptance, its audit record and its SM2 signature go together or not at all."""
    with_sm2_key(office_staff)
    submission = reported(tree, ledger, branch_secretary)
    before = table_rows()
    crash_after(
        monkeypatch,
        signing,
        "sign_operation",
        written=lambda: (
            status_of(submission) == Submission.Status.ACCEPTED
            and Signature.objects.filter(
                object_id=str(submission.pk), operation="submission.accept"
            ).exists()
        ),
    )
    with pytest.raises(Crash):
        campaign_services.submission_accept(actor=office_staff, submission=submission)
    assert table_rows() == before
    assert status_of(submission) == Submission.Status.REPORTED
    assert not Signature.objects.exists()
