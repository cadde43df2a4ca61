"""The demo's meetings, topics and tasks: seed 002's meeting in full and two years of history."""

from __future__ import annotations

import datetime
import hashlib
import statistics
from collections import defaultdict

import pytest
from django.db import transaction
from django.db.models import Count, F, Min
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.core import demo, demo_campaigns, demo_meetings
from dangjian.core.models import AuditEvent
from dangjian.meetings import services
from dangjian.meetings.models import (
    FIRST_AGENDA_KINDS,
    AgendaItem,
    Attendance,
    Measure,
    Meeting,
    MeetingKind,
)
from dangjian.organizations.models import Organization, OrganizationKind
from dangjian.people.models import Member, PostAssignment
from dangjian.study.models import Topic
from dangjian.tasks.models import OPEN_STATUSES, ProgressReport, Task, TaskEvent, TaskStatus

PASSWORD = "Demo-password-2024"
SIZE = 120  # the fixed branches only, as tests/core/test_demo.py


def load(seed: int = 5) -> demo.DemoResult:
    return demo.load_demo(size=SIZE, seed=seed, password=PASSWORD)


@pytest.fixture
def loaded(db):
    return load()


def seed_meeting() -> Meeting:
    return Meeting.objects.select_related("organization", "chair").get(
        title=demo_meetings.SEED_TITLE
    )


def test_seed_002_meeting_is_recorded_in_full(loaded):
    meeting = seed_meeting()
    assert meeting.organization.name == "省广电局党组"
    assert meeting.kind == MeetingKind.LEADING_GROUP_MEETING
    assert timezone.localtime(meeting.starts_at).date() == datetime.date(2023, 12, 27)
    assert meeting.status == Meeting.Status.HELD
    assert meeting.chair.name == "张新文"
    assert meeting.news_draft == ""
    assert meeting.version == 1
    attendance = set(meeting.attendances.values_list("member__name", "status"))
    assert attendance == {(n, "present") for n in ("张新文", "王育宏", "卓玛才让")}
    items = list(meeting.agenda_items.order_by("order"))
    first = items[0]
    assert (first.order, first.kind) == (1, AgendaItem.Kind.STUDY)
    assert first.title.startswith("传达学习")
    # All eight topics in the report's order: the six it lists (the 130th anniversary speech
    # first, although it is the newest), then the two named only in a block.
    topics = services.item_topics(first)
    assert [t.title for t in topics] == [
        t[1] for t in demo_meetings.SEED_TOPICS + demo_meetings.SEED_BLOCK_TOPICS
    ]
    assert "毛泽东同志诞辰130周年" in topics[0].title
    assert topics[0].given_on > min(t.given_on for t in topics)
    assert services.item_topics(first, listed=True) == topics[:6]
    for topic in topics:
        assert topic.given_on < datetime.date(2023, 12, 27)
        assert topic.kind and topic.speaker and topic.source and topic.text
        assert topic.search_text and topic.search_words.strip()
    # The four blocks in order, each with its topics, prose and measures.
    blocks = list(first.blocks.order_by("order"))
    assert [b.lead for b in blocks] == ["会议指出", "会议要求", "会议认为", "会议指出"]
    assert [sorted(t.title for t in b.topics.all()) for b in blocks] == [
        sorted(topics[i].title for i in spec[1]) for spec in demo_meetings.SEED_BLOCKS
    ]
    numbered = [[m.number for m in b.measures.all()] for b in blocks]
    assert numbered == [[None], [1, 2, 3, 4], [1, 2, 3], [None, None]]
    assert blocks[0].measures.get().text == "深入开展作风建设专项行动"
    assert blocks[0].measures.get().text in blocks[0].prose
    assert first.decisions == [m.text for b in blocks for m in b.measures.all()]


