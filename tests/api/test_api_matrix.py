"""Every API endpoint × method × persona: anonymous is refused (401/403), out of
scope or without the role is 403/404, in scope passes the permission checks.

The endpoints are read from the URL resolver, so a new endpoint (or a new
method on one) without a row in CASES fails ``test_every_endpoint_has_a_case``.
"In scope passes" means the answer is neither 401, 403 nor 404: with the empty
bodies sent here a write usually answers 400 (validation), which proves the
request got past scope and permission to the service.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.factories import PASSWORD
from tests.test_url_matrix import PERSONAS, RESOLVERS, S, resolve_key

ALL_LOGGED_IN = frozenset(PERSONAS)
ORG_VIEWERS = S(
    "admin", "office_staff", "dangzu_office", "branch_secretary", "member", "security_admin"
)
ORG_MANAGERS = S("admin", "office_staff")
MEMBER_VIEWERS = S("admin", "office_staff", "dangzu_office", "branch_secretary", "member")
MEMBER_MANAGERS = S("admin", "office_staff", "branch_secretary")
WORK_VIEWERS = S("office_staff", "dangzu_office", "branch_secretary", "member")
WORK_ANYWHERE = WORK_VIEWERS | S("outsider")
MEETING_MANAGERS = S("office_staff", "dangzu_office", "branch_secretary")
CAMPAIGN_MANAGERS = S("office_staff", "dangzu_office")
FS_BRANCH = {"pk": "fs_assessment:branch"}
TASK_REPORTERS = S(
    "office_staff", "dangzu_office", "branch_secretary", "member"
)  # member: responsible


@dataclass(frozen=True)
class ApiCase:
    allowed: frozenset[str]
    kwargs: dict[str, str] = field(default_factory=dict)
    # A body that passes validation where validation would otherwise answer first.
    body: dict = field(default_factory=dict)


# (URL name, method) → who may.
CASES: dict[tuple[str, str], ApiCase] = {
    ("api-root", "get"): ApiCase(ALL_LOGGED_IN),
    ("api-schema", "get"): ApiCase(ALL_LOGGED_IN),
    ("api-docs", "get"): ApiCase(ALL_LOGGED_IN),
    ("api-me", "get"): ApiCase(ALL_LOGGED_IN),
    ("api-organization-list", "get"): ApiCase(ORG_VIEWERS | S("outsider")),
    ("api-organization-list", "post"): ApiCase(ORG_MANAGERS),
    ("api-organization-detail", "get"): ApiCase(ORG_VIEWERS, {"pk": "org:branch"}),
    ("api-organization-detail", "patch"): ApiCase(ORG_MANAGERS, {"pk": "org:branch"}),
    ("api-organization-children", "get"): ApiCase(ORG_VIEWERS, {"pk": "org:branch"}),
    ("api-organization-dissolve", "post"): ApiCase(ORG_MANAGERS, {"pk": "org:branch"}),
    ("api-organization-move", "post"): ApiCase(ORG_MANAGERS, {"pk": "org:branch"}),
    ("api-unit-list", "get"): ApiCase(ORG_VIEWERS | S("outsider")),
    ("api-unit-list", "post"): ApiCase(ORG_MANAGERS),
    ("api-unit-detail", "get"): ApiCase(ORG_VIEWERS | S("outsider"), {"pk": "unit:office"}),
    ("api-unit-detail", "patch"): ApiCase(ORG_MANAGERS, {"pk": "unit:office"}),
    ("api-member-list", "get"): ApiCase(MEMBER_VIEWERS | S("outsider")),
    ("api-member-list", "post"): ApiCase(MEMBER_MANAGERS | S("outsider")),
    ("api-member-lookup", "post"): ApiCase(S("office_staff", "branch_secretary", "outsider")),
    ("api-member-detail", "get"): ApiCase(MEMBER_VIEWERS, {"pk": "member:member"}),
    ("api-member-detail", "patch"): ApiCase(MEMBER_MANAGERS, {"pk": "member:member"}),
    ("api-member-posts", "get"): ApiCase(MEMBER_VIEWERS, {"pk": "member:member"}),
    ("api-member-posts", "post"): ApiCase(MEMBER_MANAGERS, {"pk": "member:member"}),
    # The platform administrator and the 党组 office see the member, masked only.
    ("api-member-reveal", "post"): ApiCase(
        S("office_staff", "branch_secretary", "member"),
        {"pk": "member:member"},
        {"field": "id_number"},
    ),
    ("api-member-transfer", "post"): ApiCase(MEMBER_MANAGERS, {"pk": "member:member"}),
    ("api-post-end", "post"): ApiCase(MEMBER_MANAGERS, {"pk": "post:secretary"}),
    ("api-task-list", "get"): ApiCase(WORK_ANYWHERE),
    ("api-task-list", "post"): ApiCase(MEETING_MANAGERS | S("outsider")),
    ("api-task-detail", "get"): ApiCase(WORK_VIEWERS, {"pk": "task:branch"}),
    # Only the issuer edits; the lead branch and the committee office see it but may not.
    ("api-task-detail", "patch"): ApiCase(
        S("dangzu_office"), {"pk": "task:branch"}, {"title": "改后的标题", "version": 1}
    ),
    ("api-task-progress", "post"): ApiCase(TASK_REPORTERS, {"pk": "task:branch"}),
    ("api-task-start", "post"): ApiCase(TASK_REPORTERS, {"pk": "task:branch"}),
    ("api-task-request-closure", "post"): ApiCase(TASK_REPORTERS, {"pk": "task:branch"}),
    ("api-task-approve-closure", "post"): ApiCase(S("dangzu_office"), {"pk": "task:branch"}),
    ("api-task-return-task", "post"): ApiCase(S("dangzu_office"), {"pk": "task:branch"}),
    ("api-meeting-list", "get"): ApiCase(WORK_ANYWHERE),
    ("api-meeting-list", "post"): ApiCase(MEETING_MANAGERS | S("outsider")),
    ("api-meeting-detail", "get"): ApiCase(WORK_VIEWERS, {"pk": "meeting:branch"}),
    ("api-meeting-detail", "patch"): ApiCase(MEETING_MANAGERS, {"pk": "meeting:branch"}),
    ("api-meeting-agenda", "post"): ApiCase(MEETING_MANAGERS, {"pk": "meeting:branch"}),
    ("api-meeting-attendance", "post"): ApiCase(MEETING_MANAGERS, {"pk": "meeting:branch"}),
    ("api-meeting-cancel", "post"): ApiCase(MEETING_MANAGERS, {"pk": "meeting:branch"}),
    ("api-meeting-held", "post"): ApiCase(MEETING_MANAGERS, {"pk": "meeting:branch"}),
    ("api-topic-list", "get"): ApiCase(WORK_ANYWHERE),
    ("api-topic-list", "post"): ApiCase(S("office_staff", "dangzu_office")),
    ("api-topic-detail", "get"): ApiCase(WORK_ANYWHERE, {"pk": "study_topic:a"}),
    ("api-topic-detail", "patch"): ApiCase(
        S("office_staff", "dangzu_office"), {"pk": "study_topic:a"}
    ),
    # The import screen's API (parse: no writes; import: creates a meeting).
    ("api-report-parse", "post"): ApiCase(MEETING_MANAGERS | S("outsider")),
    ("api-report-import", "post"): ApiCase(MEETING_MANAGERS | S("outsider")),
    # Trainings: meeting.view / meeting.manage; "training:branch" is the branch's training.
    ("api-training-list", "get"): ApiCase(WORK_ANYWHERE),
    ("api-training-list", "post"): ApiCase(MEETING_MANAGERS | S("outsider")),
    ("api-training-detail", "get"): ApiCase(WORK_VIEWERS, {"pk": "training:branch"}),
    ("api-training-detail", "patch"): ApiCase(MEETING_MANAGERS, {"pk": "training:branch"}),
    ("api-training-attendance", "post"): ApiCase(MEETING_MANAGERS, {"pk": "training:branch"}),
    ("api-training-hours-list", "get"): ApiCase(WORK_ANYWHERE),
    # Campaigns (tests/url_cases/campaigns.py): "campaign:branch" is issued by the committee
    # and covers only the branch, so the other branch's secretary does not see it.
    ("api-campaign-list", "get"): ApiCase(WORK_ANYWHERE),
    ("api-campaign-list", "post"): ApiCase(CAMPAIGN_MANAGERS),
    ("api-campaign-detail", "get"): ApiCase(WORK_VIEWERS, {"pk": "campaign:branch"}),
    ("api-campaign-detail", "patch"): ApiCase(CAMPAIGN_MANAGERS, {"pk": "campaign:branch"}),
    ("api-campaign-requirements", "get"): ApiCase(WORK_VIEWERS, {"pk": "campaign:branch"}),
    ("api-campaign-requirements", "post"): ApiCase(CAMPAIGN_MANAGERS, {"pk": "campaign:branch"}),
    ("api-campaign-planned-activities", "get"): ApiCase(WORK_VIEWERS, {"pk": "campaign:branch"}),
    ("api-campaign-planned-activities", "post"): ApiCase(
        CAMPAIGN_MANAGERS, {"pk": "campaign:branch"}
    ),
    ("api-campaign-ledger", "get"): ApiCase(WORK_VIEWERS, {"pk": "campaign:branch"}),
    ("api-campaign-remind-late", "post"): ApiCase(CAMPAIGN_MANAGERS, {"pk": "campaign:branch"}),
    ("api-activity-list", "get"): ApiCase(WORK_ANYWHERE),
    ("api-activity-list", "post"): ApiCase(MEETING_MANAGERS | S("outsider")),
    ("api-activity-detail", "get"): ApiCase(WORK_VIEWERS, {"pk": "activity:branch"}),
    ("api-activity-detail", "patch"): ApiCase(MEETING_MANAGERS, {"pk": "activity:branch"}),
    ("api-submission-list", "get"): ApiCase(WORK_ANYWHERE),
    ("api-submission-list", "post"): ApiCase(MEETING_MANAGERS | S("outsider")),
    ("api-submission-detail", "get"): ApiCase(WORK_VIEWERS, {"pk": "submission:branch"}),
    # Reviewing: submission.review, the organ committee office only.
    ("api-submission-return-submission", "post"): ApiCase(
        S("office_staff"), {"pk": "submission:branch"}
    ),
    ("api-submission-accept", "post"): ApiCase(S("office_staff"), {"pk": "submission:branch"}),
    # Four-strong (tests/url_cases/fourstrong.py): each step its own action; the platform
    # roles have none. The cycle runs over the committee; "fs_assessment:branch" is the branch's.
    ("api-fs-system-list", "get"): ApiCase(WORK_ANYWHERE),
    ("api-fs-system-list", "post"): ApiCase(S("office_staff")),
    ("api-fs-system-detail", "get"): ApiCase(WORK_ANYWHERE, {"pk": "fs_system:x"}),
    ("api-fs-system-indicators", "post"): ApiCase(S("office_staff"), {"pk": "fs_system:x"}),
    ("api-fs-system-publish", "post"): ApiCase(S("office_staff"), {"pk": "fs_system:x"}),
    ("api-fs-system-new-version", "post"): ApiCase(S("office_staff"), {"pk": "fs_system:x"}),
    ("api-fs-indicator-detail", "patch"): ApiCase(S("office_staff"), {"pk": "fs_indicator:x"}),
    ("api-fs-cycle-list", "get"): ApiCase(WORK_ANYWHERE),
    ("api-fs-cycle-list", "post"): ApiCase(S("office_staff")),
    ("api-fs-cycle-detail", "get"): ApiCase(WORK_ANYWHERE, {"pk": "fs_cycle:x"}),
    ("api-fs-assessment-list", "get"): ApiCase(WORK_ANYWHERE),
    ("api-fs-assessment-detail", "get"): ApiCase(WORK_VIEWERS, FS_BRANCH),
    ("api-fs-assessment-scores", "post"): ApiCase(S("branch_secretary"), FS_BRANCH),
    ("api-fs-assessment-submit", "post"): ApiCase(S("branch_secretary"), FS_BRANCH),
    ("api-fs-assessment-recommend", "post"): ApiCase(S("office_staff"), FS_BRANCH),
    ("api-fs-assessment-send-back", "post"): ApiCase(S("office_staff"), FS_BRANCH),
    ("api-fs-assessment-review", "post"): ApiCase(S("office_staff"), FS_BRANCH),
    ("api-fs-assessment-notice", "post"): ApiCase(S("office_staff"), FS_BRANCH),
    ("api-fs-assessment-name-branch", "post"): ApiCase(S("office_staff"), FS_BRANCH),
    ("api-fs-assessment-revoke", "post"): ApiCase(S("office_staff"), FS_BRANCH),
    ("api-fs-assessment-answer", "post"): ApiCase(S("office_staff"), FS_BRANCH),
    ("api-fs-assessment-objections", "post"): ApiCase(S("branch_secretary", "member"), FS_BRANCH),
}


def _fs_indicator(tree, name):
    """An indicator of the matrix cycle's system (tests/url_cases/fourstrong.py)."""
    from tests.url_cases.fourstrong import _cycle

    return _cycle(tree, name).system.indicators.order_by("id").first().pk


