"""Roles and the actions they allow: the one table the policy reads."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    ORG_VIEW = "org.view", _("view organizations")
    ORG_MANAGE = "org.manage", _("manage organizations")
    UNIT_MANAGE = "unit.manage", _("manage units")
    MEMBER_VIEW = "member.view", _("view members")
    MEMBER_MANAGE = "member.manage", _("manage members")
    MEMBER_REVEAL = "member.reveal", _("reveal personal data")
    MEMBER_IMPORT = "member.import", _("import rosters")
    MEMBER_EXPORT = "member.export", _("export members")
    GRANT_MANAGE = "grant.manage", _("grant roles")
    USER_MANAGE = "user.manage", _("manage user accounts")
    AUDIT_VIEW = "audit.view", _("read the audit log")
    TOPIC_MANAGE = "topic.manage", _("manage the topic library")
    MEETING_VIEW = "meeting.view", _("view meetings")
    MEETING_MANAGE = "meeting.manage", _("record meetings")
    LIFE_RULE_MANAGE = "liferule.manage", _("edit organizational life rules")
    TASK_VIEW = "task.view", _("view tasks")
    TASK_MANAGE = "task.manage", _("create and assign tasks")
    TASK_REPORT = "task.report", _("report task progress")
    TASK_SUPERVISE = "task.supervise", _("approve or return task closure")
    CAMPAIGN_MANAGE = "campaign.manage", _("launch and run campaigns")
    SUBMISSION_REVIEW = "submission.review", _("review campaign submissions")
    TWOFACTOR_RESET = "twofactor.reset", _("reset two-factor devices")
    # Four-strong branches (四强党支部): each step of the evaluation is its own action.
    FOURSTRONG_VIEW = "fourstrong.view", _("view four-strong assessments")
    FOURSTRONG_SELF_ASSESS = "fourstrong.self_assess", _("self-assess a branch (four-strong)")
    FOURSTRONG_RECOMMEND = "fourstrong.recommend", _("recommend branches (four-strong)")
    FOURSTRONG_REVIEW = "fourstrong.review", _("review, publicize and name (four-strong)")
    FOURSTRONG_SYSTEM_MANAGE = "fourstrong.system_manage", _("manage four-strong indicator systems")
    FOURSTRONG_OBJECT = "fourstrong.object", _("raise objections during a public notice")


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("platform administrator")
    ORGAN_OFFICE = "organ_office", _("organ party committee office")
    LEADING_GROUP_OFFICE = "leading_group_office", _("leading party group office")
    BRANCH_SECRETARY = "branch_secretary", _("branch secretary")
    MEMBER = "member", _("party member")
    SECURITY_ADMIN = "security_admin", _("security administrator")
    AUDITOR = "auditor", _("auditor")


A = Action
# What the offices that run meetings and supervise tasks may do in their subtree.
_SUPERVISION = {
    A.TOPIC_MANAGE,
    A.MEETING_VIEW,
    A.MEETING_MANAGE,
    A.TASK_VIEW,
    A.TASK_MANAGE,
    A.TASK_REPORT,
    A.TASK_SUPERVISE,
}
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    # 三员分立: the platform administrator runs structure and accounts but
    # reads no personal data and no audit log; the security administrator
    # grants roles; the auditor only reads the audit log.
    Role.SYSTEM_ADMIN: frozenset(
        {
            A.ORG_VIEW,
            A.ORG_MANAGE,
            A.UNIT_MANAGE,
            A.MEMBER_VIEW,
            A.MEMBER_MANAGE,
            A.MEMBER_IMPORT,
            A.MEMBER_EXPORT,
            A.USER_MANAGE,
        }
    ),
    Role.ORGAN_OFFICE: frozenset(
        {
            A.ORG_VIEW,
            A.ORG_MANAGE,
            A.UNIT_MANAGE,
            A.MEMBER_VIEW,
            A.MEMBER_MANAGE,
            A.MEMBER_REVEAL,
            A.MEMBER_IMPORT,
            A.MEMBER_EXPORT,
            A.LIFE_RULE_MANAGE,
            A.CAMPAIGN_MANAGE,
            A.SUBMISSION_REVIEW,
            *_SUPERVISION,
            # The organ party committee office runs the four-strong evaluation: it
            # recommends as the superior committee of the branches it covers (the grant
            # on the branch's parent decides), reviews, publicizes and names on the
            # cycle's scope, and keeps the indicator systems.
            A.FOURSTRONG_VIEW,
            A.FOURSTRONG_RECOMMEND,
            A.FOURSTRONG_REVIEW,
            A.FOURSTRONG_SYSTEM_MANAGE,
        }
    ),
    Role.LEADING_GROUP_OFFICE: frozenset(
        {
            A.ORG_VIEW,
            A.MEMBER_VIEW,
            A.MEMBER_EXPORT,
            A.CAMPAIGN_MANAGE,
            *_SUPERVISION,
            A.FOURSTRONG_VIEW,  # reads the evaluation; no four-strong step is its own
        }
    ),
    Role.BRANCH_SECRETARY: frozenset(
        {
            A.ORG_VIEW,
            A.MEMBER_VIEW,
            A.MEMBER_MANAGE,
            A.MEMBER_REVEAL,
            A.MEMBER_IMPORT,
            A.MEMBER_EXPORT,
            A.MEETING_VIEW,
            A.MEETING_MANAGE,
            A.TASK_VIEW,
            # A branch turns its own meetings' decisions into tasks; closing them
            # is approved above it (task.supervise on the issuing organization).
            A.TASK_MANAGE,
            A.TASK_REPORT,
            A.FOURSTRONG_VIEW,
            A.FOURSTRONG_SELF_ASSESS,
            A.FOURSTRONG_OBJECT,
        }
    ),
    Role.MEMBER: frozenset(
        {
            A.ORG_VIEW,
            A.MEMBER_VIEW,
            A.MEETING_VIEW,
            A.TASK_VIEW,
            # Members see their branch's assessment and may object during the notice.
            A.FOURSTRONG_VIEW,
            A.FOURSTRONG_OBJECT,
        }
    ),
    Role.SECURITY_ADMIN: frozenset({A.ORG_VIEW, A.GRANT_MANAGE, A.TWOFACTOR_RESET}),
    Role.AUDITOR: frozenset({A.AUDIT_VIEW}),
}

# Roles whose grant covers the whole platform rather than one subtree.
GLOBAL_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
# Actions that are not about organizations at all: allowed by any grant of a role having them.
UNSCOPED_ACTIONS = frozenset(
    {
        A.USER_MANAGE,
        A.GRANT_MANAGE,
        A.AUDIT_VIEW,
        A.UNIT_MANAGE,
        # topic.manage is scoped: a topic belongs to the organization that added it
        # (study.Topic.organization); reading the library needs only meeting.view.
        A.LIFE_RULE_MANAGE,
        A.FOURSTRONG_SYSTEM_MANAGE,  # indicator systems are platform-wide rules
    }
)
# 三员分立: no user may hold two of these.
SEPARATED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})


def mixes_duties(roles) -> bool:
    """三员分立: whether these roles of one account break the separation of duties.

    An account holding the platform administrator, security administrator or
    auditor role may hold no other role at all, business roles included.
    """
    roles = set(roles)
    return bool(roles & SEPARATED_ROLES) and len(roles) > 1
