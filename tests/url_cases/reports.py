"""Meeting documents, the news draft page and the ledgers."""

from __future__ import annotations

from tests.test_url_matrix import Case, S

# MEETING_VIEW on the branch (办公厅第三党支部) or above it; not the platform admin.
MEETING_VIEWERS = S("office_staff", "dangzu_office", "branch_secretary", "member")
# Anyone holding MEETING_VIEW / TASK_VIEW somewhere: the rows are filtered, not the page.
LEDGER_USERS = MEETING_VIEWERS | S("outsider")


def _meeting(tree, name):
    """A held meeting of the branch ``name`` names (``branch``)."""
    import datetime

    from django.utils import timezone

    from dangjian.meetings.models import Meeting, MeetingKind

    meeting, _ = Meeting.objects.get_or_create(
        organization=tree.orgs[name],
        title="矩阵测试支部党员大会",
        defaults={
            "kind": MeetingKind.BRANCH_ASSEMBLY,
            "starts_at": timezone.make_aware(datetime.datetime(2024, 1, 10, 15, 0)),
            "status": Meeting.Status.HELD,
        },
    )
    return meeting.pk


def _activity(tree, name):
    """An activity organized by the branch ``name`` names (``branch``)."""
    import datetime

    from dangjian.campaigns.models import Activity, ActivityType

    activity, _ = Activity.objects.get_or_create(
        organization=tree.orgs[name],
        title="矩阵测试主题党日",
        defaults={"type": ActivityType.THEMED_PARTY_DAY, "held_on": datetime.date(2024, 5, 8)},
    )
    return activity.pk


RESOLVERS = {"reports_meeting": _meeting, "reports_activity": _activity}

_ON_MEETING = {"pk": "reports_meeting:branch"}
CASES = {
    "reports:meeting_minutes": Case(MEETING_VIEWERS, _ON_MEETING),
    "reports:meeting_attendance_sheet": Case(MEETING_VIEWERS, _ON_MEETING),
    "reports:meeting_signin_sheet": Case(MEETING_VIEWERS, _ON_MEETING),
    "reports:meeting_summary": Case(MEETING_VIEWERS, _ON_MEETING),
    "reports:meeting_news_draft": Case(MEETING_VIEWERS, _ON_MEETING),
    "reports:activity_news": Case(MEETING_VIEWERS, {"pk": "reports_activity:branch"}),
    "reports:meeting_ledger": Case(LEDGER_USERS, query="?date_from=2024-01-01"),
    "reports:topic_ledger": Case(LEDGER_USERS),
    "reports:task_ledger": Case(LEDGER_USERS, query="?overdue=on"),
}