RESOLVERS.setdefault("fs_indicator", _fs_indicator)
# Endpoints open before logging in.
PUBLIC = {("api-token", "post")}


def _endpoints(resolver: URLResolver | None = None):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _endpoints(p)
        elif isinstance(p, URLPattern) and p.name and p.name.startswith("api"):
            actions = getattr(p.callback, "actions", None)
            if actions:
                methods = list(actions)
            elif hasattr(p.callback, "view_class"):
                view = p.callback.view_class
                methods = [m for m in ("get", "post", "patch", "put", "delete") if hasattr(view, m)]
            else:
                methods = ["get"]
            for method in methods:
                if method not in ("head", "options"):
                    yield (p.name, method)


@pytest.fixture
def tree(module_tree, db):
    """The module's one tree (tests/conftest.py); each test rolls its own writes back."""
    return module_tree


def test_every_endpoint_has_a_case():
    """An endpoint added without a row in CASES is one nobody proved the scope rules for."""
    missing = sorted(set(_endpoints()) - set(CASES) - PUBLIC)
    assert not missing, f"add these (name, method) pairs to CASES: {missing}"


def _url(tree, name: str, case: ApiCase) -> str:
    return reverse(name, kwargs={k: resolve_key(tree, v) for k, v in case.kwargs.items()})


@pytest.mark.parametrize(("name", "method"), sorted(CASES))
def test_anonymous_is_refused(name, method, tree):
    response = getattr(APIClient(), method)(
        _url(tree, name, CASES[name, method]), {}, format="json"
    )
    if name == "api-docs":  # a page: sent to log in
        assert response.status_code == 302
    else:
        assert response.status_code in (401, 403), f"{method} {name}: {response.status_code}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "method"), sorted(CASES))
def test_persona_matrix(name, method, persona, tree):
    case = CASES[name, method]
    client = APIClient()
    assert client.login(username=tree.users[persona].username, password=PASSWORD)
    response = getattr(client, method)(_url(tree, name, case), case.body, format="json")
    if persona in case.allowed:
        assert response.status_code not in (401, 403, 404), (
            f"{persona} should get past scope on {method} {name}, got {response.status_code}"
        )
        assert response.status_code < 500
    else:
        assert response.status_code in (403, 404), (
            f"{persona} must not {method} {name}, got {response.status_code}"
        )
