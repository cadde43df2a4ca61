"""The demo data behind ``dangjian load_demo``.

Two organs, as the seed reports show them: 广电总局 (seed 000: the launch of the
capability campaign and the four-strong branch forum, with the ten presenting
branches) and a provincial bureau, 省广电局 (seed 002: a leading-group meeting
studying six speeches). The people named in the reports exist with their name,
administrative title and party posts only: nothing about them is invented.
Everybody else is synthetic, generated from ``seed`` so that the same seed
gives the same data, and written with ``bulk_create`` so that a million
members load in minutes (no per-row service call, one audit event in all).

The whole load is one transaction: all or nothing.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED
from django.utils import timezone
from django.utils.translation import gettext

from dangjian.access.models import RoleGrant
from dangjian.access.roles import Role
from dangjian.core import audit, demo_campaigns, demo_meetings
from dangjian.core.models import AuditEvent
from dangjian.core.validators import id_number_check_char
from dangjian.meetings.models import Attendance, Meeting
from dangjian.organizations.models import (
    Organization,
    OrganizationKind,
    Unit,
    UnitKind,
    encode_step,
)
from dangjian.people.models import (
    Education,
    Gender,
    Member,
    MemberStatus,
    MemberTransfer,
    PostAssignment,
    PostTitle,
)
from dangjian.people.services import organization_recount
from dangjian.study.models import Topic
from dangjian.tasks.models import Task

# The audit event that marks a database as holding the demo (and makes later runs no-ops).
MARKER_TYPE = "core.demo"
MARKER_NOTE = "demo data"

DEFAULT_SIZE = 1000
DEFAULT_SEED = 2023
MEMBERS_PER_BRANCH = 16  # ~60 branches at 1,000 members
MAX_BRANCHES = 10_000  # 1,000,000 members → 10,000 branches of ~100, the scale target
FLUSH_MEMBERS = 5_000  # members generated before they are written out
BATCH = 1_000

K = OrganizationKind
P = PostTitle

# ---------------------------------------------------------------------------
# The organs of the seed reports
# ---------------------------------------------------------------------------

NRTA_ORGAN = "国家广播电视总局"
# The four departments whose branches presented at the forum keep one branch
# each, so their names stay those of the report.
NRTA_PRESENTING_DEPARTMENTS = ("宣传司", "电视剧司", "网络视听司", "规划财务司")
NRTA_DEPARTMENTS = (
    "办公厅",
    *NRTA_PRESENTING_DEPARTMENTS,
    "政策法规司",
    "公共服务司",
    "媒体融合发展司",
    "传媒机构管理司",
    "科技司",
    "安全传输保障司",
    "国际合作司",
    "人事司",
)
NRTA_OFFICE_BRANCHES = 3  # 办公厅第一、第二、第三党支部 (the third presented)
# Directly affiliated units and their divisions; the first division of each is
# the one whose branch presented at the forum. 广科院 is the report's short name
# of 广播电视科学研究院; units keep the names the reports use, so that a report
# pasted back in finds them.
NRTA_AFFILIATED = {
    "监管中心": ("信息安全处", "综合业务处", "监测监管处"),
    "广科院": ("电视技术研究所", "广播技术研究所", "综合办公室"),
    "机关服务局": ("技术保障部", "综合处", "物业管理部"),
    "中广公司": ("工程事业部", "国际业务部", "综合部"),
    "北京地球站": ("节目平台机房", "运行维护部", "综合部"),
}

PROVINCE_ORGAN = "省广电局"
PROVINCE_DEPARTMENTS = (
    "办公室",
    "宣传管理处",
    "传媒机构管理处",
    "网络视听节目管理处",
    "规划财务处",
    "科技处",
)
PROVINCE_AFFILIATED = {"广播电视监测中心": "监测中心", "广播电视节目传输中心": "传输中心"}
PROVINCE_SHARE = 0.1  # of the branches added with --size

# The people the reports name: name, administrative title, the branch that holds their
# membership (组织关系), posts (organization key, title). A 党组 is a leading body, not a
# branch: its members hold posts in it, and their membership is in a branch of the organ
# where they attend organizational life as ordinary members (领导干部双重组织生活). In a
# central or provincial organ the leaders' membership is usually kept in a branch of the
# general office (办公厅 / 办公室), which serves them day to day; so here: 办公厅第一党支部
# for 广电总局 and 局机关第一党支部 (办公室) for 省广电局.
NRTA_LEADERS_BRANCH = "nrta_dept_0_0"
PROVINCE_LEADERS_BRANCH = "province_dept_0_0"
REAL_PEOPLE = (
    ("乐玉成", "副局长", NRTA_LEADERS_BRANCH, (("nrta", P.LEADING_GROUP_MEMBER),)),
    (
        "杨小伟",
        "副局长",
        NRTA_LEADERS_BRANCH,
        (("nrta", P.LEADING_GROUP_MEMBER), ("nrta_committee", P.SECRETARY)),
    ),
    (
        "张新文",
        "局长",
        PROVINCE_LEADERS_BRANCH,
        (("province", P.LEADING_GROUP_SECRETARY),),
    ),
    ("王育宏", "副局长", PROVINCE_LEADERS_BRANCH, (("province", P.LEADING_GROUP_MEMBER),)),
    ("卓玛才让", "副局长", PROVINCE_LEADERS_BRANCH, (("province", P.LEADING_GROUP_MEMBER),)),
)
REAL_NAMES = frozenset(person[0] for person in REAL_PEOPLE)

DEMO_BRANCH = "nrta_dept_0_2"  # 办公厅第三党支部: the accounts zhibu and dangyuan
DEMO_BRANCH_MIN_MEMBERS = 12  # a committee, two party groups and ordinary members

# username, role, organization key, display name ("" = the linked member's name)
ACCOUNTS = (
    ("admin", Role.SYSTEM_ADMIN, None, "平台管理员"),
    ("jiguan", Role.ORGAN_OFFICE, "nrta_committee", "机关党委办公室"),
    ("dangzu", Role.LEADING_GROUP_OFFICE, "nrta", "党组办公室"),
    # The provincial bureau's own office: seed 002's meeting, its tasks and documents.
    ("shengju", Role.LEADING_GROUP_OFFICE, "province", "省广电局党组办公室"),
    ("zhibu", Role.BRANCH_SECRETARY, DEMO_BRANCH, ""),
    ("dangyuan", Role.MEMBER, DEMO_BRANCH, ""),
    ("anquan", Role.SECURITY_ADMIN, None, "安全管理员"),
    ("shenji", Role.AUDITOR, None, "审计管理员"),
)
ACCOUNT_NAMES = tuple(a[0] for a in ACCOUNTS)

# ---------------------------------------------------------------------------
# Synthetic people
# ---------------------------------------------------------------------------


def _choices(pairs):
    """(value, weight) pairs as a table for :func:`_pick`."""
    return tuple(p[0] for p in pairs), tuple(accumulate(p[1] for p in pairs))


def _pick(rng: random.Random, table) -> str:
    return rng.choices(table[0], cum_weights=table[1])[0]


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
# Common surnames are much more common: weight falls with the rank.
SURNAME_CUM_WEIGHTS = tuple(accumulate(1 / (rank + 8) for rank in range(len(SURNAMES))))
GIVEN_MALE = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩凯健俊帆旭宇晨博"
    "文志建国东海林峰成亮振锋立新永春德兴龙庆"
)
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪慧颖琳洁倩晶蕾萍红梅莉丹璐佳欣悦怡婧薇媛琪瑶楠岚秀英云"
GIVEN_MIDDLE = "志建国晓小文海春雅思子嘉永金玉振家明德红丽宏新"
TIBETAN_MALE = ("扎西", "次仁", "多吉", "尼玛", "达瓦", "格桑", "旦增", "平措", "才让", "索南")
TIBETAN_FEMALE = ("卓玛", "拉姆", "央金", "德吉", "措姆", "白玛", "才让", "达瓦")

ETHNICITIES = (
    ("汉族", 900),
    ("回族", 20),
    ("满族", 25),
    ("蒙古族", 15),
    ("壮族", 10),
    ("土家族", 10),
    ("藏族", 8),
    ("苗族", 5),
    ("维吾尔族", 4),
    ("朝鲜族", 3),
)
ETHNICITIES_PROVINCE = (
    ("汉族", 700),
    ("藏族", 150),
    ("回族", 80),
    ("土族", 30),
    ("蒙古族", 20),
    ("撒拉族", 20),
)
EDUCATION = (
    (Education.DOCTORATE, 8),
    (Education.MASTER, 35),
    (Education.BACHELOR, 45),
    (Education.COLLEGE, 8),
    (Education.SECONDARY, 2),
    (Education.OTHER, 2),
)
ADMIN_TITLES = {
    "department": (
        ("", 35),
        ("科员", 12),
        ("二级主任科员", 10),
        ("一级主任科员", 10),
        ("四级调研员", 5),
        ("副处长", 12),
        ("处长", 10),
        ("二级巡视员", 2),
        ("副司长", 3),
    ),
    "affiliated": (
        ("", 40),
        ("助理工程师", 5),
        ("工程师", 15),
        ("高级工程师", 10),
        ("副处长", 10),
        ("处长", 8),
        ("副主任", 3),
    ),
    "province": (
        ("", 40),
        ("科员", 15),
        ("一级主任科员", 10),
        ("副处长", 12),
        ("处长", 10),
        ("二级调研员", 5),
    ),
}
# Administrative division codes (GB/T 2260) the synthetic ID numbers start with.
REGION_CODES = (
    "110101",  # 北京市东城区
    "110102",  # 北京市西城区
    "110105",  # 北京市朝阳区
    "110108",  # 北京市海淀区
    "120101",  # 天津市和平区
    "130102",  # 石家庄市长安区
    "310104",  # 上海市徐汇区
    "320102",  # 南京市玄武区
    "370102",  # 济南市历下区
    "410105",  # 郑州市金水区
    "420106",  # 武汉市武昌区
    "430102",  # 长沙市芙蓉区
    "510104",  # 成都市锦江区
    "610113",  # 西安市雁塔区
    "630102",  # 西宁市城东区
    "632122",  # 海东市民和县
)
MOBILE_PREFIXES = (
    *("133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159"),
    *("177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199"),
)
ETHNICITIES = _choices(ETHNICITIES)
ETHNICITIES_PROVINCE = _choices(ETHNICITIES_PROVINCE)
EDUCATION = _choices(EDUCATION)
ADMIN_TITLES = {profile: _choices(titles) for profile, titles in ADMIN_TITLES.items()}
PROBATIONARY_SHARE = 0.05
PHONE_SHARE = 0.92
BIRTH_FIRST = datetime.date(1960, 1, 1)
BIRTH_LAST = datetime.date(2000, 12, 31)
BIRTH_DAYS = (BIRTH_LAST - BIRTH_FIRST).days + 1

MEMBER_COLUMNS = (
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
)
TRANSFER_COLUMNS = ("member_id", "to_organization_id", "transferred_on", "reason")
POST_COLUMNS = ("member_id", "organization_id", "title", "started_on")


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 105 → 一百零五 (for branch names such as 办公厅第十二党支部)."""
    if not 0 < n < 100_000:
        raise ValueError(n)
    if n >= 10_000:
        rest = n % 10_000
        tail = ("零" if rest < 1000 else "") + cn_number(rest) if rest else ""
        return cn_number(n // 10_000) + "万" + tail
    digits = "零一二三四五六七八九"
    out, zero = "", False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += digits[d] + name
    return out[1:] if out.startswith("一十") else out


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# ---------------------------------------------------------------------------
# The plan: organizations and how many members each branch gets
# ---------------------------------------------------------------------------


@dataclass
class OrgPlan:
    key: str
    name: str
    kind: str
    parent: OrgPlan | None
    unit: Unit
    short_name: str = ""
    order: tuple[int, int, int] = (0, 0, 0)  # among its siblings (see _plan_order)
    sort_order: int = 0
    organ: str = "nrta"  # which organ's synthetic profile (ethnicities, titles)
    profile: str = "department"  # admin title profile of its members
    min_members: int = 2
    member_count: int = 0
    groups: int = 0
    extra_posts: list[tuple[str, str]] = field(default_factory=list)  # (org key, title)
    obj: Organization | None = None

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1


@dataclass
class DemoResult:
    created: bool
    units: int = 0
    organizations: int = 0
    branches: int = 0
    members: int = 0
    posts: int = 0
    accounts: int = 0
    passwords_reset: int = 0
    # Seed 002's meeting and the synthetic history (dangjian.core.demo_meetings).
    topics: int = 0
    meetings: int = 0
    attendances: int = 0
    tasks: int = 0
    progress_reports: int = 0
    # Seed 000's campaign, the four-strong cycles and trainings (dangjian.core.demo_campaigns).
    campaigns: int = 0
    submissions: int = 0
    assessments: int = 0
    trainings: int = 0
    seconds: float = 0.0


class DemoError(Exception):
    """The demo cannot be loaded into this database (the message says why)."""


@dataclass(slots=True)
class _Person:
    """A synthetic member between generation and insertion (no model instance)."""

    values: tuple
    name: str
    index: str
    status: str
    joined: datetime.date
    full_on: datetime.date | None
    has_phone: bool
    organization_id: int
    posts: list = field(default_factory=list)  # (OrgPlan, title, started_on)
    pk: int | None = None


class _Table:
    """Rows written straight into one table, for the volumes of ``--size``.

    ``bulk_create`` prepares every value of every row through the field API,
    which took about half the load time (~300 µs a member with its registration
    row). The demo's values
    are already what the database takes except dates, adapted here by the
    backend's own functions. Columns the loader does not give get the field's
    default, as a model instance would; a field with none fails at once, with
    its name, rather than half-way through the load.
    """

    PASS_THROUGH = frozenset(
        {
            "CharField",
            "TextField",
            "BinaryField",
            "BooleanField",
            "ForeignKey",
            "OneToOneField",
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveBigIntegerField",
            "PositiveSmallIntegerField",
        }
    )

    def __init__(self, model, columns: Sequence[str], *, now: datetime.datetime):
        ops = connection.ops
        self.model = model
        position = {name: i for i, name in enumerate(columns)}
        # Columns the database fills itself (the key, db_default) are left out.
        fields = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and (f.attname in position or f.db_default is NOT_PROVIDED)
        ]
        self.plan: list[tuple[int | None, object, object]] = []
        for f in fields:
            kind = f.get_internal_type()
            if kind == "DateTimeField":
                adapt = ops.adapt_datetimefield_value
            elif kind == "DateField":
                adapt = ops.adapt_datefield_value
            elif kind in self.PASS_THROUGH:
                adapt = None
            else:
                adapt = lambda value, f=f: f.get_db_prep_save(value, connection)  # noqa: E731
            if f.attname in position:
                self.plan.append((position[f.attname], adapt, None))
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()
                if value is None and not f.null:
                    raise DemoError(
                        f"The demo loader gives no value for {model._meta.label}.{f.name}; "
                        "add it to dangjian/core/demo.py."
                    )
            self.plan.append((None, None, f.get_db_prep_save(value, connection)))
        unknown = set(columns) - {f.attname for f in fields}
        if unknown:
            raise DemoError(f"{model._meta.label} has no columns {sorted(unknown)}")
        self.fields = fields
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
        limit = connection.features.max_query_params or 65_535
        if connection.vendor == "sqlite":
            # Django assumes SQLite's old default of 999 parameters; ask the library.
            import sqlite3

            connection.ensure_connection()
            limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self.rows_per_statement = max(1, min(500, limit // len(fields)))

    def _prepare(self, row) -> list:
        out = []
        for pos, adapt, constant in self.plan:
            if pos is None:
                out.append(constant)
            else:
                value = row[pos]
                out.append(adapt(value) if adapt is not None and value is not None else value)
        return out

    def insert(self, rows: Sequence[Sequence], *, returning: Sequence[str] = ()) -> list[tuple]:
        """Insert ``rows``; with ``returning``, those columns of the new rows (any order)."""
        if not rows:
            return []
        prepared = [self._prepare(row) for row in rows]
        if connection.vendor == "postgresql":
            return self._copy(prepared, returning)
        # Table and column names come from the model, quoted; values are parameters.
        head = f"INSERT INTO {self.table} ({self.columns}) VALUES "  # noqa: S608
        with connection.cursor() as cursor:
            if not returning:
                cursor.executemany(head + self.row_sql, prepared)
                return []
            if not connection.features.can_return_rows_from_bulk_insert:
                raise DemoError("The demo loader needs PostgreSQL or SQLite 3.35 or newer.")
            tail = " RETURNING " + ", ".join(connection.ops.quote_name(c) for c in returning)
            result: list[tuple] = []
            step = self.rows_per_statement
            for start in range(0, len(prepared), step):
                chunk = prepared[start : start + step]
                sql = head + ", ".join([self.row_sql] * len(chunk)) + tail
                cursor.execute(sql, [value for row in chunk for value in row])
                result.extend(cursor.fetchall())
            return result

    def _copy(self, prepared: list[list], returning: Sequence[str]) -> list[tuple]:
        """PostgreSQL: COPY, several times faster than INSERT; ids drawn from the sequence."""
        columns = self.columns
        if returning:
            pk = self.model._meta.pk
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.model._meta.db_table, pk.column, len(prepared)],
                )
                ids = [row[0] for row in cursor.fetchall()]
            columns = connection.ops.quote_name(pk.column) + ", " + columns
            prepared = [[pk_value, *row] for pk_value, row in zip(ids, prepared, strict=True)]
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor: Django's wrapper has no copy()
            with raw.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
        if not returning:
            return []
        names = [pk.attname, *(f.attname for f in self.fields)]
        where = [names.index(name) for name in returning]
        return [tuple(row[i] for i in where) for row in prepared]