def test_seed_002_requirements_are_seven_tasks_one_overdue_one_closed(loaded):
    meeting = seed_meeting()
    item = meeting.agenda_items.get(order=1)
    today = timezone.localdate()
    tasks = list(
        Task.objects.filter(origin_agenda_item=item, parent=None)
        .select_related("lead_unit", "lead_organization__unit", "organization")
        .order_by("id")
    )
    assert len(tasks) == 7
    numbered = [m for m in Measure.objects.filter(block__agenda_item=item) if m.number]
    numbered.sort(key=lambda m: (m.block.order, m.order))
    assert [t.details for t in tasks] == [m.text for m in numbered]
    # Each task points at its measure; the sub-tasks at their parent's.
    assert [t.origin_measure for t in tasks] == numbered
    assert all(c.origin_measure == tasks[5].origin_measure for c in tasks[5].children.all())
    for task in tasks:
        assert task.organization == meeting.organization
        assert task.origin_meeting == meeting
        assert task.deadline >= datetime.date(2023, 12, 27)
        # Led by a department of the province with its party organization, or by the organ
        # party committee itself.
        if task.lead_unit:
            assert task.lead_unit.parent.name == "省广电局"
            assert task.lead_organization.unit == task.lead_unit
        else:
            assert task.lead_organization.name == "省广电局机关党委"
    all_seed = Task.objects.filter(origin_agenda_item=item)
    overdue = list(all_seed.overdue(today))
    assert [t.title for t in overdue] == [tasks[0].title]
    assert "乡村振兴" in overdue[0].title and overdue[0].reports.exists()
    closed = tasks[1]
    assert closed.status == TaskStatus.CLOSED and closed.progress == 100 and closed.closed_at
    trail = list(closed.events.values_list("kind", flat=True))
    assert trail == [
        "created",
        "started",
        "closure_requested",
        "returned",
        "closure_requested",
        "closed",
    ]
    assert closed.events.get(kind="returned").reason
    # The sixth requirement is split in three, and its progress rolls up by weight.
    parent = tasks[5]
    children = list(parent.children.all())
    assert len(children) == 3
    weights = sum(c.weight for c in children)
    assert parent.progress == round(sum(c.progress * c.weight for c in children) / weights)
    assert ProgressReport.objects.filter(task__in=all_seed).count() >= 10


def test_progress_status_and_events_agree_with_reports(loaded):
    today = timezone.localdate()
    tasks = Task.objects.annotate(n_children=Count("children")).prefetch_related(
        "reports", "events", "children"
    )
    assert tasks.count() > 20
    statuses = set()
    for task in tasks:
        statuses.add(task.status)
        created = timezone.localtime(task.created_at).date()
        assert task.deadline >= created, task.title
        assert task.version == 1
        reports = sorted(task.reports.all(), key=lambda r: (r.reported_on, r.pk))
        events = [e.kind for e in sorted(task.events.all(), key=lambda e: (e.occurred_at, e.pk))]
        assert events[0] == TaskEvent.Kind.CREATED
        for report in reports:
            assert created <= report.reported_on < today
        if task.n_children:
            children = list(task.children.all())
            rolled = sum(c.progress * c.weight for c in children) / sum(c.weight for c in children)
            assert task.progress == round(rolled)
        else:
            assert task.progress == (reports[-1].percent if reports else 0), task.title
        if task.status == TaskStatus.NOT_STARTED:
            assert not reports and events == ["created"]
        elif task.status == TaskStatus.CLOSED:
            assert task.progress == 100 and task.closed_at and events[-1] == "closed"
        else:
            assert task.closed_at is None
            assert "started" in events
        if task.status == TaskStatus.CLOSURE_REQUESTED:
            assert events[-1] == "closure_requested"
    assert statuses == set(TaskStatus.values)
    assert Task.objects.overdue(today).count() >= 3
    assert Task.objects.filter(status__in=OPEN_STATUSES, deadline__gte=today).exists()


