from dangjian.access import policy
from dangjian.access.roles import Action


def navigation(request):
    """Which menu entries the user may see (a menu link is never a 403)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "orgs": policy.has_action(user, Action.ORG_VIEW),
            "members": policy.has_action(user, Action.MEMBER_VIEW),
            "import": policy.has_action(user, Action.MEMBER_IMPORT),
            "units": policy.has_action(user, Action.UNIT_MANAGE),
            "grants": policy.has_action(user, Action.GRANT_MANAGE),
            "users": policy.has_action(user, Action.USER_MANAGE),
            "audit": policy.has_action(user, Action.AUDIT_VIEW),
            "topics": policy.has_action(user, Action.MEETING_VIEW),
            "meetings": policy.has_action(user, Action.MEETING_VIEW),
            "import_report": policy.has_action(user, Action.MEETING_MANAGE),
            "tasks": policy.has_action(user, Action.TASK_VIEW),
            "supervise": policy.has_action(user, Action.TASK_SUPERVISE),
            "fourstrong": policy.has_action(user, Action.FOURSTRONG_VIEW),
            "roles": sorted(policy.roles(user)),
        }
    }
