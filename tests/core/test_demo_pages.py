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

from dangjian.campaigns.models import Activity, Campaign
from dangjian.core import demo
from dangjian.fourstrong.models import Assessment, Cycle
from dangjian.meetings.models import Meeting
from dangjian.organizations.models import Organization
from dangjian.people.models import Member
from dangjian.study.models import Topic
from dangjian.tasks.models import Task
from dangjian.training.models import Training

PASSWORD = "Demo-password-2024"
ACCOUNTS = ["admin", "jiguan", "dangzu", "shengju", "zhibu", "dangyuan", "anquan", "shenji"]
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
    "campaigns:campaign_list",
    "campaigns:activity_list",
    "campaigns:case_list",
    "fourstrong:cycle_list",
    "fourstrong:system_list",
    "training:training_list",
    "training:overview",
    "privacy:my_data",
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
    # Campaigns (seed 000's, its parent, this year's), four-strong cycles and trainings.
    for campaign in Campaign.objects.order_by("pk"):
        urls += [campaign.get_absolute_url(), reverse("campaigns:ledger", args=[campaign.pk])]
    # The launch ceremony, the forum (ten presentations) and a branch's own activity.
    activities = list(Activity.objects.filter(organization__kind="organ_committee")[:3])
    activities += list(Activity.objects.filter(organization__kind="branch").order_by("pk")[:1])
    for activity in activities:
        urls += [
            reverse("campaigns:activity_detail", args=[activity.pk]),
            reverse("reports:activity_news", args=[activity.pk]),
        ]
    for cycle in Cycle.objects.order_by("pk"):
        urls += [
            reverse("fourstrong:cycle_detail", args=[cycle.pk]),
            reverse("fourstrong:ranking", args=[cycle.pk]),
        ]
    assessments = [
        Assessment.objects.filter(status=s).order_by("pk").first()
        for s in Assessment.objects.values_list("status", flat=True).distinct()
    ]
    urls += [reverse("fourstrong:assessment_detail", args=[a.pk]) for a in assessments if a]
    urls += [t.get_absolute_url() for t in Training.objects.order_by("-date", "pk")[:2]]
    return urls


# Pages each account must be able to open (the rest may answer 403/404 by scope).
MUST_OPEN = {
    "admin": ["organizations:organization_tree", "people:member_list"],
    "jiguan": [
        "meetings:meeting_list",
        "meetings:compliance",
        "tasks:task_board",
        "study:coverage",
        "campaigns:campaign_list",
        "campaigns:activity_list",
        "campaigns:case_list",
        "fourstrong:cycle_list",
        "training:overview",
    ],
    "dangzu": ["meetings:meeting_list", "tasks:task_board", "tasks:overview", "study:topic_list"],
    "shengju": ["meetings:meeting_list", "tasks:task_board", "tasks:overview", "study:topic_list"],
    "zhibu": [
        "meetings:meeting_list",
        "tasks:task_board",
        "tasks:task_list",
        "campaigns:campaign_list",
        "fourstrong:cycle_list",
    ],
    "dangyuan": ["meetings:meeting_list", "tasks:task_board", "privacy:my_data"],
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
    codes = {}
    for url in urls:
        response = client.get(url)
        codes[url] = response.status_code
        assert response.status_code in (200, 302, 403, 404), (
            f"{account} {url}: {response.status_code}"
        )
    for name in MUST_OPEN[account]:
        assert codes[reverse(name)] == 200, f"{account} {name}: {codes[reverse(name)]}"