def test_every_meeting_belongs_to_the_tree_and_follows_the_rules(loaded):
    today = timezone.localdate()
    roots = list(Organization.objects.filter(parent=None).values_list("path", flat=True))
    paths = dict(Organization.objects.values_list("id", "path"))
    meetings = Meeting.objects.all()
    assert meetings.count() > 1000
    for org_id, starts_at, status in meetings.values_list("organization_id", "starts_at", "status"):
        assert any(paths[org_id].startswith(root) for root in roots)
        held = timezone.localtime(starts_at).date() < today
        assert status == (Meeting.Status.HELD if held else Meeting.Status.PLANNED)
    # The first item of leading group meetings and theory study sessions is study.
    first_items = AgendaItem.objects.filter(meeting__kind__in=FIRST_AGENDA_KINDS, order=1)
    assert first_items.count() == meetings.filter(kind__in=FIRST_AGENDA_KINDS).count()
    assert set(first_items.values_list("kind", flat=True)) == {AgendaItem.Kind.STUDY}
    # Branch meetings' attendance is the branch's own members; nobody is listed twice.
    wrong = Attendance.objects.filter(meeting__organization__kind=OrganizationKind.BRANCH).exclude(
        member__organization_id=F("meeting__organization_id")
    )
    assert not wrong.exists()
    assert not Attendance.objects.filter(meeting__status=Meeting.Status.PLANNED).exists()
    statuses = set(Attendance.objects.values_list("status", flat=True))
    assert {"present", "late", "leave", "absent"} <= statuses
    assert not Attendance.objects.filter(status="leave", reason="").exists()
    # The people of the reports are recorded present and nothing else.
    real = Attendance.objects.filter(member__joined_party_on__isnull=True)
    assert real.exists()
    assert set(real.values_list("status", "reason", "via_qr")) == {("present", "", False)}
    # Party committees run theory study groups too, so coverage counts them.
    for committee in Organization.objects.filter(
        kind__in=[OrganizationKind.COMMITTEE, OrganizationKind.ORGAN_COMMITTEE]
    ):
        sessions = meetings.filter(organization=committee, kind=MeetingKind.THEORY_STUDY_GROUP)
        assert sessions.count() >= 18, committee.name
    # Every kind of the glossary shows up.
    kinds = set(meetings.values_list("kind", flat=True))
    assert kinds == set(MeetingKind.values)
    # Leading groups meet about twice a month over two years.
    lg = meetings.filter(kind=MeetingKind.LEADING_GROUP_MEETING, organization__name="广电总局党组")
    assert 35 <= lg.count() <= 50


