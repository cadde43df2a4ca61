"""Roster import (党员名册导入): the template, reading an upload, checking every
row, and saving all rows or none.

The flow: :func:`roster_upload` checks that the file really is an .xlsx (by
content: a zip holding the OOXML parts, not a zip bomb), stores it privately,
reads its header row and creates a :class:`RosterImport`. :func:`roster_validate`
reads every row (python-calamine) and records the problems;
:func:`roster_commit` reads and checks everything again — the database may have
changed since the preview — and inserts all members in one transaction, or
nothing. Big rosters run both steps in the job worker (people/tasks.py).

Column names and the words used in cells (男/女, 正式党员 …) are the file
format, not interface text: they stay Chinese whatever the interface language,
so that an office's existing sheets and our own exports import unchanged.
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import audit, crypto
from dangjian.core import text as core_text
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.validators import (
    id_number_birth_date,
    normalize_id_number,
    validate_id_number,
    validate_no_markup,
)
from dangjian.core.xlsx import ColumnSpec, WorkbookBuilder
from dangjian.organizations.models import STEP, Organization, OrganizationKind
from dangjian.security import lookups

from . import commit_lease
from .models import (
    Education,
    Gender,
    Member,
    MemberStatus,
    MemberTransfer,
    RosterImport,
)
from .services import (
    audit_lookup,
    id_number_clash_message,
    leading_group_membership_error,
    organization_recount,
    validate_member_data,
)

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# The file format
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as in the template, without the asterisk
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    width: float = 14
    text: bool = False
    date: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", required=True, aliases=("党员姓名", "名字"), max_length=50, width=12),
    Column("gender", "性别", width=8),
    Column("ethnicity", "民族", max_length=20, width=10),
    Column("birth_date", "出生日期", aliases=("出生年月日", "生日"), width=13, date=True),
    Column(
        "id_number",
        "公民身份号码",
        aliases=("身份证号", "身份证号码", "身份证", "公民身份证号码", "证件号码"),
        width=22,
        text=True,
    ),
    Column(
        "phone",
        "手机号码",
        aliases=("联系电话", "电话", "手机", "手机号", "电话号码", "联系方式"),
        width=15,
        text=True,
    ),
    Column("education", "学历", aliases=("最高学历", "文化程度"), width=12),
    Column("joined_party_on", "入党日期", aliases=("入党时间",), width=13, date=True),
    Column("full_member_on", "转正日期", aliases=("转正时间",), width=13, date=True),
    Column("status", "党员状态", aliases=("党员类别", "党员类型", "人员类别"), width=12),
    Column(
        "organization",
        "所在党组织",
        required=True,
        aliases=("党组织", "所在支部", "支部", "所在党支部", "党支部", "党组织名称"),
        max_length=200,
        width=28,
    ),
    Column("admin_title", "行政职务", aliases=("职务", "现任职务"), max_length=100, width=18),
)
# Columns an office's sheet or our own export may carry that the import does
# not read (posts are assigned on the member page).
POSTS_HEADER = "党内职务"
IGNORED_HEADERS = frozenset({"序号", "编号", POSTS_HEADER, "备注"})
TEXT_KEYS = ("name", "ethnicity", "admin_title")
DATE_KEYS = ("birth_date", "joined_party_on", "full_member_on")

GENDER_WORDS = {
    "男": Gender.MALE,
    "女": Gender.FEMALE,
    "male": Gender.MALE,
    "female": Gender.FEMALE,
}
GENDER_LABELS = {Gender.MALE: "男", Gender.FEMALE: "女"}
EDUCATION_LABELS = {
    Education.DOCTORATE: "博士研究生",
    Education.MASTER: "硕士研究生",
    Education.BACHELOR: "大学本科",
    Education.COLLEGE: "大学专科",
    Education.SECONDARY: "中专或高中",
    Education.OTHER: "其他",
}
EDUCATION_WORDS = {
    **{label: value for value, label in EDUCATION_LABELS.items()},
    **{value.value: value for value in Education},
    "博士": Education.DOCTORATE,
    "硕士": Education.MASTER,
    "研究生": Education.MASTER,
    "本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "专科": Education.COLLEGE,
    "大专": Education.COLLEGE,
    "中专": Education.SECONDARY,
    "高中": Education.SECONDARY,
    "中专及以下": Education.SECONDARY,
}
STATUS_LABELS = {MemberStatus.FULL: "正式党员", MemberStatus.PROBATIONARY: "预备党员"}
STATUS_WORDS = {
    **{label: value for value, label in STATUS_LABELS.items()},
    **{value.value: value for value in MemberStatus},
    "正式": MemberStatus.FULL,
    "预备": MemberStatus.PROBATIONARY,
}

HEADER_SEARCH_ROWS = 10
PREVIEW_ROWS = 100
MAX_STORED_ERRORS = 5000
PROGRESS_EVERY = 1000
DB_CHUNK = 1000
INSERT_BATCH = 2000
# A zip entry expanding more than this many times over is treated as a bomb;
# real sheets of even very repetitive rosters stay far below (see
# benchmarks/roster_import.py, which prints the ratio of its 100k-row file).
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 2000


def _normalize_header(text: str) -> str:
    return re.sub(r"[\s*＊:：]", "", str(text)).lower()


_HEADER_KEYS: dict[str, str] = {}
for _col in COLUMNS:
    for _name in (_col.header, *_col.aliases, _col.key):
        _HEADER_KEYS[_normalize_header(_name)] = _col.key
_COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
_IGNORED = frozenset(_normalize_header(h) for h in IGNORED_HEADERS)


def _word(text: str) -> str:
    return re.sub(r"\s", "", text).lower()


def max_rows() -> int:
    return int(getattr(settings, "ROSTER_MAX_ROWS", 200_000))


def max_unpacked_bytes() -> int:
    configured = getattr(settings, "ROSTER_MAX_UNPACKED_BYTES", None)
    return int(configured or 8 * settings.ROSTER_MAX_UPLOAD_BYTES)


# ---------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------


def example_id_number() -> str:
    """A checksum-valid, obviously synthetic ID number: 110101, born 1990-01-01."""
    from dangjian.core.validators import id_number_check_char

    first17 = "11010119900101" + "001"
    return first17 + id_number_check_char(first17)


def template_columns() -> list[ColumnSpec]:
    return [
        ColumnSpec(c.header + ("*" if c.required else ""), c.width, text=c.text, date=c.date)
        for c in COLUMNS
    ]


def build_template(*, user, target: str | IO[bytes]) -> None:
    """The roster template: a header row, one example row, an instructions sheet."""
    example_org = (
        Organization.objects.restrict(user, Action.MEMBER_IMPORT)
        .active()
        .order_by("-depth", "path")
        .values_list("name", flat=True)
        .first()
    ) or "办公厅第一党支部"
    builder = WorkbookBuilder()
    sheet = builder.add_sheet(_("Roster"), template_columns())
    sheet.append(
        [
            "示例党员（请删除本行）",
            "男",
            "汉族",
            datetime.date(1990, 1, 1),
            example_id_number(),
            "13800000000",
            "大学本科",
            datetime.date(2015, 7, 1),
            datetime.date(2016, 7, 1),
            "正式党员",
            example_org,
            "科员",
        ]
    )
    keys = [c.key for c in COLUMNS]
    last = 5000
    sheet.add_list_validation(
        keys.index("gender"), list(GENDER_LABELS.values()), first_row=2, last_row=last
    )
    sheet.add_list_validation(
        keys.index("education"), list(EDUCATION_LABELS.values()), first_row=2, last_row=last
    )
    sheet.add_list_validation(
        keys.index("status"), list(STATUS_LABELS.values()), first_row=2, last_row=last
    )
    notes = builder.add_sheet(
        _("Instructions"),
        [ColumnSpec(_("Column"), 16), ColumnSpec(_("How to fill it in"), 90)],
        autofilter=False,
    )
    for line in _instructions():
        notes.append(line)
    builder.save(target)


def _instructions() -> list[tuple[str, str]]:
    return [
        ("", _("One row per party member. Delete the example row before uploading.")),
        (
            "",
            _(
                "Columns marked * are required. Keep the column names; "
                "columns may be in any order. A roster is imported completely or not at all."
            ),
        ),
        ("姓名", _("The member's name, at most 50 characters.")),
        ("性别", _("男 or 女.")),
        (
            "出生日期",
            _("Dates may be written 2020-01-02, 2020/1/2, 2020.01.02 or 2020年1月2日."),
        ),
        (
            "公民身份号码",
            _(
                "18 characters. Format the column as text so Excel keeps every digit. "
                "The birth date inside must match the birth date column."
            ),
        ),
        ("手机号码", _("An 11-digit mobile number or a landline number with its area code.")),
        ("学历", "、".join(EDUCATION_LABELS.values())),
        ("党员状态", _("正式党员 or 预备党员; a probationary member has no full membership date.")),
        (
            "所在党组织",
            _(
                "The exact name of a party organization within your scope. If two "
                "organizations share the name, write it as parent organization/organization."
            ),
        ),
        (POSTS_HEADER, _("Ignored on import; assign party posts on the member page.")),
    ]


# ---------------------------------------------------------------------------
# Checking the file itself
# ---------------------------------------------------------------------------

_SPREADSHEET_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def _not_xlsx() -> ValidationError:
    return ValidationError(
        _(
            "This file is not an Excel workbook (.xlsx). Open it in Excel or WPS, "
            "save it as “Excel Workbook (*.xlsx)” and upload it again."
        ),
        code="not_xlsx",
    )


def check_xlsx(fileobj: IO[bytes], *, size: int | None = None) -> None:
    """Refuse anything but a genuine, reasonably sized .xlsx, whatever its name.

    Reads the zip directory and then inflates every entry once, counting, so a
    lying header or an entry that expands without bound is caught before any
    spreadsheet parser sees the file.
    """
    limit = settings.ROSTER_MAX_UPLOAD_BYTES
    if size is None:
        fileobj.seek(0, 2)
        size = fileobj.tell()
    if size > limit:
        raise ValidationError(
            _("The file is larger than %(limit)d MB; split the roster into several files.")
            % {"limit": max(1, limit // (1024 * 1024))},
            code="too_big",
        )
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ValidationError(
            _(
                "This is an old-format Excel file (.xls) or a password-protected workbook. "
                "Remove any password, save it as “Excel Workbook (*.xlsx)” and "
                "upload it again."
            ),
            code="xls",
        )
    if not head.startswith(b"PK\x03\x04"):
        raise _not_xlsx()
    try:
        archive = zipfile.ZipFile(fileobj)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_xlsx() from exc
    names = [i.filename for i in infos]
    if (
        "[Content_Types].xml" not in names
        or "xl/workbook.xml" not in names
        or len(set(names)) != len(names)
    ):
        raise _not_xlsx()
    bomb = ValidationError(
        _(
            "The workbook expands to an unreasonable size when opened and was refused. "
            "Save the roster again as a plain .xlsx file."
        ),
        code="zip_bomb",
    )
    unpacked_limit = max_unpacked_bytes()
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > unpacked_limit:
        raise bomb
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise bomb
    total = 0
    try:
        for info in infos:
            if info.flag_bits & 0x1:  # an encrypted entry
                raise _not_xlsx()
            seen = 0
            with archive.open(info) as member:
                while chunk := member.read(1 << 20):
                    seen += len(chunk)
                    total += len(chunk)
                    if seen > info.file_size or total > unpacked_limit:
                        raise bomb
            if info.filename == "[Content_Types].xml":
                with archive.open(info) as member:
                    if _SPREADSHEET_MAIN not in member.read(1 << 20):
                        raise _not_xlsx()
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        raise _not_xlsx() from exc
    finally:
        fileobj.seek(0)


# ---------------------------------------------------------------------------
# Reading the sheet
# ---------------------------------------------------------------------------


@dataclass
class RosterSheet:
    """The data sheet of an upload: where its header is and what its columns mean."""

    workbook: Any
    sheet: Any
    header_row: int  # 1-based
    positions: dict[str, int]  # column key -> 0-based cell index
    headers: dict[str, str]  # column key -> the header as written in the file
    estimated_rows: int

    def rows(self) -> Iterator[tuple[int, list]]:
        """(Excel row number, cells) of every row below the header."""
        for index, cells in enumerate(self.sheet.iter_rows()):
            number = index + 1
            if number > self.header_row:
                yield number, cells

    def close(self) -> None:
        self.workbook.close()


def read_roster(path: str) -> RosterSheet:
    """Open an (already checked) .xlsx and find its roster sheet and header row."""
    try:
        workbook = CalamineWorkbook.from_path(path)
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise _not_xlsx() from exc
    try:
        return _find_sheet(workbook)
    except BaseException:
        workbook.close()
        raise


def _find_sheet(workbook) -> RosterSheet:
    name_key = _normalize_header(_COLUMN_BY_KEY["name"].header)
    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
            continue
        try:
            sheet = workbook.get_sheet_by_name(meta.name)
        except Exception as exc:
            raise _not_xlsx() from exc
        for index, cells in enumerate(sheet.iter_rows()):
            if index >= HEADER_SEARCH_ROWS:
                break
            normalized = [_normalize_header(c) if isinstance(c, str) else "" for c in cells]
            if any(_HEADER_KEYS.get(n) == "name" or n == name_key for n in normalized):
                positions, headers = _map_header(cells)
                end = sheet.end
                estimated = (end[0] + 1 - (index + 1)) if end else 0
                if estimated > max_rows():
                    raise ValidationError(
                        _("The roster has more than %(limit)d rows; split it into several files.")
                        % {"limit": max_rows()},
                        code="too_many_rows",
                    )
                return RosterSheet(workbook, sheet, index + 1, positions, headers, estimated)
    raise ValidationError(
        _(
            "No sheet has a header row with the column %(column)s within its first rows. "
            "Start from the template."
        )
        % {"column": _COLUMN_BY_KEY["name"].header},
        code="no_header",
    )


def _map_header(cells: Sequence) -> tuple[dict[str, int], dict[str, str]]:
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: list[str] = []
    twice: list[str] = []
    for i, cell in enumerate(cells):
        text = _cell_text(cell)
        if not text:
            continue
        norm = _normalize_header(text)
        key = _HEADER_KEYS.get(norm)
        if key is None:
            if norm not in _IGNORED:
                unknown.append(text)
            continue
        if key in positions:
            twice.append(text)
            continue
        positions[key] = i
        headers[key] = text.replace("*", "").replace("＊", "").strip()
    problems = []
    if unknown:
        problems.append(
            ValidationError(
                _("Unknown columns: %(columns)s. Use the column names of the template.")
                % {"columns": "、".join(unknown)},
                code="unknown_columns",
            )
        )
    if twice:
        problems.append(
            ValidationError(
                _("These columns repeat a column already present: %(columns)s.")
                % {"columns": "、".join(twice)},
                code="duplicate_columns",
            )
        )
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        problems.append(
            ValidationError(
                _("Required columns are missing: %(columns)s.") % {"columns": "、".join(missing)},
                code="missing_columns",
            )
        )
    if problems:
        raise ValidationError(problems)
    return positions, headers


def _cell_text(value: Any) -> str:
    if type(value) is str:  # the common case first: this runs for every cell
        if "\u3000" in value or "\xa0" in value:
            value = value.replace("\u3000", " ").replace("\xa0", " ")
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").replace("\xa0", " ").strip()


_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class _BadValue(Exception):
    pass


def parse_date(value: Any) -> datetime.date | None:
    """A date from a date cell or from text like 2020-01-02, 2020/1/2, 2020.01.02, 2020年1月2日."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _cell_text(value)
    if not text:
        return None
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not match:
        raise _BadValue(_("Enter a date such as 2020-01-02, 2020/1/2, 2020.01.02 or 2020年1月2日."))
    year, month, day = (int(g) for g in match.groups())
    try:
        day_ = datetime.date(year, month, day)
    except ValueError:
        raise _BadValue(_("This date does not exist; check the month and day.")) from None
    if year < 1900:
        raise _BadValue(_("This date does not exist; check the month and day."))
    return day_


