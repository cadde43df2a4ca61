"""Roster import: template, file checks, row checks, preview, all-or-nothing commit, jobs."""

from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from dangjian.access.models import RoleGrant
from dangjian.core.models import AuditEvent
from dangjian.organizations.models import Organization
from dangjian.people import roster
from dangjian.people.models import Member, MemberTransfer, RosterImport
from dangjian.people.tasks import roster_validate_task
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
]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def login(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.login(username=user.username, password=PASSWORD)
    return client


def row(name, org, *, birth=datetime.date(1988, 5, 6), serial=1, phone="13912345678", **over):
    """One valid roster row (values as an office would type them)."""
    values = {
        "姓名*": name,
        "性别": "女",
        "民族": "汉族",
        "出生日期": birth.strftime("%Y/%m/%d"),
        "公民身份号码": synthetic_id_number(birth, serial),
        "手机号码": phone,
        "学历": "大学本科",
        "入党日期": "2012.07.01",
        "转正日期": "2013年7月1日",
        "党员状态": "正式党员",
        "所在党组织*": org,
        "行政职务": "科员",
    }
    values.update(over)
    return values


def xlsx(rows: list[dict], headers: list[str] | None = None) -> bytes:
    """A roster as an office keeps it: a normal openpyxl workbook, IDs as text."""
    headers = headers or HEADERS
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h, "") for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, content: bytes, name="roster.xlsx"):
    return client.post(reverse("people:roster_import"), {"file": SimpleUploadedFile(name, content)})


def good_rows(org="办公厅第三党支部", n=3, start=100):
    return [row(f"测试{i}", org, serial=start + i) for i in range(n)]


# --- template ---------------------------------------------------------------