def test_branches_differ_in_promptness_and_compliance(loaded):
    """Some branches study new topics within a week, some take a month, a few never."""
    today = timezone.localdate()
    seed_titles = {t[1] for t in demo_meetings.SEED_TOPICS}
    topics = {
        t.pk: t.given_on
        for t in Topic.objects.exclude(title__in=seed_titles)
        if t.given_on < today - datetime.timedelta(days=90)
    }
    first = (
        AgendaItem.topics.through.objects.filter(
            agendaitem__meeting__organization__kind=OrganizationKind.BRANCH,
            topic_id__in=topics,
        )
        .values("agendaitem__meeting__organization_id", "topic_id")
        .annotate(first=Min("agendaitem__meeting__starts_at"))
    )
    delays = defaultdict(list)
    for row in first:
        day = timezone.localtime(row["first"]).date()
        delays[row["agendaitem__meeting__organization_id"]].append(
            (day - topics[row["topic_id"]]).days
        )
    branches = Organization.objects.filter(kind=OrganizationKind.BRANCH).count()
    assert len(delays) == branches
    medians = [statistics.median(d) for d in delays.values()]
    assert min(medians) <= 7
    assert max(medians) >= 30
    assert all(d >= 0 for values in delays.values() for d in values)
    # Some branches have older topics they never studied.
    assert any(len(values) < len(topics) for values in delays.values())
    # Compliance: most branch-months have a committee meeting, some do not.
    held = (
        Meeting.objects.filter(
            kind=MeetingKind.BRANCH_COMMITTEE,
            status=Meeting.Status.HELD,
            organization__kind=OrganizationKind.BRANCH,
        )
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    counts = [row["n"] for row in held]
    assert max(counts) >= 20
    assert min(counts) < max(counts)


def test_load_reports_counts_and_records_them(db):
    result = load()
    assert result.topics == Topic.objects.count() >= 40
    assert result.meetings == Meeting.objects.count()  # the campaign's 主题党日 included
    assert result.attendances == Attendance.objects.count()
    assert result.tasks == Task.objects.count()
    assert result.progress_reports == ProgressReport.objects.count()
    event = AuditEvent.objects.get()
    assert event.changes["meetings"] == result.meetings
    # A second run adds nothing.
    again = load()
    assert not again.created
    assert (again.topics, again.meetings, again.tasks) == (
        result.topics,
        result.meetings,
        result.tasks,
    )
    assert Meeting.objects.count() == result.meetings


def _digest() -> str:
    """The history without ids: equal for equal seeds in any database."""
    h = hashlib.sha256()
    rows = [
        Topic.objects.order_by("given_on", "title").values_list("title", "given_on", "kind"),
        Meeting.objects.order_by("starts_at", "organization__path", "kind", "title").values_list(
            "organization__name", "kind", "title", "starts_at", "status", "chair__name"
        ),
        Attendance.objects.order_by(
            "meeting__starts_at",
            "meeting__organization__path",
            "meeting__kind",
            "meeting__title",
            "member_id",
        ).values_list("meeting__title", "member__name", "status", "reason"),
        AgendaItem.topics.through.objects.order_by(
            "agendaitem__meeting__starts_at",
            "agendaitem__meeting__organization__path",
            "agendaitem__meeting__kind",
            "agendaitem__meeting__title",
            "topic__title",
        ).values_list("agendaitem__meeting__organization__name", "topic__title"),
        Task.objects.order_by("created_at", "title", "deadline", "lead_unit__name").values_list(
            "title", "lead_unit__name", "deadline", "status", "progress"
        ),
        ProgressReport.objects.order_by("reported_on", "task__title", "percent").values_list(
            "task__title", "reported_on", "percent"
        ),
    ]
    for query in rows:
        for row in query:
            h.update(repr(row).encode())
    return h.hexdigest()


def _load_and_roll_back(seed: int) -> str:
    savepoint = transaction.savepoint()
    load(seed=seed)
    digest = _digest()
    transaction.savepoint_rollback(savepoint)
    return digest


def test_same_seed_same_history(db):
    first = _load_and_roll_back(7)
    assert not Meeting.objects.exists()
    assert first == _load_and_roll_back(7)
    assert first != _load_and_roll_back(8)


def test_large_demos_bound_the_history(db, monkeypatch):
    """Beyond FULL_HISTORY_BRANCHES, branches get recent meetings only and no attendance."""
    monkeypatch.setattr(demo_meetings, "FULL_HISTORY_BRANCHES", 10)
    load()
    today = timezone.localdate()
    light_start = today - datetime.timedelta(days=30 * demo_meetings.LIGHT_HISTORY_MONTHS)
    per_branch = (
        Meeting.objects.filter(organization__kind=OrganizationKind.BRANCH)
        .exclude(title__contains=demo_campaigns.THEME_PARTY_DAY)  # the campaign's, not history
        .values("organization_id")
        .annotate(first=Min("starts_at"), attended=Count("attendances"))
    )
    full = [r for r in per_branch if r["attended"]]
    light = [r for r in per_branch if not r["attended"]]
    assert 10 <= len(full) <= 11  # the sample and the demo branch
    assert light
    assert all(timezone.localtime(r["first"]).date() > light_start for r in light)
    assert Member.objects.exists() and PostAssignment.objects.exists()


def test_shengju_sees_seed_002_its_tasks_and_documents_and_nothing_of_the_nrta(loaded):
    """The provincial bureau's office account opens seed 002's meeting, tasks and documents."""
    meeting = seed_meeting()
    client = Client()
    assert client.login(username="shengju", password=PASSWORD)
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    assert page.status_code == 200
    assert "张新文" in page.content.decode()
    for name in ("reports:meeting_minutes", "reports:meeting_news_draft"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 200, name
    tasks = Task.objects.filter(origin_meeting=meeting, parent=None)
    board = client.get(reverse("tasks:task_list")).content.decode()
    assert any(task.title in board for task in tasks)
    for task in tasks:
        assert client.get(reverse("tasks:task_detail", args=[task.pk])).status_code == 200
    elsewhere = Meeting.objects.exclude(organization__path__startswith=meeting.organization.path)
    other = elsewhere.filter(organization__name="广电总局党组").first()
    assert other is not None
    assert client.get(reverse("meetings:meeting_detail", args=[other.pk])).status_code == 404
