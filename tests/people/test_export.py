"""Member export to .xlsx: columns, masking by reveal scope, audit, formula safety, queries."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from dangjian.core.models import AuditEvent
from dangjian.core.xlsx import WorkbookBuilder, is_formula_like
from tests.factories import PASSWORD, make_member, synthetic_id_number

HEADERS = [
    "姓名*",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "手机号码",
    "学历",
    "入党日期",
    "转正日期",
    "党员状态",
    "所在党组织*",
    "行政职务",
    "党内职务",
]
ID_COL, PHONE_COL = 4, 5


def login(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.login(username=user.username, password=PASSWORD)
    return client


def export(user, query: str = ""):
    response = login(user).get(reverse("people:member_export") + query)
    return response


def sheet_of(response):
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]


def rows_by_name(ws) -> dict[str, list]:
    return {r[0]: list(r) for r in ws.iter_rows(min_row=3, values_only=True)}


def test_export_has_watermark_and_template_columns(tree, office_staff):
    """Row 1 names the exporter and the time; row 2 the template's columns plus 党内职务."""
    ws = sheet_of(export(office_staff))
    assert "jiguan" in ws["A1"].value and "Exported by" in ws["A1"].value
    assert [c.value for c in ws[2]] == HEADERS
    rows = rows_by_name(ws)
    assert set(rows) == {"李书记", "王党员", "赵预备", "钱同志"}  # the committee's subtree
    assert rows["赵预备"][1] == "女" and rows["赵预备"][9] == "预备党员"
    assert rows["王党员"][10] == "办公厅第三党支部"


def test_office_staff_exports_clear_values_and_it_is_audited(tree, office_staff):
    """office_staff may reveal: clear ID numbers and phones, and the audit row says so."""
    member = tree.members["member"]
    rows = rows_by_name(sheet_of(export(office_staff)))
    assert rows["王党员"][ID_COL] == member.decrypted("id_number")
    assert rows["王党员"][PHONE_COL] == "13800001234"
    event = AuditEvent.objects.get(action="export")
    assert event.actor == office_staff
    assert event.changes["rows"] == 4
    assert event.changes["personal_data_rows"] == 3  # 赵预备 has no ID number or phone
    assert "personal data included" in event.note
    assert member.decrypted("id_number") not in str(event.changes) + event.note


@pytest.mark.parametrize("persona", ["dangzu_office", "admin_user"])
def test_roles_without_reveal_export_masked_values(persona, tree, request):
    """Office roles that may not reveal get masked ID numbers and phones only."""
    user = request.getfixturevalue(persona)
    rows = rows_by_name(sheet_of(export(user)))
    member = tree.members["member"]
    assert rows["王党员"][ID_COL] == member.id_number_masked
    assert rows["王党员"][PHONE_COL] == "138****1234"
    assert member.decrypted("id_number") not in str(rows)
    event = AuditEvent.objects.get(action="export")
    assert event.changes["personal_data_rows"] == 0
    assert event.note == "personal data masked"


def test_admin_exports_the_whole_platform_masked(tree, admin_user):
    rows = rows_by_name(sheet_of(export(admin_user)))
    assert "孙远方" in rows  # under the other leading group


def test_branch_secretary_exports_own_branch_in_clear(tree, branch_secretary):
    rows = rows_by_name(sheet_of(export(branch_secretary)))
    assert set(rows) == {"李书记", "王党员", "赵预备"}
    assert rows["王党员"][ID_COL] == tree.members["member"].decrypted("id_number")


def test_export_needs_the_export_right(tree, member_user, auditor):
    assert export(member_user).status_code == 403
    assert export(auditor).status_code == 403
    assert Client().get(reverse("people:member_export")).status_code == 302
    assert not AuditEvent.objects.filter(action="export").exists()


def test_organization_roster_export(tree, office_staff):
    """?organization=<pk> exports that organization's subtree only."""
    rows = rows_by_name(
        sheet_of(export(office_staff, f"?organization={tree.orgs['other_branch'].pk}"))
    )
    assert set(rows) == {"钱同志"}
    event = AuditEvent.objects.get(action="export")
    assert event.changes["filters"] == {"organization": "宣传司党支部"}


def test_organization_outside_scope_is_404(tree, branch_secretary):
    response = export(branch_secretary, f"?organization={tree.orgs['other_branch'].pk}")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_list_filters_apply_and_search_text_is_not_audited(tree, office_staff):
    rows = rows_by_name(sheet_of(export(office_staff, "?q=王党&status=full")))
    assert set(rows) == {"王党员"}
    event = AuditEvent.objects.get(action="export")
    assert event.changes["filters"] == {"status": "full", "q": "***"}


def test_formula_like_name_is_exported_as_text(tree, office_staff):
    """A name that looks like a formula stays text: no formula reaches the file."""
    evil = '=HYPERLINK("http://example.invalid/","点击")'
    make_member(tree.orgs["branch"], evil)
    make_member(tree.orgs["branch"], "+1-2", admin_title="@SUM(A1)")
    ws = sheet_of(export(office_staff))
    cells = {c.value: c for row in ws.iter_rows(min_row=3) for c in row if c.value}
    assert cells[evil].data_type == "s"
    assert cells["+1-2"].data_type == "s"
    assert cells["@SUM(A1)"].data_type == "s"

    assert cells[evil].quotePrefix