# ---------------------------------------------------------------------------
# Checking rows
# ---------------------------------------------------------------------------


class OrganizationIndex:
    """Organization names the user may import into (MEMBER_IMPORT scope, active only)."""

    def __init__(self, user):
        rows = list(
            Organization.objects.restrict(user, Action.MEMBER_IMPORT)
            .active()
            .values_list("pk", "name", "short_name", "path", "kind")
        )
        self.by_name: dict[str, list[tuple[int, str]]] = {}
        self.name_by_path: dict[str, str] = {}
        self.path_by_id: dict[int, str] = {}
        self.leading_groups = {
            pk for pk, *_rest, kind in rows if kind == OrganizationKind.LEADING_GROUP
        }
        for pk, name, short_name, path, _kind in rows:
            self.name_by_path[path] = name
            self.path_by_id[pk] = path
            for n in {_word(name), _word(short_name)} - {""}:
                self.by_name.setdefault(n, []).append((pk, path))
        # Names of the ancestors above the scope, for "parent/child" names.
        missing = {
            path[: i * STEP] for path in self.name_by_path for i in range(1, len(path) // STEP)
        } - set(self.name_by_path)
        if missing:
            self.name_by_path.update(
                Organization.objects.filter(path__in=missing).values_list("path", "name")
            )
        self._cache: dict[str, int | str] = {}

    def resolve(self, text: str) -> int | str:
        """The organization id, or an error message."""
        cached = self._cache.get(text)
        if cached is None:
            cached = self._cache[text] = self._resolve(text)
        return cached

    def _resolve(self, text: str) -> int | str:
        parts = [_word(p) for p in re.split(r"[/／]", text) if _word(p)]
        if not parts:
            return _("Organization not found or not within your scope.")
        *parents, name = parts
        candidates = [
            pk
            for pk, path in self.by_name.get(name, [])
            if all(
                _word(self.name_by_path.get(path[: -STEP * up], "")) == parent
                for up, parent in enumerate(reversed(parents), start=1)
            )
        ]
        if not candidates:
            return _("Organization not found or not within your scope.")
        if len(candidates) > 1:
            return _(
                "Several organizations within your scope have this name; "
                "write it as “parent organization/organization”."
            )
        if candidates[0] in self.leading_groups:
            return leading_group_membership_error()
        return candidates[0]


@dataclass
class CheckResult:
    total_rows: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    preview: list[list[str]] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # valid rows, kept only when asked
    organization_ids: set[int] = field(default_factory=set)

    def add_error(self, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append({"row": row, "column": column, "message": str(message)})


class RowChecker:
    """Checks rows one by one; uniqueness of ID numbers is checked in batches at the end."""

    def __init__(
        self, *, user, sheet: RosterSheet, keep_rows: bool, today=None, charge: bool = True
    ):
        self.user = user
        self.charge = charge
        self.sheet = sheet
        self.keep_rows = keep_rows
        self.today = today or timezone.localdate()
        self.organizations = OrganizationIndex(user)
        self.result = CheckResult()
        self.seen_ids: dict[str, int] = {}  # blind index -> first row number
        self.header = {
            key: sheet.headers.get(key, _COLUMN_BY_KEY[key].header) for key in _COLUMN_BY_KEY
        }
        self._positions = sorted(sheet.positions.items(), key=lambda kv: kv[1])

    def check_row(self, number: int, cells: list) -> None:
        raw = {key: (cells[i] if i < len(cells) else "") for key, i in self._positions}
        texts = {key: _cell_text(value) for key, value in raw.items()}
        if not any(texts.values()):
            return  # blank rows are ignored
        self.result.total_rows += 1
        errors_before = self.result.error_count
        err = partial(self._error, number)
        data: dict[str, Any] = {}
        for key in TEXT_KEYS:
            data[key] = self._text(number, key, texts.get(key, ""))
        if not data["name"]:
            err("name", _("Required: this cell is empty."))
        for key in DATE_KEYS:
            try:
                data[key] = parse_date(raw.get(key))
            except _BadValue as exc:
                err(key, exc.args[0])
                data[key] = None
        data["gender"] = self._choice(number, "gender", texts, GENDER_WORDS)
        data["education"] = self._choice(number, "education", texts, EDUCATION_WORDS)
        data["status"] = self._choice(number, "status", texts, STATUS_WORDS) or MemberStatus.FULL
        organization = texts.get("organization", "")
        if not organization:
            err("organization", _("Required: this cell is empty."))
        else:
            found = self.organizations.resolve(organization)
            if isinstance(found, int):
                data["organization_id"] = found
            else:
                err("organization", found)
        id_value = raw.get("id_number", "")
        id_number = None
        if isinstance(id_value, int | float) and not isinstance(id_value, bool):
            err(
                "id_number",
                _(
                    "The ID number was stored as a number, which loses its last digits; "
                    "format the column as text and enter the number again."
                ),
            )
        elif "*" in texts.get("id_number", ""):
            err("id_number", _masked_message())
        elif texts.get("id_number"):
            try:
                id_number = validate_id_number(
                    normalize_id_number(texts["id_number"]), birth_date=data["birth_date"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    err("id_number", message)
            else:
                if data["birth_date"] is None:
                    data["birth_date"] = id_number_birth_date(id_number)
        phone = texts.get("phone", "")
        if "*" in phone:
            err("phone", _masked_message())
            phone = ""
        data["phone"] = phone
        # The shared rules (dates, phone, probationary status); no ID number here,
        # so it makes no query: uniqueness is checked in batches by finish().
        for field_name, messages in validate_member_data(data=data, today=self.today).items():
            column = field_name if field_name in self.header else "id_number"
            if field_name == "birth_date" and "birth_date" not in self.sheet.positions:
                column = "id_number"
            for message in messages:
                err(column, message)
        index = None
        if id_number:
            index = crypto.blind_index(id_number, purpose="id_number")
            first = self.seen_ids.get(index)
            if first is not None:
                err(
                    "id_number",
                    _("The same ID number appears in rows %(first)d and %(second)d.")
                    % {"first": first, "second": number},
                )
            else:
                self.seen_ids[index] = number
        if self.result.error_count > errors_before:
            return
        data["id_number"] = id_number
        data["id_number_index"] = index
        data["row"] = number
        self.result.organization_ids.add(data["organization_id"])
        if len(self.result.preview) < PREVIEW_ROWS:
            self.result.preview.append(self._preview(number, data, organization))
        if self.keep_rows:
            self.result.rows.append(data)

    def finish(self) -> CheckResult:
        """The database check of ID numbers, a few queries for the whole file.

        The numbers are charged to the user's daily look-up budget first: a roster that
        does not fit is refused whole, with the budget's message alone (no row checked
        against the members, no preview). A number already registered names its member
        only within the user's member.view scope; the run is audited as one look-up.
        """
        if self.charge and self.seen_ids:
            try:
                lookups.charge(actor=self.user, count=len(self.seen_ids))
            except lookups.LookupBudgetSpent as exc:
                self.result = CheckResult(total_rows=self.result.total_rows)
                self.result.add_error(None, "", exc.messages[0])
                return self.result
        self._check_registered()
        if self.result.total_rows == 0:
            self.result.add_error(None, "", _("The roster has no data rows."))
        self.result.errors.sort(key=lambda e: e["row"] or 0)
        return self.result

    def _check_registered(self) -> None:
        with transaction.atomic():
            found = dict(_registered(self.seen_ids))  # member id -> first row
            pks = list(found)
            visible = Member.objects.restrict(self.user, Action.MEMBER_VIEW).select_related(
                "organization"
            )
            inside = [
                member
                for start in range(0, len(found), DB_CHUNK)
                for member in visible.filter(pk__in=pks[start : start + DB_CHUNK])
            ]
            if self.seen_ids:
                audit_lookup(
                    actor=self.user,
                    source="roster check" if self.charge else "roster import",
                    checked=len(self.seen_ids),
                    inside=inside,
                    outside=len(found) - len(inside),
                )
        named = {member.pk: member for member in inside}
        for pk, first_row in found.items():
            self._error(first_row, "id_number", id_number_clash_message(named.get(pk)))

    def _error(self, number: int, key: str, message) -> None:
        self.result.add_error(number, self.header.get(key, key), message)

    def _text(self, number: int, key: str, text: str) -> str:
        column = _COLUMN_BY_KEY[key]
        # The same normal form and invisible-character check as the Member model's.
        try:
            text = core_text.clean(
                text, label=column.header, kind=Member.identifying_text.get(key, core_text.TITLE)
            )
        except ValidationError as exc:
            self._error(number, key, exc.messages[0])
        if column.max_length and len(text) > column.max_length:
            self._error(
                number,
                key,
                _("At most %(limit)d characters are allowed here.") % {"limit": column.max_length},
            )
        if "<" in text or ">" in text:  # the only way validate_no_markup can fail
            try:
                validate_no_markup(text)
            except ValidationError as exc:
                for message in exc.messages:
                    self._error(number, key, message)
        return text

    def _choice(self, number: int, key: str, texts: dict, words: dict) -> str:
        text = texts.get(key, "")
        if not text:
            return ""
        value = words.get(text) or words.get(_word(text))
        if value is None:
            labels = {
                "gender": GENDER_LABELS,
                "education": EDUCATION_LABELS,
                "status": STATUS_LABELS,
            }[key]
            self._error(
                number,
                key,
                _("Use one of: %(choices)s.") % {"choices": "、".join(labels.values())},
            )
            return ""
        return str(value)

    def _preview(self, number: int, data: dict, organization: str) -> list[str]:
        def day(d):
            return d.isoformat() if d else ""

        return [
            str(number),
            data["name"],
            str(Gender(data["gender"]).label) if data["gender"] else "",
            data["ethnicity"],
            day(data["birth_date"]),
            mask_id_number(data["id_number"]),
            mask_phone(data["phone"]),
            str(Education(data["education"]).label) if data["education"] else "",
            day(data["joined_party_on"]),
            day(data["full_member_on"]),
            str(MemberStatus(data["status"]).label),
            organization,
            data["admin_title"],
        ]


def _masked_message() -> str:
    return _(
        "This value is masked (exported without personal data); "
        "enter the full value or leave the cell empty."
    )


def _registered(seen: dict[str, int]) -> Iterator[tuple[int, int]]:
    """(member id, row) of ID numbers already in the database, in chunked queries."""
    indexes = list(seen)
    if connection.vendor == "postgresql":
        # One array parameter instead of thousands of placeholders: psycopg
        # binds it without parsing a huge statement, and chunks can be bigger.
        table = connection.ops.quote_name(Member._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(indexes), 10 * DB_CHUNK):
                cursor.execute(
                    f"SELECT id_number_index, id FROM {table} WHERE id_number_index = ANY(%s)",  # noqa: S608
                    [indexes[start : start + 10 * DB_CHUNK]],
                )
                for index, pk in cursor.fetchall():
                    yield pk, seen[index]
        return
    for start in range(0, len(indexes), DB_CHUNK):
        chunk = indexes[start : start + DB_CHUNK]
        for index, pk in Member.objects.filter(id_number_index__in=chunk).values_list(
            "id_number_index", "pk"
        ):
            yield pk, seen[index]


def check_rows(
    *,
    user,
    sheet: RosterSheet,
    keep_rows: bool = False,
    progress: Callable[[int], None] | None = None,
) -> CheckResult:
    # The import (keep_rows) re-checks the numbers its validation run already paid for:
    # audited again, not charged again.
    checker = RowChecker(user=user, sheet=sheet, keep_rows=keep_rows, charge=not keep_rows)
    for count, (number, cells) in enumerate(sheet.rows(), start=1):
        checker.check_row(number, cells)
        if progress and count % PROGRESS_EVERY == 0:
            progress(checker.result.total_rows)
    return checker.finish()


# ---------------------------------------------------------------------------
# The steps
# ---------------------------------------------------------------------------


def _require_import(actor) -> None:
    if not policy.has_action(actor, Action.MEMBER_IMPORT):
        raise PermissionDenied


def _scope(actor) -> dict:
    paths = policy.paths_for(actor, Action.MEMBER_IMPORT)
    if paths is None:
        return {"all": True}
    names = list(
        Organization.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True)
    )
    return {"paths": sorted(paths), "names": names}


def is_background(rows: int) -> bool:
    return rows > settings.ROSTER_BACKGROUND_ROWS


def roster_upload(*, actor, uploaded_file) -> RosterImport:
    """Check and store an uploaded roster; check its rows now or in the job worker.

    Raises ValidationError for a file that is not a usable roster (nothing is
    kept then).
    """
    _require_import(actor)
    check_xlsx(uploaded_file, size=uploaded_file.size)
    storage = RosterImport._meta.get_field("file").storage
    today = timezone.localdate()
    name = storage.save(f"rosters/{today:%Y/%m}/{uuid.uuid4().hex}.xlsx", uploaded_file)
    try:
        sheet = read_roster(storage.path(name))
    except BaseException:
        storage.delete(name)
        raise
    background = is_background(sheet.estimated_rows)
    original = (getattr(uploaded_file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    with transaction.atomic():
        roster = RosterImport.objects.create(
            uploaded_by=actor,
            file=name,
            original_name=original[:200],
            language=translation.get_language() or "",
            scope=_scope(actor),
            background=background,
            total_rows=sheet.estimated_rows,
        )
        if background:
            from .tasks import roster_validate_task

            transaction.on_commit(partial(roster_validate_task.enqueue, roster_id=roster.pk))
    if background:
        sheet.close()
    else:
        roster_validate(roster=roster, actor=actor, sheet=sheet)
    return roster


def _progress_updater(roster: RosterImport) -> Callable[[int], None]:
    def update(done: int) -> None:
        # A single UPDATE in autocommit: visible to the progress poll at once.
        RosterImport.objects.filter(pk=roster.pk).update(
            processed_rows=done, updated_at=timezone.now()
        )

    return update


def _finish(roster: RosterImport, **fields) -> None:
    for name, value in fields.items():
        setattr(roster, name, value)
    roster.save(update_fields=[*fields, "updated_at"])


def discard_file(roster: RosterImport) -> None:
    """Delete the uploaded file (clear ID numbers) and forget its name; the hourly
    clean-up retries a file that could not be deleted (``file`` still set)."""
    if roster.file:
        try:
            roster.file.storage.delete(roster.file.name)
        except OSError:
            logger.warning("roster %s: could not delete the uploaded file", roster.pk)
        else:
            RosterImport.objects.filter(pk=roster.pk).update(file="")
            roster.file = ""


def roster_validate(
    *, roster: RosterImport, actor, sheet: RosterSheet | None = None, progress: bool = False
) -> RosterImport:
    """Check every row of a pending roster and record the outcome (validated / invalid)."""
    _require_import(actor)
    if roster.uploaded_by_id != actor.pk:
        raise PermissionDenied
    claimed = RosterImport.objects.filter(pk=roster.pk, status=RosterImport.Status.PENDING).update(
        status=RosterImport.Status.VALIDATING, processed_rows=0, updated_at=timezone.now()
    )
    if not claimed:
        if sheet is not None:
            sheet.close()
        roster.refresh_from_db()
        return roster
    try:
        if sheet is None:
            sheet = read_roster(roster.file.path)
        result = check_rows(
            user=actor, sheet=sheet, progress=_progress_updater(roster) if progress else None
        )
    except ValidationError as exc:
        _finish(
            roster,
            status=RosterImport.Status.INVALID,
            errors=[{"row": None, "column": "", "message": m} for m in exc.messages],
            error_count=len(exc.messages),
            finished_at=timezone.now(),
            validated_at=timezone.now(),
        )
        discard_file(roster)
        return roster
    finally:
        if sheet is not None:
            sheet.close()
    status = (
        RosterImport.Status.VALIDATED if not result.error_count else RosterImport.Status.INVALID
    )
    _finish(
        roster,
        status=status,
        total_rows=result.total_rows,
        processed_rows=result.total_rows,
        errors=result.errors,
        error_count=result.error_count,
        preview=result.preview,
        scope=_scope(actor),
        validated_at=timezone.now(),
        finished_at=timezone.now() if result.error_count else None,
    )
    if result.error_count:
        discard_file(roster)
    return roster


def roster_start_commit(*, roster: RosterImport, actor) -> RosterImport:
    """Claim a checked roster for import; import now, or enqueue the job for a big one."""
    _require_import(actor)
    if roster.uploaded_by_id != actor.pk:
        raise PermissionDenied
    from .roster_cleanup import recover_commit

    recover_commit(roster)  # a commit whose process died no longer blocks this one
    # The synchronous path holds the lease from the claim on; a background commit's
    # job takes it when it starts (roster_commit).
    with commit_lease.held(roster.pk) if not roster.background else nullcontext(True) as ok:
        claimed = ok and RosterImport.objects.filter(
            pk=roster.pk, status=RosterImport.Status.VALIDATED, error_count=0
        ).update(
            status=RosterImport.Status.COMMITTING,
            processed_rows=0,
            commit_owner="" if roster.background else commit_lease.owner_token(),
            updated_at=timezone.now(),
        )
        roster.refresh_from_db()
        if not claimed:
            raise ValidationError(_("This roster cannot be imported in its current state."))
        if roster.background:
            from .tasks import roster_commit_task

            transaction.on_commit(partial(roster_commit_task.enqueue, roster_id=roster.pk))
            return roster
        return roster_commit(roster=roster, actor=actor)


def roster_commit(*, roster: RosterImport, actor, progress: bool = False) -> RosterImport:
    """Import a claimed roster while holding its commit lease (people/commit_lease.py).

    Another live process holding the lease (a duplicate delivery of the job) is
    left alone: the roster is returned unchanged. A lease left by a dead process
    is taken over — its transaction was rolled back, so the import starts afresh.
    """
    _require_import(actor)
    if roster.uploaded_by_id != actor.pk:
        raise PermissionDenied
    with commit_lease.held(roster.pk) as acquired:
        taken = acquired and RosterImport.objects.filter(
            pk=roster.pk, status=RosterImport.Status.COMMITTING
        ).update(commit_owner=commit_lease.owner_token(), updated_at=timezone.now())
        roster.refresh_from_db()
        if not taken:
            return roster
        return _commit_held(roster=roster, actor=actor, progress=progress)


def _commit_held(*, roster: RosterImport, actor, progress: bool = False) -> RosterImport:
    """Read and check the roster again, then insert every member in one transaction.

    A roster with any problem saves nothing: its errors are recorded and the
    status becomes ``failed``.
    """
    _require_import(actor)
    if roster.uploaded_by_id != actor.pk or roster.status != RosterImport.Status.COMMITTING:
        raise PermissionDenied
    update = _progress_updater(roster) if progress else None
    try:
        sheet = read_roster(roster.file.path)
        try:
            result = check_rows(user=actor, sheet=sheet, keep_rows=True, progress=update)
        finally:
            sheet.close()
    except (ValidationError, OSError) as exc:
        messages = (
            exc.messages
            if isinstance(exc, ValidationError)
            else [_("The uploaded file is no longer available; upload the roster again.")]
        )
        _finish(
            roster,
            status=RosterImport.Status.FAILED,
            errors=[{"row": None, "column": "", "message": m} for m in messages],
            error_count=len(messages),
            finished_at=timezone.now(),
        )
        discard_file(roster)
        return roster
    if result.error_count:
        _finish(
            roster,
            status=RosterImport.Status.FAILED,
            errors=result.errors,
            error_count=result.error_count,
            total_rows=result.total_rows,
            finished_at=timezone.now(),
        )
        discard_file(roster)
        return roster
    try:
        _insert(roster=roster, actor=actor, result=result)
    except (IntegrityError, PermissionDenied):
        message = _(
            "Nothing was imported: while saving, some of these ID numbers were registered "
            "by someone else or your scope changed. Upload the roster again to check it."
        )
        _finish(
            roster,
            status=RosterImport.Status.FAILED,
            errors=[{"row": None, "column": "", "message": message}],
            error_count=1,
            finished_at=timezone.now(),
        )
        discard_file(roster)
        return roster
    roster.refresh_from_db()
    discard_file(roster)
    return roster


@transaction.atomic
def _insert(*, roster: RosterImport, actor, result: CheckResult) -> int:
    # Second guard: every target organization is checked through the policy.
    organizations = Organization.objects.filter(pk__in=result.organization_ids)
    for org in organizations:
        if not policy.can(actor, Action.MEMBER_IMPORT, org) or org.is_dissolved:
            raise PermissionDenied
    # ID numbers were checked against the database just before (check_rows);
    # one registered in the moments since trips the unique index: IntegrityError,
    # the transaction rolls back, roster_commit records the failure.
    now = timezone.now()
    today = timezone.localdate()
    scratch = Member()  # set_id_number/set_phone on one reused instance: no model per row
    # A generator: on PostgreSQL rows are encrypted while COPY streams the
    # previous ones, so the server's index work overlaps our encryption.
    member_rows = (_member_values(scratch, row, now) for row in result.rows)
    count = len(result.rows)
    if connection.vendor == "postgresql":
        member_ids = _copy_members(member_rows, count)
    else:
        member_ids = _bulk_create_members(member_rows)
    reason = _("registered by roster import")
    recorded_by = actor.pk if getattr(actor, "pk", None) else None
    transfers = [
        (member_id, None, row["organization_id"], today, reason, recorded_by, now)
        for member_id, row in zip(member_ids, result.rows, strict=True)
    ]
    if connection.vendor == "postgresql":
        _copy(MemberTransfer, TRANSFER_FIELDS, transfers)
    else:
        MemberTransfer.objects.bulk_create(
            [MemberTransfer(**dict(zip(TRANSFER_FIELDS, t, strict=True))) for t in transfers],
            batch_size=INSERT_BATCH,
        )
    organization_recount(organization_ids=result.organization_ids)
    RosterImport.objects.filter(pk=roster.pk).update(
        status=RosterImport.Status.COMMITTED,
        created_count=count,
        total_rows=count,
        processed_rows=count,
        errors=[],
        error_count=0,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    roster.refresh_from_db()
    audit.record(
        actor=actor,
        action=audit.AuditEvent.Action.IMPORT,
        obj=roster,
        changes={"members": count, "organizations": len(result.organization_ids)},
        note=f"roster import: {count} members",
    )
    return count


MEMBER_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "id_number_cipher",
    "id_number_index",
    "id_number_masked",
    "phone_cipher",
    "phone_index",
    "phone_masked",
    "joined_party_on",
    "full_member_on",
    "status",
    "organization_id",
    "admin_title",
    "left_at",
    "version",
    "created_at",
    "updated_at",
)
TRANSFER_FIELDS = (
    "member_id",
    "from_organization_id",
    "to_organization_id",
    "transferred_on",
    "reason",
    "recorded_by_id",
    "recorded_at",
)


def _member_values(member: Member, row: dict, now: datetime.datetime) -> tuple:
    """One member's column values, personal data encrypted by Member.set_*."""
    member.set_id_number(row["id_number"])
    member.set_phone(row["phone"])
    return (
        row["name"],
        row["gender"],
        row["ethnicity"],
        row["birth_date"],
        row["education"],
        member.id_number_cipher,
        member.id_number_index,
        member.id_number_masked,
        member.phone_cipher,
        member.phone_index,
        member.phone_masked,
        row["joined_party_on"],
        row["full_member_on"],
        row["status"],
        row["organization_id"],
        row["admin_title"],
        None,
        1,
        now,
        now,
    )


def _bulk_create_members(rows: Iterable[tuple]) -> list[int]:
    # bulk_create sets the primary keys where the database returns them from a
    # multi-row INSERT (SQLite >= 3.35, PostgreSQL); the transfers need them.
    if not connection.features.can_return_rows_from_bulk_insert:
        raise NotImplementedError("roster import needs a database returning inserted ids")
    objs = [Member(**dict(zip(MEMBER_FIELDS, row, strict=True))) for row in rows]
    Member.objects.bulk_create(objs, batch_size=INSERT_BATCH)
    return [obj.pk for obj in objs]


def _copy_members(rows: Iterable[tuple], count: int) -> list[int]:
    """COPY the members in with ids taken from the table's sequence beforehand.

    COPY cannot return the ids it inserts, and the transfers need them. Taking
    the ids first (nextval over generate_series, one query) and writing them
    explicitly keeps one ordered list of ids for both COPYs; the sequence stays
    consistent because every id written came from it.
    """
    table = Member._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        ids = [r[0] for r in cursor.fetchall()]
    _copy(Member, ("id", *MEMBER_FIELDS), ((pk, *row) for pk, row in zip(ids, rows, strict=True)))
    return ids


def _copy(model, fields: Sequence[str], rows: Iterable[tuple]) -> None:
    """PostgreSQL COPY FROM STDIN through psycopg 3, inside the current transaction."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(f).column) for f in fields)
    # Names come from the model's meta, never from input.
    statement = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
    # wrap_database_errors: psycopg's errors become Django's (IntegrityError …),
    # as for any query made through the ORM.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row(row)
