"""The audit log shows field names and choice values in words (issue 14, point 5)."""

import pytest
from django.urls import reverse
from django.utils import translation

from dangjian.core import audit
from dangjian.core.audit_display import change_rows, object_label
from dangjian.core.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _event(**kwargs):
    return audit.record(actor=None, action=AuditEvent.Action.UPDATE, **kwargs)


def test_fields_and_choices_by_their_labels(tree):
    event = _event(
        object_type="tasks.task",
        object_repr="加快推进乡村振兴",
        changes={
            "status": ["not_started", "in_progress"],
            "lead_unit": [None, "办公厅"],
            "api_tokens_revoked": 2,
        },
    )
    member = _event(object_type="people.member", object_repr="张三", changes={"phone": "***"})
    with translation.override("zh-hans"):
        assert change_rows(event) == [
            {"field": "状态", "old": "未开始", "new": "推进中"},
            {"field": "牵头单位", "old": None, "new": "办公厅"},
            {"field": "api_tokens_revoked", "value": 2},
        ]
        assert object_label(event) == "督办任务"
        assert change_rows(member)[0]["hidden"] is True


def test_the_auditor_reads_the_words_not_the_codes(client, tree):
    _event(
        object_type="tasks.task",
        object_repr="加快推进乡村振兴",
        changes={"status": ["not_started", "in_progress"]},
    )
    assert client.login(username=tree.users["auditor"].username, password=PASSWORD)
    page = client.get(reverse("access:audit_list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert "未开始 → 推进中" in html
    assert "not_started" not in html and "in_progress" not in html
