"""An imported activity's presentations go through ``campaigns.services.presentation_add``:
they get what the service guarantees — the import's order, one audit row each naming the
activity and the import, the activity's version moved on — and a presentation the service
refuses (an over-long topic) refuses the whole import with a numbered message."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.campaigns.models import Activity, Presentation
from dangjian.core.models import AuditEvent
from dangjian.reports import importing

pytestmark = pytest.mark.django_db


def _import(tree, presentations, **extra):
    return importing.import_activity(
        actor=tree.users["dangzu_office"],
        organization=tree.orgs["committee"],
        type="forum",
        title="“四强”党支部建设论坛",
        held_on=datetime.date(2023, 5, 6),
        presentations=presentations,
        **extra,
    )


def test_imported_presentations_have_order_audit_rows_and_move_the_version(tree):
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    activity = _import(
        tree,
        [
            importing.PresentationChoice(topic=" 经验一 ", organization=tree.orgs["branch"]),
            importing.PresentationChoice(topic="不记录", presenter="某处", include=False),
            importing.PresentationChoice(topic="经验二", unit=tree.units["publicity"]),
            importing.PresentationChoice(topic="经验三", presenter=" 北京地球站党支部 "),
        ],
    )
    rows = list(activity.presentations.order_by("order"))
    assert [(p.order, p.topic) for p in rows] == [(1, "经验一"), (2, "经验二"), (3, "经验三")]
    assert rows[0].organization == tree.orgs["branch"] and rows[0].presenter == ""
    assert rows[1].unit == tree.units["publicity"] and rows[1].organization is None
    assert rows[2].presenter == "北京地球站党支部"
    events = list(AuditEvent.objects.filter(pk__gt=last).order_by("pk"))
    assert [(e.action, e.object_type) for e in events] == [
        (AuditEvent.Action.CREATE, "campaigns.activity"),
        *[(AuditEvent.Action.CREATE, "campaigns.presentation")] * 3,
    ]
    for event, p in zip(events[1:], rows, strict=True):
        assert event.object_id == str(p.pk)
        assert event.note == f"activity {activity.pk}; imported from a news report"
        assert event.changes["order"] == p.order and event.changes["topic"] == p.topic
        assert event.actor == tree.users["dangzu_office"]
    # Each presentation is part of the activity: its optimistic lock moved on.
    assert Activity.objects.get(pk=activity.pk).version == activity.version + 3


def test_an_over_long_topic_refuses_the_import_with_its_number(tree):
    counts = (Activity.objects.count(), Presentation.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        _import(
            tree,
            [
                importing.PresentationChoice(topic="经验一", presenter="宣传司"),
                importing.PresentationChoice(topic="长" * 201, presenter="电视剧司"),
            ],
        )
    [message] = exc.value.messages
    assert message.startswith(_("Presentation %(n)d: ") % {"n": 2}) and "200" in message
    assert (
        Activity.objects.count(),
        Presentation.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