def is_loaded() -> bool:
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.IMPORT, object_type=MARKER_TYPE
    ).exists()


def branch_count(size: int) -> int:
    """How many branches the demo has for ``size`` synthetic members."""
    fixed = len(_Generator(size=0, seed=0, today=datetime.date.today())._fixed_branches())
    return max(fixed, min(round(size / MEMBERS_PER_BRANCH), MAX_BRANCHES))


def minimum_size() -> int:
    """The fewest synthetic members that give every named branch its posts."""
    return _Generator(size=0, seed=0, today=datetime.date.today()).plan_minimum()


@transaction.atomic
def load_demo(
    *, size: int, seed: int, password: str, today: datetime.date | None = None
) -> DemoResult:
    """Load the demo once; on later calls only (re)set the demo accounts' passwords."""
    started = time.perf_counter()
    if is_loaded():
        result = DemoResult(created=False, passwords_reset=reset_passwords(password=password))
        result.members = Member.objects.count()
        result.organizations = Organization.objects.count()
        result.topics = Topic.objects.count()
        result.meetings = Meeting.objects.count()
        result.tasks = Task.objects.count()
        result.seconds = time.perf_counter() - started
        return result
    User = get_user_model()
    if (
        Organization.objects.exists()
        or Member.objects.exists()
        or User.objects.filter(username__in=ACCOUNT_NAMES).exists()
    ):
        raise DemoError(
            gettext(
                "This database already holds organizations, members or accounts of the demo's "
                "names; demo data is only loaded into an empty database."
            )
        )
    gen = _Generator(size=size, seed=seed, today=today or timezone.localdate())
    if size < gen.plan_minimum():
        raise DemoError(
            gettext("The demo needs at least %(minimum)d synthetic members; --size was %(size)d.")
            % {"minimum": gen.plan_minimum(), "size": size}
        )
    result = gen.run(password=password)
    history = demo_meetings.load(
        orgs={key: plan.obj for key, plan in gen.orgs.items()},
        units=gen.units,
        seed=seed,
        today=gen.today,
    )
    for name in ("topics", "meetings", "attendances", "tasks", "progress_reports"):
        setattr(result, name, getattr(history, name))
    work = demo_campaigns.load(
        orgs={key: plan.obj for key, plan in gen.orgs.items()},
        units=gen.units,
        seed=seed,
        today=gen.today,
    )
    for name in ("campaigns", "submissions", "assessments", "trainings"):
        setattr(result, name, getattr(work, name))
    # The campaign's 主题党日 are branch meetings with attendance too: count them all.
    result.meetings = Meeting.objects.count()
    result.attendances = Attendance.objects.count()
    audit.record(
        actor=None,
        action=AuditEvent.Action.IMPORT,
        object_type=MARKER_TYPE,
        object_repr=MARKER_NOTE,
        note=MARKER_NOTE,
        changes={
            "size": size,
            "seed": seed,
            "units": result.units,
            "organizations": result.organizations,
            "members": result.members,
            "posts": result.posts,
            "accounts": result.accounts,
            "topics": result.topics,
            "meetings": result.meetings,
            "attendances": result.attendances,
            "tasks": result.tasks,
            "progress_reports": result.progress_reports,
            "campaigns": result.campaigns,
            "submissions": result.submissions,
            "assessments": result.assessments,
            "trainings": result.trainings,
        },
    )
    result.seconds = time.perf_counter() - started
    return result