def test_template_downloads_with_columns_example_and_lists(tree, office_staff):
    """The template has the office's columns, a synthetic valid example row,
    an instructions sheet and drop-down lists for gender, education, status."""
    response = login(office_staff).get(reverse("people:roster_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert len(wb.sheetnames) == 2
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == HEADERS
    example = [c.value for c in ws[2]]
    assert example[4] == "110101199001010015"  # 110101 + 1990-01-01, valid check digit
    assert example[10] in set(Organization.objects.values_list("name", flat=True))
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["B"] == '"男,女"'
    assert "大学本科" in lists["G"]
    assert lists["J"] == '"正式党员,预备党员"'


def test_template_reuploads_cleanly_and_imports(tree, office_staff, private_media):
    """Uploading the untouched template checks without problems and imports its example row."""
    client = login(office_staff)
    content = b"".join(client.get(reverse("people:roster_template")).streaming_content)
    response = upload(client, content, "模板.xlsx")
    item = RosterImport.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert item.status == RosterImport.Status.VALIDATED
    assert (item.total_rows, item.error_count) == (1, 0)
    page = client.get(item.get_absolute_url())
    assert b'data-testid="roster-commit"' in page.content
    assert "*" * 18 in page.content.decode()
    assert "110101199001010015" not in page.content.decode()
    client.post(reverse("people:roster_commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == RosterImport.Status.COMMITTED
    assert Member.objects.with_id_number("110101199001010015").exists()


def test_import_page_requires_import_right(tree, dangzu_office, member_user, office_staff):
    """Roles without MEMBER_IMPORT get 403; anonymous users go to the log-in page."""
    assert login(dangzu_office).get(reverse("people:roster_import")).status_code == 403
    assert login(member_user).get(reverse("people:roster_import")).status_code == 403
    anonymous = Client().get(reverse("people:roster_import"))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert login(office_staff).get(reverse("people:roster_import")).status_code == 200


# --- refused files ----------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types><Override PartName="/xl/workbook.xml" ContentType='
    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
BAD_FILES = {
    "plain text renamed": (b"name,id\nzhang,1\n" * 10, "roster.xlsx", "not an Excel workbook"),
    "txt file": (b"just some notes", "notes.txt", "not an Excel workbook"),
    "csv": ("姓名,所在党组织\n张三,办公厅第三党支部\n".encode(), "roster.csv", "not an Excel"),
    "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "roster.xls", "old-format"),
    "word document": (
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
        "roster.xlsx",
        "not an Excel workbook",
    ),
    "zip bomb": (
        _zip(
            {
                "[Content_Types].xml": CONTENT_TYPES,
                "xl/workbook.xml": b"<workbook/>",
                "xl/worksheets/sheet1.xml": b" " * (30 * 1024 * 1024),
            }
        ),
        "roster.xlsx",
        "unreasonable size",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_are_refused_with_a_clear_message(case, tree, office_staff, private_media):
    """Anything but a genuine .xlsx is refused on the form; nothing is stored or saved."""
    content, name, message = BAD_FILES[case]
    before = Member.objects.count()
    response = upload(login(office_staff), content, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert RosterImport.objects.count() == 0
    assert Member.objects.count() == before
    assert stored_files(private_media) == []


def test_zip_bomb_over_total_size_is_refused(tree, office_staff, settings):
    """An archive whose entries add up past the unpacked limit is refused before parsing."""
    settings.ROSTER_MAX_UPLOAD_BYTES = 200_000  # unpacked limit becomes 1.6 MB
    entries = {"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"}
    for i in range(4):  # each entry compresses modestly, together they are too big
        entries[f"xl/worksheets/sheet{i}.xml"] = bytes(range(256)) * 2000
    response = upload(login(office_staff), _zip(entries))
    assert "unreasonable size" in response.content.decode()
    assert RosterImport.objects.count() == 0


def test_file_over_size_limit_is_refused(tree, office_staff, settings):
    settings.ROSTER_MAX_UPLOAD_BYTES = 1000
    response = upload(login(office_staff), xlsx(good_rows()))
    assert "larger than" in response.content.decode()
    assert RosterImport.objects.count() == 0


def test_unknown_column_is_named(tree, office_staff):
    """A column the import does not know is an error naming that column."""
    headers = [*HEADERS, "籍贯"]
    response = upload(login(office_staff), xlsx(good_rows(), headers))
    text = response.content.decode()
    assert "Unknown columns: 籍贯" in text
    assert RosterImport.objects.count() == 0


def test_missing_required_column_is_named(tree, office_staff):
    headers = [h for h in HEADERS if h != "所在党组织*"]
    response = upload(login(office_staff), xlsx(good_rows(), headers))
    assert "Required columns are missing: 所在党组织" in response.content.decode()
    assert RosterImport.objects.count() == 0


def test_synonym_headers_are_accepted(tree, office_staff):
    """身份证号 / 联系电话 / 所在支部 and spaces or asterisks in names are understood."""
    headers = ["序号", " 姓 名 ", "身份证号", "联系电话", "所在支部", "党员类别"]
    rows = [
        {
            "序号": 1,
            " 姓 名 ": "别名测试",
            "身份证号": synthetic_id_number(datetime.date(1980, 1, 1), 901),
            "联系电话": "010-12345678",
            "所在支部": "办公厅第三党支部",
            "党员类别": "预备党员",
        }
    ]
    upload(login(office_staff), xlsx(rows, headers))
    item = RosterImport.objects.get()
    assert item.status == RosterImport.Status.VALIDATED, item.errors


# --- row checks -------------------------------------------------------------


def _only_errors(client, rows):
    upload(client, xlsx(rows))
    item = RosterImport.objects.latest("id")
    assert item.status == RosterImport.Status.INVALID
    return item


def test_invalid_id_checksum(tree, office_staff):
    """A wrong check digit is reported at its row and column, without the number."""
    rows = good_rows()
    bad = rows[1]["公民身份号码"]
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    rows[1]["公民身份号码"] = bad
    client = login(office_staff)
    item = _only_errors(client, rows)
    assert item.errors == [
        {
            "row": 3,
            "column": "公民身份号码",
            "message": "The ID number's check digit is wrong; please check it for a typing error.",
        }
    ]
    page = client.get(item.get_absolute_url()).content.decode()
    assert "check digit is wrong" in page
    assert bad not in page and bad not in str(item.errors)
    assert b'data-testid="roster-commit"' not in client.get(item.get_absolute_url()).content
    assert Member.objects.filter(name__startswith="测试").count() == 0


def test_impossible_date(tree, office_staff):
    rows = good_rows()
    rows[0]["入党日期"] = "2020-02-30"
    item = _only_errors(login(office_staff), rows)
    assert [(e["row"], e["column"]) for e in item.errors] == [(2, "入党日期")]
    assert "does not exist" in item.errors[0]["message"]


def test_unreadable_date(tree, office_staff):
    rows = good_rows()
    rows[0]["转正日期"] = "去年七月"
    item = _only_errors(login(office_staff), rows)
    assert item.errors[0]["column"] == "转正日期"
    assert "2020年1月2日" in item.errors[0]["message"]


def test_date_formats_are_accepted():
    assert roster.parse_date("2020-01-02") == datetime.date(2020, 1, 2)
    assert roster.parse_date("2020/1/2") == datetime.date(2020, 1, 2)
    assert roster.parse_date("2020.01.02") == datetime.date(2020, 1, 2)
    assert roster.parse_date("2020年1月2日") == datetime.date(2020, 1, 2)
    assert roster.parse_date(datetime.datetime(2020, 1, 2, 0, 0)) == datetime.date(2020, 1, 2)
    assert roster.parse_date("") is None
    with pytest.raises(roster._BadValue):
        roster.parse_date("2021-02-29")


def test_date_cells_are_accepted(tree, office_staff):
    """Real Excel date cells work as well as text dates."""
    rows = good_rows(n=1)
    rows[0]["出生日期"] = datetime.date(1988, 5, 6)
    rows[0]["入党日期"] = datetime.datetime(2012, 7, 1)
    upload(login(office_staff), xlsx(rows))
    assert RosterImport.objects.get().status == RosterImport.Status.VALIDATED


def test_duplicate_id_within_file_names_both_rows(tree, office_staff):
    rows = good_rows(n=4)
    rows[3]["公民身份号码"] = rows[1]["公民身份号码"]
    item = _only_errors(login(office_staff), rows)
    assert item.errors == [
        {
            "row": 5,
            "column": "公民身份号码",
            "message": "The same ID number appears in rows 3 and 5.",
        }
    ]


def test_duplicate_id_against_database(tree, office_staff):
    existing = tree.members["member"].decrypted("id_number")
    rows = good_rows()
    rows[2]["公民身份号码"] = existing
    rows[2]["出生日期"] = ""
    item = _only_errors(login(office_staff), rows)
    assert item.errors == [
        {
            "row": 4,
            "column": "公民身份号码",
            "message": "This ID number is already registered for 王党员 (办公厅第三党支部).",
        }
    ]


def test_id_number_stored_as_number_is_explained(tree, office_staff):
    rows = good_rows(n=1)
    rows[0]["公民身份号码"] = 1.10101198805061e17
    item = _only_errors(login(office_staff), rows)
    assert "stored as a number" in item.errors[0]["message"]


def test_organization_out_of_scope(tree, branch_secretary):
    """A branch secretary cannot import into another branch; unknown names read the same."""
    rows = good_rows(n=3)
    rows[1]["所在党组织*"] = "宣传司党支部"  # exists, but not the secretary's branch
    rows[2]["所在党组织*"] = "不存在的支部"
    item = _only_errors(login(branch_secretary), rows)
    assert [(e["row"], e["column"]) for e in item.errors] == [(3, "所在党组织"), (4, "所在党组织")]
    assert {e["message"] for e in item.errors} == {
        "Organization not found or not within your scope."
    }
    assert item.scope["names"] == ["办公厅第三党支部"]


def test_organization_that_is_a_leading_group_is_refused(tree, admin_user):
    """A roster row naming the 党组 is refused: membership belongs in a branch."""
    rows = good_rows(n=2)
    rows[1]["所在党组织*"] = "测试局党组"
    item = _only_errors(login(admin_user), rows)
    assert [(e["row"], e["column"]) for e in item.errors] == [(3, "所在党组织")]
    assert "leading party group is a leading body" in item.errors[0]["message"]


def test_branch_secretary_imports_into_own_branch(tree, branch_secretary):
    client = login(branch_secretary)
    upload(client, xlsx(good_rows(n=2)))
    item = RosterImport.objects.get()
    client.post(reverse("people:roster_commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == RosterImport.Status.COMMITTED
    assert set(
        Member.objects.filter(name__startswith="测试").values_list("organization", flat=True)
    ) == {tree.orgs["branch"].pk}


def test_ambiguous_organization_name(tree, office_staff):
    """Two organizations with one name: the row must say which ("parent/name")."""
    from tests.factories import make_org

    make_org("第一党小组", "group", tree.orgs["other_branch"])
    rows = good_rows(n=2)
    rows[0]["所在党组织*"] = "第一党小组"
    rows[1]["所在党组织*"] = "宣传司党支部/第一党小组"
    item = _only_errors(login(office_staff), rows)
    assert [(e["row"], e["column"]) for e in item.errors] == [(2, "所在党组织")]
    assert "parent organization/organization" in item.errors[0]["message"]


def test_markup_is_refused(tree, office_staff):
    rows = good_rows()
    rows[0]["姓名*"] = "<script>alert(1)</script>"
    rows[1]["行政职务"] = "<b>处长</b>"
    item = _only_errors(login(office_staff), rows)
    assert [(e["row"], e["column"]) for e in item.errors] == [(2, "姓名"), (3, "行政职务")]
    assert all("plain text only" in e["message"] for e in item.errors)


def test_vocabulary_and_length(tree, office_staff):
    rows = good_rows()
    rows[0]["性别"] = "未知"
    rows[1]["党员状态"] = "积极分子"
    rows[2]["姓名*"] = "长" * 51
    item = _only_errors(login(office_staff), rows)
    assert [(e["row"], e["column"]) for e in item.errors] == [
        (2, "性别"),
        (3, "党员状态"),
        (4, "姓名"),
    ]
    assert item.errors[0]["message"] == "Use one of: 男、女."
    assert "50" in item.errors[2]["message"]


def test_shared_member_rules_apply(tree, office_staff):
    """The rules of validate_member_data: birth date vs ID, phone, probationary status."""
    rows = good_rows(n=3)
    rows[0]["出生日期"] = "1970-01-01"  # the ID number says 1988-05-06
    rows[1]["手机号码"] = "12345"
    rows[2]["党员状态"] = "预备党员"  # but has a full membership date
    item = _only_errors(login(office_staff), rows)
    assert [(e["row"], e["column"]) for e in item.errors] == [
        (2, "公民身份号码"),
        (3, "手机号码"),
        (4, "转正日期"),
    ]
    assert "12345" not in str(item.errors)


def test_errors_page_lists_all_problems_paginated(tree, office_staff):
    rows = [row(f"错{i}", "无此支部", serial=300 + i) for i in range(120)]
    client = login(office_staff)
    item = _only_errors(client, rows)
    assert item.error_count == 120
    first = client.get(item.get_absolute_url()).content.decode()
    second = client.get(item.get_absolute_url() + "?page=2").content.decode()
    assert first.count("not within your scope") == 100
    assert second.count("not within your scope") == 20
    assert "imports nothing" in first


# --- commit -----------------------------------------------------------------


def test_good_roster_commits_all_rows(tree, office_staff, private_media):
    """Members are saved encrypted with transfers, counts and one audit row; the file is deleted."""
    branch = tree.orgs["branch"]
    before = (branch.member_count, branch.probationary_count)
    rows = good_rows(n=3)
    rows[2].update({"党员状态": "预备党员", "转正日期": ""})
    client = login(office_staff)
    upload(client, xlsx(rows))
    item = RosterImport.objects.get()
    assert stored_files(private_media)  # kept privately until the import is done
    assert item.file.name.startswith("rosters/")
    with pytest.raises(ValueError):
        item.file.url  # noqa: B018  (private: no URL)
    response = client.post(reverse("people:roster_commit", args=[item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RosterImport.Status.COMMITTED
    assert item.created_count == 3
    created = Member.objects.filter(name__startswith="测试").order_by("name")
    assert created.count() == 3
    for member, source in zip(created, rows, strict=True):
        assert member.decrypted("id_number") == source["公民身份号码"]
        assert member.decrypted("phone") == "13912345678"
        assert member.id_number_masked == "*" * 18
        assert member.birth_date == datetime.date(1988, 5, 6)
        assert member.joined_party_on == datetime.date(2012, 7, 1)
        assert member.gender == "female" and member.education == "bachelor"
        transfer = MemberTransfer.objects.get(member=member)
        assert transfer.from_organization is None and transfer.to_organization == branch
        assert transfer.recorded_by == office_staff
    assert created.get(name="测试2").status == "probationary"
    with connection.cursor() as cur:
        cur.execute("SELECT id_number_cipher FROM people_member WHERE name = %s", ["测试0"])
        assert rows[0]["公民身份号码"].encode() not in bytes(cur.fetchone()[0])
    branch.refresh_from_db()
    assert (branch.member_count, branch.probationary_count) == (before[0] + 3, before[1] + 1)
    event = AuditEvent.objects.get(action="import")
    assert event.actor == office_staff
    assert (event.object_type, event.object_id) == ("people.rosterimport", str(item.pk))
    assert event.changes["members"] == 3
    assert "3" in event.note
    assert stored_files(private_media) == []
    page = client.get(item.get_absolute_url())
    assert b'data-testid="roster-committed"' in page.content


def test_one_bad_row_commits_nothing(tree, office_staff):
    """All rows or none: with one bad row the commit is refused and nothing is saved."""
    rows = good_rows(n=5)
    rows[3]["出生日期"] = "1999-13-01"
    client = login(office_staff)
    upload(client, xlsx(rows))
    item = RosterImport.objects.get()
    assert item.status == RosterImport.Status.INVALID
    client.post(reverse("people:roster_commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == RosterImport.Status.INVALID
    assert Member.objects.filter(name__startswith="测试").count() == 0
    assert not AuditEvent.objects.filter(action="import").exists()


def test_commit_rechecks_database(tree, office_staff):
    """An ID number registered after the preview fails the import; nothing is saved."""
    rows = good_rows(n=3)
    client = login(office_staff)
    upload(client, xlsx(rows))
    item = RosterImport.objects.get()
    assert item.status == RosterImport.Status.VALIDATED
    make_member(tree.orgs["other_branch"], "抢先登记", id_number=rows[1]["公民身份号码"])
    client.post(reverse("people:roster_commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == RosterImport.Status.FAILED
    assert item.errors == [
        {
            "row": 3,
            "column": "公民身份号码",
            "message": "This ID number is already registered for 抢先登记 (宣传司党支部).",
        }
    ]
    assert Member.objects.filter(name__startswith="测试").count() == 0


def test_commit_rechecks_scope(tree, office_staff):
    """A scope lost between preview and import makes the rows out of scope: nothing saved."""
    client = login(office_staff)
    upload(client, xlsx(good_rows(n=2)))
    item = RosterImport.objects.get()
    grant = RoleGrant.objects.get(user=office_staff)
    grant.organization = tree.orgs["other_branch"]
    grant.save()
    client.post(reverse("people:roster_commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == RosterImport.Status.FAILED
    assert "not within your scope" in item.errors[0]["message"]
    assert Member.objects.filter(name__startswith="测试").count() == 0


def test_commit_twice_imports_once(tree, office_staff):
    client = login(office_staff)
    upload(client, xlsx(good_rows(n=2)))
    item = RosterImport.objects.get()
    client.post(reverse("people:roster_commit", args=[item.pk]))
    client.post(reverse("people:roster_commit", args=[item.pk]))
    assert Member.objects.filter(name__startswith="测试").count() == 2
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_rosters_are_private_to_their_uploader(tree, office_staff, branch_secretary):
    """Another user's roster is a 404, even for a wider scope; commit is POST only."""
    client = login(branch_secretary)
    upload(client, xlsx(good_rows(n=1)))
    item = RosterImport.objects.get()
    other = login(office_staff)
    assert other.get(item.get_absolute_url()).status_code == 404
    assert other.get(reverse("people:roster_progress", args=[item.pk])).status_code == 404
    assert other.post(reverse("people:roster_commit", args=[item.pk])).status_code == 404
    assert client.get(reverse("people:roster_commit", args=[item.pk])).status_code == 405
    item.refresh_from_db()
    assert item.status == RosterImport.Status.VALIDATED


def test_reexport_imports_again(tree, office_staff):
    """An export of the member list reads as a roster (its only problems: already registered)."""
    client = login(office_staff)
    url = reverse("people:member_export") + f"?organization={tree.orgs['other_branch'].pk}"
    content = b"".join(client.get(url).streaming_content)
    upload(client, content, "export.xlsx")
    item = RosterImport.objects.get()
    assert item.total_rows == 1
    assert [(e["row"], e["column"], e["message"]) for e in item.errors] == [
        (3, "公民身份号码", "This ID number is already registered for 钱同志 (宣传司党支部).")
    ]


# --- background jobs and progress ------------------------------------------


def test_big_roster_enqueues_a_job(
    tree, office_staff, settings, django_capture_on_commit_callbacks
):
    """Above ROSTER_BACKGROUND_ROWS the upload only enqueues the check (database queue)."""
    settings.ROSTER_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        upload(login(office_staff), xlsx(good_rows(n=3)))
    item = RosterImport.objects.get()
    assert item.background and item.status == RosterImport.Status.PENDING
    job = DBTaskResult.objects.get()
    assert job.task_path == "dangjian.people.tasks.roster_validate_task"
    assert job.args_kwargs == {"args": [], "kwargs": {"roster_id": item.pk}}


def test_big_roster_runs_in_jobs(tree, office_staff, settings, django_capture_on_commit_callbacks):
    """The jobs check and import a big roster as the uploader (immediate backend)."""
    settings.ROSTER_BACKGROUND_ROWS = 2
    settings.TASKS = IMMEDIATE
    client = login(office_staff)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, xlsx(good_rows(n=3)))
    item = RosterImport.objects.get()
    assert item.status == RosterImport.Status.VALIDATED and item.processed_rows == 3
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:roster_commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == RosterImport.Status.COMMITTED
    assert Member.objects.filter(name__startswith="测试").count() == 3


def test_job_rechecks_the_uploaders_right(
    tree, office_staff, settings, django_capture_on_commit_callbacks
):
    """A role revoked before the job runs stops the job: nothing is checked or saved."""
    settings.ROSTER_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        upload(login(office_staff), xlsx(good_rows(n=3)))
    item = RosterImport.objects.get()
    RoleGrant.objects.filter(user=office_staff).delete()
    with translation.override("en"):
        roster_validate_task.call(roster_id=item.pk)
    item.refresh_from_db()
    assert item.status == RosterImport.Status.FAILED
    assert "no longer import" in item.errors[0]["message"]


def test_progress_polls_while_running_and_stops_when_done(tree, office_staff, settings):
    settings.ROSTER_BACKGROUND_ROWS = 2
    client = login(office_staff)
    upload(client, xlsx(good_rows(n=3)))  # on_commit not run: the job stays pending
    item = RosterImport.objects.get()
    url = reverse("people:roster_progress", args=[item.pk])
    running = client.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "HX-Refresh" not in running
    detail = client.get(item.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in detail and 'role="progressbar"' in detail
    RosterImport.objects.filter(pk=item.pk).update(status=RosterImport.Status.VALIDATED)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in done.content.decode()
    assert done["HX-Refresh"] == "true"


def test_scope_names_are_recorded(tree, office_staff):
    upload(login(office_staff), xlsx(good_rows(n=1)))
    item = RosterImport.objects.get()
    assert item.scope == {
        "paths": [tree.orgs["committee"].path],
        "names": ["测试局机关党委"],
    }
    assert item.uploaded_by == office_staff
    assert item.validated_at is not None


def test_masked_values_are_explained(tree, office_staff):
    """A masked export edited and uploaded again says the values are masked."""
    rows = good_rows(n=1)
    rows[0]["公民身份号码"] = "1101**********1234"
    rows[0]["手机号码"] = "139****5678"
    item = _only_errors(login(office_staff), rows)
    assert [e["column"] for e in item.errors] == ["公民身份号码", "手机号码"]
    assert all("masked" in e["message"] for e in item.errors)


def test_id_registered_during_commit_rolls_everything_back(tree, office_staff, monkeypatch):
    """If an ID number is registered between the final check and the insert, the
    unique index stops the insert: nothing is saved and the roster says why."""
    rows = good_rows(n=3)
    client = login(office_staff)
    upload(client, xlsx(rows))
    item = RosterImport.objects.get()
    real_check = roster.check_rows

    def check_then_race(**kwargs):
        result = real_check(**kwargs)
        if kwargs.get("keep_rows"):  # the commit's check: someone registers meanwhile
            make_member(tree.orgs["other_branch"], "抢先", id_number=rows[2]["公民身份号码"])
        return result

    monkeypatch.setattr(roster, "check_rows", check_then_race)
    client.post(reverse("people:roster_commit", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == RosterImport.Status.FAILED
    assert "Nothing was imported" in item.errors[0]["message"]
    assert Member.objects.filter(name__startswith="测试").count() == 0
    assert not MemberTransfer.objects.filter(member__name__startswith="测试").exists()
    assert not AuditEvent.objects.filter(action="import").exists()
