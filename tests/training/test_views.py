from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from dangjian.core.models import AuditEvent
from dangjian.training import services
from dangjian.training.models import Training, TrainingAttendance

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_list_filters_empty_state_and_queries(
    client, tree, history, office_staff, make_training, django_assert_max_num_queries
):
    _login(client, office_staff)
    url = reverse("training:training_list")
    response = client.get(url, {"year": "2026", "capability": "research"})
    assert response.status_code == 200
    assert [t.title for t in response.context["object_list"]] == ["调研能力专题培训"]
    response = client.get(url, {"capability": "emergency"})
    assert b'data-testid="training-empty"' in response.content
    client.get(url)  # warm caches (session, grants)
    with django_assert_max_num_queries(12) as first:
        client.get(url)
    for i in range(30):
        make_training(title=f"培训{i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.context["paginator"].count == 33
    assert len(response.context["object_list"]) == 25


def test_list_out_of_scope_root_is_404(client, tree, outsider):
    _login(client, outsider)
    response = client.get(reverse("training:training_list"), {"root": tree.orgs["branch"].pk})
    assert response.status_code == 404


def _post_data(**kw):
    data = {
        "kind": "lecture",
        "title": "提升新本领讲座",
        "date": "2026-04-01",
        "hours": "2.5",
        "capabilities": ["political", "decision"],
        "summary": "",
    }
    data.update(kw)
    return data


def test_create_then_attendance(client, tree, branch_secretary):
    _login(client, branch_secretary)
    response = client.post(
        reverse("training:training_create"), _post_data(organization=tree.orgs["branch"].pk)
    )
    t = Training.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("training:attendance_update", args=[t.pk])
    assert t.capabilities == ["political", "decision"] and t.hours == D("2.5")
    sec, mem = tree.members["secretary"], tree.members["member"]
    response = client.get(response.url)
    assert "钱同志" not in response.content.decode()  # other branch: not offered
    response = client.post(
        reverse("training:attendance_update", args=[t.pk]),
        {
            "version": t.version,
            f"m{sec.pk}": "on",
            f"h{sec.pk}": "",
            f"m{mem.pk}": "on",
            f"h{mem.pk}": "1",
        },
    )
    assert response.status_code == 302
    assert dict(TrainingAttendance.objects.values_list("member_id", "hours")) == {
        sec.pk: D("2.5"),
        mem.pk: D("1"),
    }
    detail = client.get(reverse("training:training_detail", args=[t.pk]))
    assert "王党员" in detail.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"hours": "30"}, "hours"), ({"capabilities": []}, "capabilities"), ({"hours": "0"}, "hours")],
)
def test_create_bad_input_keeps_form(client, tree, branch_secretary, changes, field):
    _login(client, branch_secretary)
    data = _post_data(organization=tree.orgs["branch"].pk, **changes)
    response = client.post(reverse("training:training_create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'value="提升新本领讲座"' in response.content.decode()
    assert not Training.objects.exists()


def test_create_in_other_organization_refused(client, tree, outsider):
    _login(client, outsider)
    response = client.post(
        reverse("training:training_create"), _post_data(organization=tree.orgs["branch"].pk)
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not Training.objects.exists()


def test_stale_edit_keeps_input(client, tree, branch_secretary, make_training):
    t = make_training()
    _login(client, branch_secretary)
    url = reverse("training:training_update", args=[t.pk])
    stale = t.version
    services.training_update(actor=branch_secretary, training=t, title="别人改过")
    response = client.post(url, _post_data(title="我的标题", version=stale))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="我的标题"' in response.content.decode()
    t.refresh_from_db()
    assert t.title == "别人改过"
    response = client.post(url, _post_data(title="我的标题", version=t.version))
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.title == "我的标题"


def test_attendance_bad_hours_keeps_nothing(client, tree, branch_secretary, make_training):
    t = make_training(hours="2")
    mem = tree.members["member"]
    _login(client, branch_secretary)
    response = client.post(
        reverse("training:attendance_update", args=[t.pk]),
        {"version": t.version, f"m{mem.pk}": "on", f"h{mem.pk}": "5"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not TrainingAttendance.objects.exists()


def test_overview_page_and_chart(client, tree, history, office_staff):
    _login(client, office_staff)
    response = client.get(
        reverse("training:overview"), {"root": tree.orgs["committee"].pk, "year": "2026"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "training/overview.js" in html and "vendor/echarts/echarts.min.js" in html
    assert 'id="training-data"' in html
    assert response.context["chart"]["values"] == [11.5, 8.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert "<script>" not in html  # no inline script (CSP): the chart reads json_script data
    empty = client.get(reverse("training:overview"), {"year": "2019"})
    assert b'data-testid="overview-empty"' in empty.content


def test_overview_queries_do_not_grow(
    client, tree, history, office_staff, make_training, django_assert_max_num_queries
):
    _login(client, office_staff)
    url = reverse("training:overview")
    params = {"root": tree.orgs["committee"].pk, "year": "2026"}
    client.get(url, params)
    with django_assert_max_num_queries(20) as first:
        client.get(url, params)
    for i in range(10):
        t = make_training(title=f"培训{i}", date=datetime.date(2026, 7, 1 + i))
        services.attendance_set(
            actor=None, training=t, entries=[(tree.members["member"], None)], check=False
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url, params)


def test_export_xlsx_is_audited(client, tree, history, office_staff):
    _login(client, office_staff)
    response = client.get(
        reverse("training:overview_export"), {"root": tree.orgs["committee"].pk, "year": "2026"}
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert "jiguan" in rows[0][0]  # the watermark names who exported
    body = {r[0]: r for r in rows[2:]}
    assert len(body) == 3 and "宣传司党支部" in body  # two branches and the total
    branch = body["办公厅第三党支部"]
    assert branch[1:5] == (3, 3, 8.5, 5)
    total = rows[-1]
    assert total[1] == 4 and total[-2] == 11.5 and total[-1] == 2.9
    assert AuditEvent.objects.filter(action="export", object_id=str(tree.orgs["committee"].pk))


def test_export_out_of_scope_is_404(client, tree, outsider):
    _login(client, outsider)
    response = client.get(
        reverse("training:overview_export"), {"root": tree.orgs["committee"].pk, "year": "2026"}
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()
