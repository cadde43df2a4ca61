"""Every URL pattern × every role: anonymous → log-in, out of scope → 403/404, in scope → works.

The list of patterns is read from the URL resolver, so a new page without a
row in CASES fails ``test_every_url_pattern_has_a_case``. Each case names the
object it is opened on (from the test tree) and the personas for which it
must work; every other persona must be refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import PASSWORD

PERSONAS = [
    "admin",
    "office_staff",
    "dangzu_office",
    "branch_secretary",
    "member",
    "outsider",
    "security_admin",
    "auditor",
    "nobody",
]
ALL = frozenset(PERSONAS)
LOGGED_IN_PAGES = ALL  # pages every logged-in user may open (the overview)


@dataclass(frozen=True)
class Case:
    allowed: frozenset[str]
    kwargs: dict[str, str] = field(default_factory=dict)  # name → tree key like "org:branch"
    method: str = "get"
    query: str = ""
    api: bool = False


def S(*names):
    return frozenset(names)


MANAGERS = S("admin", "office_staff")
BRANCH_VIEWERS = S("admin", "office_staff", "dangzu_office", "branch_secretary", "member")
BRANCH_MEMBER_MANAGERS = S("admin", "office_staff", "branch_secretary")

CASES: dict[str, Case] = {
    "core:home": Case(LOGGED_IN_PAGES),
    "organizations:organization_tree": Case(
        S(
            "admin",
            "office_staff",
            "dangzu_office",
            "branch_secretary",
            "member",
            "outsider",
            "security_admin",
        )
    ),
    "organizations:organization_detail": Case(
        BRANCH_VIEWERS | S("security_admin"), {"pk": "org:branch"}
    ),
    "organizations:organization_children": Case(
        BRANCH_VIEWERS | S("security_admin"), {"pk": "org:branch"}
    ),
    "organizations:organization_create": Case(MANAGERS, query="?parent={org:committee}"),
    "organizations:organization_update": Case(MANAGERS, {"pk": "org:branch"}),
    "organizations:organization_move": Case(MANAGERS, {"pk": "org:branch"}),
    "organizations:organization_dissolve": Case(MANAGERS, {"pk": "org:branch"}),
    "organizations:unit_list": Case(MANAGERS),
    "organizations:unit_create": Case(MANAGERS),
    "organizations:unit_update": Case(MANAGERS, {"pk": "unit:office"}),
    "people:member_list": Case(BRANCH_VIEWERS | S("outsider")),
    "people:member_create": Case(BRANCH_MEMBER_MANAGERS | S("outsider")),
    "people:member_detail": Case(BRANCH_VIEWERS, {"pk": "member:member"}),
    "people:member_update": Case(BRANCH_MEMBER_MANAGERS, {"pk": "member:member"}),
    "people:member_transfer": Case(BRANCH_MEMBER_MANAGERS, {"pk": "member:member"}),
    "people:member_reveal": Case(
        S("office_staff", "branch_secretary", "member"),
        {"pk": "member:member", "field": "id_number"},
        method="post",
    ),
    "people:post_create": Case(BRANCH_MEMBER_MANAGERS, {"pk": "member:member"}),
    "people:post_end": Case(BRANCH_MEMBER_MANAGERS, {"pk": "post:secretary"}, method="post"),
    "access:user_list": Case(S("admin")),
    "access:user_create": Case(S("admin")),
    "access:user_toggle": Case(S("admin"), {"pk": "user:nobody"}, method="post"),
    "access:grant_list": Case(S("security_admin")),
    "access:grant_create": Case(S("security_admin")),
    "access:grant_revoke": Case(S("security_admin"), {"pk": "grant:member"}, method="post"),
    "access:audit_list": Case(S("auditor")),
}
RESOLVERS: dict = {}


def _load_app_cases():
    import importlib
    import pkgutil

    from tests import url_cases

    for info in sorted(pkgutil.iter_modules(url_cases.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"tests.url_cases.{info.name}")
        overlap = set(module.CASES) & set(CASES)
        assert not overlap, f"URL names with two cases: {sorted(overlap)}"
        CASES.update(module.CASES)
        clash = set(getattr(module, "RESOLVERS", {})) & set(RESOLVERS)
        assert not clash, f"resolver keys defined twice: {sorted(clash)}"
        RESOLVERS.update(getattr(module, "RESOLVERS", {}))


_load_app_cases()

# Patterns that are not pages of the application (log-in itself, static helpers).
NOT_SCOPED = {"login", "logout", "set_language", "healthz"}


def iter_names(resolver: URLResolver | None = None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from iter_names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{prefix}{p.name}"


def web_names():
    return sorted(
        n
        for n in set(iter_names())
        if not n.startswith("api") and n not in NOT_SCOPED and not n.startswith("api-")
    )


def test_every_url_pattern_has_a_case():
    """A page added without a row in CASES is a page nobody proved the scope rules for."""
    missing = [n for n in web_names() if n not in CASES]
    assert not missing, f"add these URL names to CASES: {missing}"


def resolve_key(tree, key: str):
    kind, name = key.split(":")
    if kind == "org":
        return tree.orgs[name].pk
    if kind == "member":
        return tree.members[name].pk
    if kind == "unit":
        return tree.units[name].pk
    if kind == "user":
        return tree.users[name].pk
    if kind == "post":
        from dangjian.organizations.models import Organization
        from dangjian.people.models import PostAssignment

        return PostAssignment.objects.get_or_create(
            member=tree.members[name],
            organization=Organization.objects.get(pk=tree.orgs["branch"].pk),
            title="secretary",
        )[0].pk
    if kind == "grant":
        return tree.users[name].grants.get().pk
    if kind in RESOLVERS:
        return RESOLVERS[kind](tree, name)
    raise KeyError(key)


def build_url(tree, name: str, case: Case) -> str:
    kwargs = {k: (resolve_key(tree, v) if ":" in v else v) for k, v in case.kwargs.items()}
    url = reverse(name, kwargs=kwargs)
    query = case.query
    if "{" in query:
        key = query[query.index("{") + 1 : query.index("}")]
        query = query.replace("{" + key + "}", str(resolve_key(tree, key)))
    return url + query


@pytest.fixture
def tree(module_tree, db):
    """The module's one tree (tests/conftest.py); each test rolls its own writes back."""
    return module_tree


@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_is_sent_to_login(name, tree, client):
    case = CASES[name]
    response = getattr(client, case.method)(build_url(tree, name, case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_persona_matrix(name, persona, tree, client):
    """In scope: 200 (or a redirect after a POST); out of scope or without the role: 403/404."""
    case = CASES[name]
    user = tree.users[persona]
    assert client.login(username=user.username, password=PASSWORD)
    response = getattr(client, case.method)(build_url(tree, name, case))
    if persona in case.allowed:
        assert response.status_code in ({200} if case.method == "get" else {200, 302}), (
            f"{persona} should be able to {case.method} {name}, got {response.status_code}"
        )
    else:
        assert response.status_code in {403, 404}, (
            f"{persona} must not {case.method} {name}, got {response.status_code}"
        )