def test_posts_column(tree, office_staff):
    from dangjian.people import services

    services.post_assign(
        actor=office_staff,
        member=tree.members["secretary"],
        organization=tree.orgs["branch"],
        title="secretary",
    )
    rows = rows_by_name(sheet_of(export(office_staff)))
    assert rows["李书记"][12] == "办公厅第三党支部secretary"


def test_export_queries_do_not_grow_with_rows(tree, office_staff, django_assert_max_num_queries):
    """The number of queries is the same for 4 or 44 members."""
    client = login(office_staff)
    url = reverse("people:member_export")
    # 12 → 14: the audit row locks and moves the chain head (docs/architecture.md, Audit log)
    with django_assert_max_num_queries(14) as few:
        b"".join(client.get(url).streaming_content)
    for i in range(40):
        make_member(tree.orgs["branch"], f"批量{i}", id_number=synthetic_id_number(serial=500 + i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        ws = sheet_of(client.get(url))
    assert ws.max_row == 2 + 44


def test_builder_marks_formula_like_text():
    assert is_formula_like("=1+1") and is_formula_like("-5") and is_formula_like("\tx")
    assert not is_formula_like("张三")
    builder = WorkbookBuilder()
    from dangjian.core.xlsx import ColumnSpec

    sheet = builder.add_sheet("t", [ColumnSpec("a"), ColumnSpec("b")], watermark="=evil")
    sheet.append(["=1+1", "\x01ok"])
    buf = io.BytesIO()
    builder.save(buf)
    ws = openpyxl.load_workbook(buf).active
    assert ws["A1"].data_type == "s" and ws["A1"].value == "=evil"
    assert ws["A3"].data_type == "s" and ws["A3"].value == "=1+1"
    assert ws["B3"].value == "ok"  # control characters dropped


# --- long lists: written by the job worker ---------------------------------

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_long_export_runs_in_a_job(
    tree, office_staff, settings, private_media, django_capture_on_commit_callbacks
):
    """Above the threshold the file is written by the job; the status page offers it."""
    settings.MEMBER_EXPORT_BACKGROUND_ROWS = 2
    settings.TASKS = IMMEDIATE
    client = login(office_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("people:member_export"))
    assert response.status_code == 302
    status_url = response["Location"]
    token = status_url.rstrip("/").rsplit("/", 1)[-1]
    page = client.get(status_url).content.decode()
    assert 'data-state="ready"' in page and "hx-trigger" not in page
    download = client.get(reverse("people:member_export_download", args=[token]))
    rows = rows_by_name(sheet_of(download))
    assert rows["王党员"][ID_COL] == tree.members["member"].decrypted("id_number")
    assert AuditEvent.objects.get(action="export").changes["rows"] == 4
    # the file is private to its exporter
    other = login(tree.users["branch_secretary"])
    assert other.get(reverse("people:member_export_download", args=[token])).status_code == 404
    assert 'data-state="pending"' in other.get(status_url).content.decode()


def test_long_export_is_enqueued(
    tree, office_staff, settings, private_media, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.MEMBER_EXPORT_BACKGROUND_ROWS = 2
    client = login(office_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("people:member_export") + "?status=full")
    job = DBTaskResult.objects.get()
    assert job.task_path == "dangjian.people.tasks.member_export_task"
    assert job.args_kwargs["kwargs"]["params"] == {"status": "full"}
    assert job.args_kwargs["kwargs"]["user_id"] == office_staff.pk
    page = client.get(response["Location"])
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()  # nothing exported yet


def test_export_job_rechecks_the_right(tree, office_staff, private_media):
    """A job whose user lost the export right writes no file, only a failure mark."""
    from dangjian.access.models import RoleGrant
    from dangjian.people.tasks import member_export_task

    RoleGrant.objects.filter(user=office_staff).delete()
    token = "0" * 32
    member_export_task.call(user_id=office_staff.pk, params={}, token=token)
    client = login(tree.users["admin"])  # any exporter: the status is per user
    assert client.get(reverse("people:member_export_download", args=[token])).status_code == 404
    from dangjian.people import exports

    assert exports.export_state(office_staff.pk, token) == "failed"
    assert not AuditEvent.objects.filter(action="export").exists()


def test_bad_token_is_404(tree, office_staff):
    client = login(office_staff)
    assert client.get("/members/export/..%2F..%2Fetc/").status_code == 404
    assert client.get(reverse("people:member_export_status", args=["x" * 32])).status_code == 404


def test_search_does_not_match_id_numbers(tree, office_staff):
    """ID numbers are never searched through the address (it would land in access logs)."""
    number = tree.members["member"].decrypted("id_number")
    rows = rows_by_name(sheet_of(export(office_staff, f"?q={number}")))
    assert rows == {}
