"""The API fuzzed from its own OpenAPI document (schemathesis, bounded).

The schema drf-spectacular generates is loaded with schemathesis; every
operation gets a few generated requests (``DANGJIAN_FUZZ_EXAMPLES``, default 2)
sent through the Django WSGI application as office staff (token). No answer
may be a 500, and every 4xx must carry the structured error body of
``dangjian.core.api`` (``{"error", "detail", "fields"}``).
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from dangjian.access import api_tokens

pytestmark = [pytest.mark.xdist_group("api_fuzz"), pytest.mark.once]

EXAMPLES = int(os.environ.get("DANGJIAN_FUZZ_EXAMPLES", "2"))
if EXAMPLES <= 0:
    pytest.skip("DANGJIAN_FUZZ_EXAMPLES=0: fuzzing is off for this run", allow_module_level=True)

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


def structured_4xx(ctx, response, case):
    """Every client error answers {"error": code, "detail": text, "fields": {...}}."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(
            f"{response.status_code} without a JSON body: {response.content[:200]!r}"
        ) from None
    assert isinstance(body, dict) and {"error", "detail", "fields"} <= set(body), (
        f"{response.status_code} body is not the structured error: {body!r}"[:400]
    )
    return True


@pytest.fixture
def office_token(tree):
    """A token of office staff; the WSGI handler must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    user = tree.users["office_staff"]
    yield api_tokens.token_issue(actor=user, user=user, second_factor=False)[1]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzz_no_server_error_and_structured_4xx(case, office_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {office_token}"},
        checks=[not_a_server_error, structured_4xx],
    )
