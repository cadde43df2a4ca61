"""Every page, opened by every demo account on the demo data, renders without a server error.

The generated matrices prove scope on a tiny tree; this walks the real demo
(seed meetings, two years of history, tasks in every state) so a template that
trips over data the small fixtures lack (a task led by a unit only, a meeting
without a chair …) fails here rather than in front of a user.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.core import demo
from dangjian.meetings.models import Meeting
from dangjian.organizations.models import Organization
from dangjian.people.models import Member
from dangjian.study.models import Topic
from dangjian.tasks.models import Task

PASSWORD = "Demo-password-2024"
ACCOUNTS = ["admin", "jiguan", "dangzu", "zhibu", "dangyuan", "anquan", "shenji"]
PAGES = [
    "core:home",
    "organizations:organization_tree",
    "people:member_list",
    "study:topic_list",
    "study:coverage",
    "meetings:meeting_list",
    "meetings:compliance",
    "meetings:liferule_list",
    "tasks:task_board",
    "tasks:task_list",
    "tasks:overview",
    "tasks:notification_list",
    "access:audit_list",
]


def _objects():
    """A few objects of each kind: the seed meeting, recent and old ones, every task status."""
    meetings = list(Meeting.objects.order_by("-starts_at")[:3]) + list(
        Meeting.objects.filter(kind="leading_group_meeting").order_by("starts_at")[:1]
    )
    tasks = [
        Task.objects.filter(status=s).first()
        for s in Task.objects.values_list("status", flat=True).distinct()
    ]
    urls = [m.get_absolute_url() for m in meetings]
    urls += [t.get_absolute_url() for t in tasks if t]
    urls += [t.get_absolute_url() for t in Topic.objects.order_by("-given_on")[:2]]
    urls += [o.get_absolute_url() for o in Organization.objects.order_by("depth")[:3]]
    urls += [m.get_absolute_url() for m in Member.objects.order_by("pk")[:2]]
    for meeting in meetings[:2]:
        urls += [
            reverse("reports:meeting_minutes", args=[meeting.pk]),
            reverse("reports:meeting_news_draft", args=[meeting.pk]),
        ]
    urls += [reverse("reports:task_ledger"), reverse("reports:meeting_ledger")]
    return urls


# Pages each account must be able to open (the rest may answer 403/404 by scope).
MUST_OPEN = {
    "admin": ["organizations:organization_tree", "people:member_list"],
    "jiguan": [
        "meetings:meeting_list",
        "meetings:compliance",
        "tasks:task_board",
        "study:coverage",
    ],
    "dangzu": ["meetings:meeting_list", "tasks:task_board", "tasks:overview", "study:topic_list"],
    "zhibu": ["meetings:meeting_list", "tasks:task_board", "tasks:task_list"],
    "dangyuan": ["meetings:meeting_list", "tasks:task_board"],
    "anquan": ["core:home"],
    "shenji": ["access:audit_list"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("account", ACCOUNTS)
def test_demo_pages_render_for_every_account(account):
    demo.load_demo(size=120, seed=7, password=PASSWORD)
    client = Client(raise_request_exception=True)
    assert client.login(username=account, password=PASSWORD)
    urls = [reverse(name) for name in PAGES] + _objects()
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (
            f"{account} {url}: {response.status_code}"
        )
