"""The API as a whole: its OpenAPI document and docs, token sign-in, "who am I", errors."""

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from dangjian.core.models import AuditEvent
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_throttles(db):
    """Throttle counters live in the cache (a database table); every test starts with none."""
    cache.clear()
    yield
    cache.clear()


def test_schema_generates_without_warnings(tmp_path):
    """Every operation's request, response and error bodies are described (no guessing)."""
    target = tmp_path / "openapi.json"
    call_command("spectacular", "--fail-on-warn", "--format", "openapi-json", "--file", target)
    schema = json.loads(target.read_text())
    paths = schema["paths"]
    for path in (
        "/api/organizations/{id}/move/",
        "/api/organizations/{id}/children/",
        "/api/members/{id}/reveal/",
        "/api/members/lookup/",
        "/api/posts/{id}/end/",
        "/api/auth/token/",
        "/api/me/",
    ):
        assert path in paths
    reveal = paths["/api/members/{id}/reveal/"]["post"]["responses"]
    assert reveal["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    member = schema["components"]["schemas"]["Member"]["properties"]
    assert "id_number_masked" in member
    assert "id_number" not in member
    assert "id_number" in schema["components"]["schemas"]["MemberCreateRequest"]["properties"]


def test_schema_and_docs_need_a_login(tree, dangzu_office):
    """Anonymous: the schema answers 401 (structured), the docs send to the login page."""
    client = APIClient()
    response = client.get("/api/openapi.json")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs.headers["Location"].startswith("/accounts/login/")

    client.force_login(dangzu_office)
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert schema.headers["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert "/api/members/" in schema.json()["paths"]
    page = client.get("/api/docs/")
    assert page.status_code == 200
    # Served from the sidecar's static files, never from a CDN.
    assert b"swagger-ui" in page.content
    assert b"cdn.jsdelivr" not in page.content


def test_token_sign_in_and_use(tree, office_staff):
    """Username and password give a token; the token authenticates API calls; it is audited."""
    response = APIClient().post(
        "/api/auth/token/", {"username": "jiguan", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    members = client.get("/api/members/")
    assert members.status_code == 200
    assert members.json()["count"] == 4
    assert AuditEvent.objects.filter(actor=office_staff, action="login", note="api token").exists()


def test_token_with_wrong_password_is_400_and_bad_token_401(tree):
    response = APIClient().post(
        "/api/auth/token/", {"username": "jiguan", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert "token" not in response.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    bad = client.get("/api/me/")
    assert bad.status_code == 401
    assert set(bad.json()) == {"error", "detail", "fields"}


def test_token_attempts_are_throttled(tree):
    """After ten attempts a minute the eleventh is refused (429), even with the right password."""
    client = APIClient()
    for _ in range(10):
        client.post("/api/auth/token/", {"username": "jiguan", "password": "x"}, format="json")
    response = client.post(
        "/api/auth/token/", {"username": "jiguan", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert response.json()["error"] == "throttled"


def test_token_throttle_ignores_forged_forwarded_for(tree):
    """A client cannot pick a fresh address per attempt through X-Forwarded-For, nor escape
    the per-username limit by changing address."""
    client = APIClient()
    for i in range(10):
        client.post(
            "/api/auth/token/",
            {"username": f"guess{i}", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        )
    forged = client.post(
        "/api/auth/token/",
        {"username": "guess99", "password": "x"},
        format="json",
        HTTP_X_FORWARDED_FOR="10.0.0.99",
    )
    assert forged.status_code == 429
    cache.clear()
    for i in range(10):
        client.post(
            "/api/auth/token/",
            {"username": "jiguan", "password": "x"},
            format="json",
            REMOTE_ADDR=f"192.0.2.{i}",
        )
    other_address = client.post(
        "/api/auth/token/",
        {"username": "jiguan", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="192.0.2.200",
    )
    assert other_address.status_code == 429


def test_me_lists_roles_with_their_organization(tree, branch_secretary):
    client = APIClient()
    client.force_authenticate(branch_secretary)
    body = client.get("/api/me/").json()
    assert body["username"] == "zhibu"
    assert body["member"] == tree.members["secretary"].pk
    assert body["roles"] == [
        {
            "role": "branch_secretary",
            "role_display": body["roles"][0]["role_display"],
            "organization": tree.orgs["branch"].pk,
            "organization_name": "办公厅第三党支部",
        }
    ]
    assert "member.reveal" in body["actions"]
    assert "org.manage" not in body["actions"]


def test_me_for_platform_role_and_anonymous(tree, auditor):
    client = APIClient()
    assert client.get("/api/me/").status_code == 401
    client.force_authenticate(auditor)
    body = client.get("/api/me/").json()
    assert body["roles"][0]["organization"] is None
    assert body["actions"] == ["audit.view"]


def test_unparseable_json_is_a_structured_400(tree, office_staff):
    client = APIClient()
    client.force_authenticate(office_staff)
    response = client.post("/api/members/lookup/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"
