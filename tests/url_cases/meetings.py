"""Meeting pages: list, detail, forms, attendance, agenda, decisions → tasks, sign-in, rules."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.test_url_matrix import Case, S

VIEWERS = S("office_staff", "dangzu_office", "branch_secretary", "member", "outsider")
BRANCH_VIEWERS = S("office_staff", "dangzu_office", "branch_secretary", "member")
MANAGERS = S("office_staff", "dangzu_office", "branch_secretary", "outsider")
BRANCH_MANAGERS = S("office_staff", "dangzu_office", "branch_secretary")
MEETING = "meeting:branch"
ITEM = "agenda:branch"


def _meeting(tree, name):
    """A planned meeting of ``name``'s organization that started half an hour ago."""
    from dangjian.meetings import services
    from dangjian.meetings.models import Meeting

    org = tree.orgs[name]
    found = Meeting.objects.filter(organization=org, title="矩阵测试会议").first()
    if found:
        return found.pk
    meeting = services.meeting_create(
        actor=None,
        organization=org,
        kind="branch_committee",
        title="矩阵测试会议",
        starts_at=timezone.now() - datetime.timedelta(minutes=30),
        check=False,
    )
    return meeting.pk


def _item(tree, name):
    from dangjian.meetings import services
    from dangjian.meetings.models import AgendaItem, Meeting

    meeting = Meeting.objects.get(pk=_meeting(tree, name))
    item = AgendaItem.objects.filter(meeting=meeting).first()
    if item is None:
        item = services.agenda_item_add(
            actor=None,
            meeting=meeting,
            kind="deliberation",
            title="研究工作",
            decisions=["一要抓好落实"],
            check=False,
        )
    return item.pk


def _study_item(tree, name):
    """A study item of the meeting with one topic (``name``: the organization)."""
    from dangjian.meetings import services
    from dangjian.meetings.models import AgendaItem, Meeting
    from dangjian.study.models import Topic
    from tests.url_cases.study import _topic

    meeting = Meeting.objects.get(pk=_meeting(tree, name))
    item = AgendaItem.objects.filter(meeting=meeting, kind="study").first()
    if item is None:
        topic = Topic.objects.get(pk=_topic(tree, "meeting"))
        item = services.agenda_item_add(
            actor=None, meeting=meeting, kind="study", title="学习", topics=[topic], check=False
        )
    return item.pk


def _study_topic(tree, name):
    from dangjian.meetings.models import AgendaItem

    return AgendaItem.objects.get(pk=_study_item(tree, name)).topics.get().pk


def _token(tree, name):
    from dangjian.meetings import services
    from dangjian.meetings.models import Meeting

    return services.signin_token(Meeting.objects.get(pk=_meeting(tree, name)))


def _rule(tree, name):
    from dangjian.meetings.models import LifeRule

    # get_or_create: a transactional test run earlier empties the data migration's rows.
    return LifeRule.objects.get_or_create(
        meeting_kind=name, period="month", defaults={"organization_kinds": ["branch"]}
    )[0].pk


RESOLVERS = {
    "meeting": _meeting,
    "agenda": _item,
    "studyitem": _study_item,
    "studytopic": _study_topic,
    "signin": _token,
    "liferule": _rule,
}

CASES = {
    "meetings:meeting_list": Case(VIEWERS),
    "meetings:meeting_create": Case(MANAGERS),
    "meetings:meeting_detail": Case(BRANCH_VIEWERS, {"pk": MEETING}),
    "meetings:meeting_update": Case(BRANCH_MANAGERS, {"pk": MEETING}),
    "meetings:meeting_cancel": Case(BRANCH_MANAGERS, {"pk": MEETING}),
    "meetings:meeting_held": Case(BRANCH_MANAGERS, {"pk": MEETING}, method="post"),
    "meetings:attendance_update": Case(BRANCH_MANAGERS, {"pk": MEETING}),
    "meetings:agenda_create": Case(BRANCH_MANAGERS, {"pk": MEETING}),
    "meetings:agenda_update": Case(BRANCH_MANAGERS, {"pk": ITEM}),
    "meetings:agenda_delete": Case(BRANCH_MANAGERS, {"pk": ITEM}, method="post"),
    "meetings:agenda_move": Case(BRANCH_MANAGERS, {"pk": ITEM}, method="post"),
    "meetings:agenda_topic_move": Case(
        BRANCH_MANAGERS,
        {"pk": "studyitem:branch", "topic_pk": "studytopic:branch"},
        method="post",
    ),
    "meetings:decision_tasks": Case(BRANCH_MANAGERS, {"pk": ITEM, "index": "0"}),
    "meetings:signin_qr": Case(BRANCH_MANAGERS, {"pk": MEETING}),
    # Only the meeting's own members may sign in; everyone else is told why (403).
    "meetings:signin": Case(S("branch_secretary", "member"), query="?t={signin:branch}"),
    "meetings:compliance": Case(VIEWERS),
    "meetings:liferule_list": Case(VIEWERS),
    "meetings:liferule_update": Case(S("office_staff"), {"pk": "liferule:branch_committee"}),
}