def reset_passwords(*, password: str) -> int:
    """Set the demo accounts' password where it differs; returns how many changed."""
    changed = []
    for user in get_user_model().objects.filter(username__in=ACCOUNT_NAMES).order_by("username"):
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            changed.append(user.username)
    if changed:
        audit.record(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            object_type="access.user",
            object_repr="demo accounts",
            note="demo passwords reset",
            changes={"password": audit.SENSITIVE_MARK, "accounts": changed},
        )
    return len(changed)


def _tree_position(plan: OrgPlan) -> tuple[int, ...]:
    position: tuple[int, ...] = ()
    while plan is not None:
        position = (plan.sort_order, *position)
        plan = plan.parent
    return position


class _Generator:
    def __init__(self, *, size: int, seed: int, today: datetime.date):
        self.size = size
        self.rng = random.Random(seed)
        self.today = today
        self.units: dict[str, Unit] = {}
        self.orgs: dict[str, OrgPlan] = {}
        self.branches: list[OrgPlan] = []
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()
        self.members_written = 0
        self.posts_written = 0
        self.latest_full_join = add_years(today, -1) - datetime.timedelta(days=30)
        self.demo_people: dict[str, _Person | None] = {}
        self._scratch = Member()
        self._pending: list[_Person] = []
        self._transfers: list[tuple] = []
        self._posts: list[tuple] = []
        self._reason = gettext("registered")

    # -- planning -------------------------------------------------------------

    def plan_minimum(self) -> int:
        return sum(b.min_members for b in self._fixed_branches())

    def _fixed_branches(self) -> list[OrgPlan]:
        if not self.branches:
            self._plan_fixed(dry=True)
        return self.branches

    def _unit(self, key: str, name: str, kind: str, parent: str | None, dry: bool) -> Unit:
        unit = Unit(
            name=name,
            kind=kind,
            parent=self.units.get(parent) if parent else None,
            sort_order=len(self.units),
        )
        if not dry:
            unit.save()
        self.units[key] = unit
        return unit

    def _org(self, key: str, name: str, kind: str, parent: str | None, unit: str, **kw) -> OrgPlan:
        plan = OrgPlan(
            key=key,
            name=name,
            kind=kind,
            parent=self.orgs[parent] if parent else None,
            unit=self.units[unit],
            **kw,
        )
        self.orgs[key] = plan
        if kind == K.BRANCH:
            self.branches.append(plan)
        return plan

    def _plan_fixed(self, *, dry: bool) -> None:
        """The organs, their units and the branches the reports name or imply."""
        u, o = self._unit, self._org
        # 广电总局 (seed 000).
        u("nrta", NRTA_ORGAN, UnitKind.ORGAN, None, dry)
        for i, name in enumerate(NRTA_DEPARTMENTS):
            u(f"nrta_dept_{i}", name, UnitKind.DEPARTMENT, "nrta", dry)
        for i, (name, divisions) in enumerate(NRTA_AFFILIATED.items()):
            u(f"nrta_aff_{i}", name, UnitKind.AFFILIATED, "nrta", dry)
            for j, division in enumerate(divisions):
                u(f"nrta_aff_{i}_{j}", division, UnitKind.DIVISION, f"nrta_aff_{i}", dry)
        o("nrta", "广电总局党组", K.LEADING_GROUP, None, "nrta", short_name="总局党组")
        o(
            "nrta_committee",
            "广电总局机关党委",
            K.ORGAN_COMMITTEE,
            "nrta",
            "nrta",
            short_name="机关党委",
        )
        # The directly affiliated units' committees sit under the organ party
        # committee, not beside it under the leading group: in a central organ
        # the organ committee leads the party work of the organ *and* of its
        # directly affiliated units (党和国家机关基层组织工作条例), which is why
        # 机关党委 ran the forum where their branches presented, and why the
        # office account (jiguan) keeps the ledgers for all of them.
        for i, (name, divisions) in enumerate(NRTA_AFFILIATED.items()):
            o(
                f"nrta_aff_{i}",
                f"{name}党委",
                K.COMMITTEE,
                "nrta_committee",
                f"nrta_aff_{i}",
                order=(1, i, 0),
            )
            for j, division in enumerate(divisions):
                o(
                    f"nrta_aff_{i}_{j}",
                    f"{name}{division}党支部",
                    K.BRANCH,
                    f"nrta_aff_{i}",
                    f"nrta_aff_{i}_{j}",
                    profile="affiliated",
                    order=(0, j, 0),
                )
            # The unit committee's secretary and deputy come from its own branches.
            self.orgs[f"nrta_aff_{i}_0"].extra_posts.append((f"nrta_aff_{i}", P.SECRETARY))
            self.orgs[f"nrta_aff_{i}_1"].extra_posts.append((f"nrta_aff_{i}", P.DEPUTY_SECRETARY))
        # 省广电局 (seed 002).
        u("province", PROVINCE_ORGAN, UnitKind.ORGAN, None, dry)
        for i, name in enumerate(PROVINCE_DEPARTMENTS):
            u(f"province_dept_{i}", name, UnitKind.DEPARTMENT, "province", dry)
        for i, name in enumerate(PROVINCE_AFFILIATED):
            u(f"province_aff_{i}", name, UnitKind.AFFILIATED, "province", dry)
        o("province", "省广电局党组", K.LEADING_GROUP, None, "province", short_name="局党组")
        o(
            "province_committee",
            "省广电局机关党委",
            K.ORGAN_COMMITTEE,
            "province",
            "province",
            short_name="局机关党委",
        )
        for i, short in enumerate(PROVINCE_AFFILIATED.values()):
            o(
                f"province_aff_{i}",
                f"{short}党支部",
                K.BRANCH,
                "province_committee",
                f"province_aff_{i}",
                organ="province",
                profile="affiliated",
                order=(1, i, 0),
            )
        # The department branches get their names in _plan_names, once it is
        # known how many each department has (one: 宣传司党支部; several: 人事司第一党支部 …).
        for i in range(len(NRTA_DEPARTMENTS)):
            count = NRTA_OFFICE_BRANCHES if i == 0 else 1
            for n in range(count):
                o(f"nrta_dept_{i}_{n}", "", K.BRANCH, "nrta_committee", f"nrta_dept_{i}")
        for i in range(len(PROVINCE_DEPARTMENTS)):
            o(
                f"province_dept_{i}_0",
                "",
                K.BRANCH,
                "province_committee",
                f"province_dept_{i}",
                organ="province",
                profile="province",
            )
        self.orgs["nrta_dept_0_0"].extra_posts.append(("nrta_committee", P.DEPUTY_SECRETARY))
        self.orgs["nrta_dept_0_1"].extra_posts.append(("nrta_committee", P.COMMITTEE_MEMBER))
        personnel = NRTA_DEPARTMENTS.index("人事司")
        self.orgs[f"nrta_dept_{personnel}_0"].extra_posts.append(
            ("nrta_committee", P.COMMITTEE_MEMBER)
        )
        self.orgs["province_dept_0_0"].extra_posts.append(("province_committee", P.SECRETARY))
        self.orgs["province_dept_1_0"].extra_posts.append(
            ("province_committee", P.DEPUTY_SECRETARY)
        )
        for branch in self.branches:
            branch.min_members = 2 + len(branch.extra_posts)
        self.orgs[DEMO_BRANCH].min_members = DEMO_BRANCH_MIN_MEMBERS
        self.orgs[DEMO_BRANCH].groups = 2

    def _plan_extra_branches(self) -> None:
        """Branches beyond the named ones, so that the tree grows with --size."""
        extra = branch_count(self.size) - len(self.branches)
        province = round(extra * PROVINCE_SHARE)
        # Where a 广电总局 branch may be added: departments other than the
        # presenting four (办公厅, the biggest, twice as likely), and the
        # affiliated units (bigger than departments, three times as likely).
        slots: list[tuple[str, str, int]] = []  # (unit key, committee key, weight)
        for i, name in enumerate(NRTA_DEPARTMENTS):
            if name not in NRTA_PRESENTING_DEPARTMENTS:
                slots.append((f"nrta_dept_{i}", "nrta_committee", 2 if i == 0 else 1))
        for i in range(len(NRTA_AFFILIATED)):
            slots.append((f"nrta_aff_{i}", f"nrta_aff_{i}", 3))
        picks = Counter(
            self.rng.choices(range(len(slots)), weights=[s[2] for s in slots], k=extra - province)
        )
        for slot_index in sorted(picks):
            unit_key, parent_key, _weight = slots[slot_index]
            start = sum(1 for o in self.orgs if o.startswith(unit_key + "_"))
            profile = "affiliated" if unit_key.startswith("nrta_aff") else "department"
            for n in range(picks[slot_index]):
                key = f"{unit_key}_x{n}" if profile == "affiliated" else f"{unit_key}_{start + n}"
                self._org(key, "", K.BRANCH, parent_key, unit_key, profile=profile)
        for n in range(province):
            i = n % len(PROVINCE_DEPARTMENTS)
            self._org(
                f"province_dept_{i}_{n // len(PROVINCE_DEPARTMENTS) + 1}",
                "",
                K.BRANCH,
                "province_committee",
                f"province_dept_{i}",
                organ="province",
                profile="province",
            )

    def _plan_names(self) -> None:
        """Name the department and numbered branches now that their numbers are known."""
        for i, dept in enumerate(NRTA_DEPARTMENTS):
            mine = [o for k, o in self.orgs.items() if k.startswith(f"nrta_dept_{i}_")]
            for n, plan in enumerate(mine, start=1):
                ordinal = f"第{cn_number(n)}" if len(mine) > 1 else ""
                plan.name = f"{dept}{ordinal}党支部"
                plan.order = (0, i, n)
        for i, unit in enumerate(NRTA_AFFILIATED):
            extra = [o for k, o in self.orgs.items() if k.startswith(f"nrta_aff_{i}_x")]
            for n, plan in enumerate(extra, start=1):
                plan.name = f"{unit}第{cn_number(n)}党支部"
                plan.order = (1, 0, n)
        # 局机关第一党支部 … numbered across the provincial departments in turn.
        province = [o for k, o in self.orgs.items() if k.startswith("province_dept_")]
        province.sort(key=lambda o: (int(o.key.rsplit("_", 1)[1]), o.key))
        for n, plan in enumerate(province, start=1):
            plan.name = f"局机关第{cn_number(n)}党支部"
            plan.order = (0, 0, n)

    def _plan_members(self) -> None:
        """How many members each branch gets, and which branches get party groups."""
        rest = self.size - sum(b.min_members for b in self.branches)
        weights = [self.rng.uniform(0.6, 1.4) for _ in self.branches]
        extra = Counter(self.rng.choices(range(len(self.branches)), weights=weights, k=rest))
        for i, branch in enumerate(self.branches):
            branch.member_count = branch.min_members + extra[i]
            if branch.groups == 0 and branch.member_count >= 15:
                roll = self.rng.random()
                branch.groups = 2 if roll < 0.08 else 1 if roll < 0.25 else 0

    # -- writing ----------------------------------------------------------------

    def run(self, *, password: str) -> DemoResult:
        self.units.clear()
        self.orgs.clear()
        self.branches.clear()
        self._plan_fixed(dry=False)
        self._plan_extra_branches()
        self._plan_names()
        self._plan_members()
        for branch in self.branches:
            for n in range(1, branch.groups + 1):
                self._group(branch, n)
        self._plan_order()
        now = timezone.now()
        self._member_table = _Table(Member, MEMBER_COLUMNS, now=now)
        self._transfer_table = _Table(MemberTransfer, TRANSFER_COLUMNS, now=now)
        self._post_table = _Table(PostAssignment, POST_COLUMNS, now=now)
        organizations = self._write_organizations()
        self._write_real_people()
        for branch in self.branches:
            self._branch_members(branch)
        self._flush()
        organization_recount(organization_ids=[o.pk for o in organizations])
        accounts = self._write_accounts(password)
        return DemoResult(
            created=True,
            units=len(self.units),
            organizations=len(organizations),
            branches=len(self.branches),
            members=self.members_written,
            posts=self.posts_written,
            accounts=accounts,
        )

    def _plan_order(self) -> None:
        """Siblings' sort_order: departments in the organ's order, numbered branches by number."""
        siblings: dict[str | None, list[OrgPlan]] = {}
        for plan in self.orgs.values():
            siblings.setdefault(plan.parent.key if plan.parent else None, []).append(plan)
        for children in siblings.values():
            children.sort(key=lambda p: (p.order, p.key))
            for rank, plan in enumerate(children, start=1):
                plan.sort_order = rank

    def _group(self, branch: OrgPlan, n: int) -> OrgPlan:
        plan = OrgPlan(
            key=f"{branch.key}_group_{n}",
            name=f"第{cn_number(n)}党小组",
            kind=K.GROUP,
            parent=branch,
            unit=branch.unit,
            order=(0, 0, n),
            organ=branch.organ,
        )
        self.orgs[plan.key] = plan
        return plan

    def _write_organizations(self) -> list[Organization]:
        """Insert level by level; a path needs the parent's path and the row's own id."""
        # Inserting in display order makes ids, and so paths, sort as the tree is shown.
        plans = sorted(self.orgs.values(), key=lambda p: (p.depth, _tree_position(p)))
        created: list[Organization] = []
        quote = connection.ops.quote_name
        table, path, pk = quote(Organization._meta.db_table), quote("path"), quote("id")
        for depth in sorted({p.depth for p in plans}):
            level = [p for p in plans if p.depth == depth]
            for p in level:
                p.obj = Organization(
                    name=p.name,
                    short_name=p.short_name,
                    kind=p.kind,
                    parent=p.parent.obj if p.parent else None,
                    unit=p.unit,
                    sort_order=p.sort_order,
                    path=f"~{uuid.uuid4().hex}",
                    depth=depth,
                )
            objs = Organization.objects.bulk_create([p.obj for p in level], batch_size=BATCH)
            for p in level:
                p.obj.path = (p.parent.obj.path if p.parent else "") + encode_step(p.obj.pk)
            # bulk_update's CASE expressions take seconds at 10,000 rows; this takes ms.
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET {path} = %s WHERE {pk} = %s",  # noqa: S608
                    [(o.path, o.pk) for o in objs],
                )
            created.extend(objs)
        return created

    def _write_real_people(self) -> None:
        """The people of the reports: name, title and posts, nothing else about them."""
        people = Member.objects.bulk_create(
            [
                Member(name=name, admin_title=title, organization=self.orgs[org_key].obj)
                for name, title, org_key, _posts in REAL_PEOPLE
            ]
        )
        for member, (_name, _title, _org, posts) in zip(people, REAL_PEOPLE, strict=True):
            self._transfers.append((member.pk, member.organization_id, self.today, self._reason))
            for org_key, title in posts:
                self._posts.append((member.pk, self.orgs[org_key].obj.pk, title, None))
        self.members_written += len(people)
        self.posts_written += len(self._posts)

    def _branch_members(self, branch: OrgPlan) -> None:
        rng = self.rng
        members = [
            self._synthetic_member(branch, force_full=(i == 0)) for i in range(branch.member_count)
        ]
        self._pending.extend(members)
        free = [m for m in members if m.status == MemberStatus.FULL]
        rng.shuffle(free)

        def assign(org: OrgPlan, title: str) -> _Person | None:
            # Posts go to full members only: probationary members cannot be elected.
            if not free:
                return None
            person = free.pop()
            person.posts.append((org, title, self._post_start(person)))
            return person

        secretary = assign(branch, P.SECRETARY)
        # A branch of seven or more members elects a committee (secretary plus
        # organization, propaganda and discipline members); a smaller one has a
        # secretary and sometimes a deputy.
        n = len(members)
        if n >= 7:
            for title in (P.ORGANIZATION_MEMBER, P.PROPAGANDA_MEMBER, P.DISCIPLINE_MEMBER):
                assign(branch, title)
            if n >= 15 and rng.random() < 0.5:
                assign(branch, P.DEPUTY_SECRETARY)
        elif n >= 4 and rng.random() < 0.25:
            assign(branch, P.DEPUTY_SECRETARY)
        for org_key, title in branch.extra_posts:
            assign(self.orgs[org_key], title)
        for n_group in range(1, branch.groups + 1):
            assign(self.orgs[f"{branch.key}_group_{n_group}"], P.GROUP_LEADER)
        if branch.key == DEMO_BRANCH:
            self.demo_people["zhibu"] = secretary
            ordinary = [m for m in members if not m.posts]
            # Someone with a phone and full membership, so that every detail shows.
            ordinary.sort(key=lambda m: (m.status != MemberStatus.FULL, not m.has_phone))
            self.demo_people["dangyuan"] = ordinary[0]
        if len(self._pending) >= FLUSH_MEMBERS:
            self._flush()

    def _synthetic_member(self, branch: OrgPlan, *, force_full: bool) -> _Person:
        rng = self.rng
        gender = Gender.MALE if rng.random() < 0.55 else Gender.FEMALE
        ethnicity = _pick(rng, ETHNICITIES_PROVINCE if branch.organ == "province" else ETHNICITIES)
        name = self._name(gender, ethnicity)
        birth = BIRTH_FIRST + datetime.timedelta(days=rng.randrange(BIRTH_DAYS))
        probationary = not force_full and rng.random() < PROBATIONARY_SHARE
        adult = add_years(birth, 18)
        if probationary or adult > self.latest_full_join:
            status = MemberStatus.PROBATIONARY
            joined = max(adult, self.today - datetime.timedelta(days=rng.randint(20, 330)))
            full_on = None
        else:
            status = MemberStatus.FULL
            joined = add_years(birth, rng.randint(18, 40)) + datetime.timedelta(
                days=rng.randrange(365)
            )
            if joined > self.latest_full_join:
                span = (self.latest_full_join - adult).days
                joined = adult + datetime.timedelta(days=rng.randint(0, span))
            full_on = add_years(joined, 1)
        # The model's own setters encrypt, index and mask, on one scratch instance
        # (building a model instance per row would cost more than the encryption).
        scratch = self._scratch
        scratch.set_id_number(self._id_number(birth, gender))
        has_phone = rng.random() < PHONE_SHARE
        scratch.set_phone(self._phone() if has_phone else None)
        values = (
            name,
            gender,
            ethnicity,
            birth,
            _pick(rng, EDUCATION),
            scratch.id_number_cipher,
            scratch.id_number_index,
            scratch.id_number_masked,
            scratch.phone_cipher,
            scratch.phone_index,
            scratch.phone_masked,
            joined,
            full_on,
            status,
            branch.obj.pk,
            _pick(rng, ADMIN_TITLES[branch.profile]),
        )
        return _Person(
            values=values,
            name=name,
            index=scratch.id_number_index,
            status=status,
            joined=joined,
            full_on=full_on,
            has_phone=has_phone,
            organization_id=branch.obj.pk,
        )

    def _name(self, gender: str, ethnicity: str) -> str:
        rng = self.rng
        while True:
            if ethnicity == "藏族":
                first = TIBETAN_MALE if gender == Gender.MALE else TIBETAN_FEMALE
                name = rng.choice(first) + rng.choice(TIBETAN_MALE + TIBETAN_FEMALE)
            else:
                surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
                chars = GIVEN_MALE if gender == Gender.MALE else GIVEN_FEMALE
                if rng.random() < 0.7:
                    given = rng.choice(GIVEN_MIDDLE + chars) + rng.choice(chars)
                else:
                    given = rng.choice(chars)
                name = surname + given
            if name not in REAL_NAMES and name[:2] != name[2:]:
                return name

    def _id_number(self, birth: datetime.date, gender: str) -> str:
        """GB 11643: region, birth date, a serial whose last digit is odd for men."""
        rng = self.rng
        while True:
            serial = rng.randrange(500) * 2 + (1 if gender == Gender.MALE else 0)
            first17 = f"{rng.choice(REGION_CODES)}{birth:%Y%m%d}{serial:03d}"
            if first17 not in self.id_numbers:
                self.id_numbers.add(first17)
                return first17 + id_number_check_char(first17)

    def _phone(self) -> str:
        rng = self.rng
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _post_start(self, person: _Person) -> datetime.date:
        earliest = person.full_on or person.joined
        start = self.today - datetime.timedelta(days=self.rng.randint(30, 5 * 365))
        return max(start, earliest)

    def _flush(self) -> None:
        if self._pending:
            returned = self._member_table.insert(
                [p.values for p in self._pending], returning=("id", "id_number_index")
            )
            pks = {index: pk for pk, index in returned}
            for person in self._pending:
                person.pk = pks[person.index]
                self._transfers.append(
                    (person.pk, person.organization_id, self.today, self._reason)
                )
                for org, title, start in person.posts:
                    self._posts.append((person.pk, org.obj.pk, title, start))
                    self.posts_written += 1
            self.members_written += len(self._pending)
            self._pending.clear()
        self._transfer_table.insert(self._transfers)
        self._post_table.insert(self._posts)
        self._transfers.clear()
        self._posts.clear()

    def _write_accounts(self, password: str) -> int:
        User = get_user_model()
        for username, role, org_key, display_name in ACCOUNTS:
            person = self.demo_people.get(username)
            user = User(
                username=username,
                display_name=display_name or (person.name if person else username),
                member_id=person.pk if person else None,
            )
            user.set_password(password)
            user.save()
            RoleGrant.objects.create(
                user=user, role=role, organization=self.orgs[org_key].obj if org_key else None
            )
        return len(ACCOUNTS)
