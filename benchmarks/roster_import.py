"""Roster import at scale: N synthetic members through the real import code.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_roster \\
        .venv/bin/python benchmarks/roster_import.py --rows 100000

Run it against a scratch database (migrated first: ``dangjian migrate``). It
creates its own organizations and importing user, writes an .xlsx of valid
synthetic rows (IDs from random 110xxx-style regions, checksum-valid), then
times each phase and prints rows/s:

* writing the file (openpyxl write-only, the export path),
* checking the file (zip structure and bomb check),
* reading + validating every row (python-calamine, batched uniqueness query),
* committing (reading and checking again, encrypting, inserting members and
  transfers — COPY on PostgreSQL, bulk_create elsewhere — recounting, audit),
  all in one transaction.

Everything it inserted is deleted afterwards unless --keep is given.
Not a test: pytest collects only tests/.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.config.settings")
# Fixed test keys (settings use them when DANGJIAN_TESTING is set and no key is configured).
os.environ.setdefault("DANGJIAN_TESTING", "1")

import django

django.setup()

from django.core.files import File  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402

from dangjian.access.models import RoleGrant, User  # noqa: E402
from dangjian.access.roles import Role  # noqa: E402
from dangjian.core.models import AuditEvent  # noqa: E402
from dangjian.core.validators import id_number_check_char  # noqa: E402
from dangjian.core.xlsx import WorkbookBuilder  # noqa: E402
from dangjian.organizations import services as org_services  # noqa: E402
from dangjian.organizations.models import Organization, OrganizationKind  # noqa: E402
from dangjian.people import roster  # noqa: E402
from dangjian.people.models import Member, MemberTransfer, RosterImport  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
EDUCATION = ["博士研究生", "硕士研究生", "大学本科", "大学本科", "大学专科"]


def setup(branches: int) -> tuple[User, list[Organization]]:
    tag = f"{int(time.time())}{random.randint(100, 999)}"
    root = org_services.organization_create(
        actor=None, name=f"基准测试党组{tag}", kind=OrganizationKind.LEADING_GROUP, check=False
    )
    committee = org_services.organization_create(
        actor=None,
        name=f"基准测试机关党委{tag}",
        kind=OrganizationKind.ORGAN_COMMITTEE,
        parent=root,
        check=False,
    )
    orgs = [
        org_services.organization_create(
            actor=None,
            name=f"基准第{i + 1}党支部{tag}",
            kind=OrganizationKind.BRANCH,
            parent=committee,
            check=False,
        )
        for i in range(branches)
    ]
    user = User.objects.create_user(username=f"bench{tag}", password=None)
    RoleGrant.objects.create(user=user, role=Role.ORGAN_OFFICE, organization=root)
    return user, [root, committee, *orgs]


def write_roster(path: str, rows: int, branches: list[Organization]) -> tuple[float, float]:
    rng = random.Random(rows)
    regions = [f"{rng.randint(110000, 659999)}" for _ in range(1 + rows // 30000)]
    start = clock()
    builder = WorkbookBuilder()
    sheet = builder.add_sheet("名册", roster.template_columns())
    born0 = datetime.date(1960, 1, 1)
    for i in range(rows):
        birth = born0 + datetime.timedelta(days=(i // 1000) % 15000)
        region = regions[i % len(regions)]  # (birth, serial) alone is unique up to 15M rows
        first17 = f"{region}{birth:%Y%m%d}{i % 1000:03d}"
        probationary = i % 20 == 0
        sheet.append(
            [
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "男" if i % 2 else "女",
                "汉族",
                birth,
                first17 + id_number_check_char(first17),
                f"139{i:08d}",
                rng.choice(EDUCATION),
                datetime.date(birth.year + 25, 7, 1),
                None if probationary else datetime.date(birth.year + 26, 7, 1),
                "预备党员" if probationary else "正式党员",
                branches[i % len(branches)].name,
                "科员",
            ]
        )
    builder.save(path)
    return since(start)


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def rate(rows: int, seconds: float, cpu: float | None = None) -> str:
    text = f"{seconds:8.2f} s  {rows / seconds:>10,.0f} rows/s"
    if cpu is not None:
        text += f"   (this process's CPU {cpu:6.2f} s: {rows / cpu:>8,.0f} rows/s)"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--branches", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the inserted data")
    args = parser.parse_args()

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    user, orgs = setup(args.branches)
    branches = orgs[2:]
    workdir = tempfile.mkdtemp(prefix="roster-bench-")
    path = os.path.join(workdir, "roster.xlsx")
    try:
        wall, cpu = write_roster(path, args.rows, branches)
        size = os.path.getsize(path)
        with zipfile.ZipFile(path) as zf:
            ratio = max(i.file_size / max(i.compress_size, 1) for i in zf.infolist())
        print(f"rows: {args.rows:,}  file: {size / 1e6:.1f} MB  max entry ratio: {ratio:.1f}")
        print(f"write xlsx (openpyxl write-only)  {rate(args.rows, wall, cpu)}")

        start = time.perf_counter()
        with open(path, "rb") as fh:
            roster.check_xlsx(fh)
        print(f"check file (zip, bomb)            {time.perf_counter() - start:8.2f} s")

        start = clock()
        sheet = roster.read_roster(path)
        try:
            result = roster.check_rows(user=user, sheet=sheet)
        finally:
            sheet.close()
        wall, cpu = since(start)
        assert result.error_count == 0, result.errors[:5]
        assert result.total_rows == args.rows
        print(f"read + validate                   {rate(args.rows, wall, cpu)}")

        # The commit reads the file from the private roster storage, as after an upload.
        storage = RosterImport._meta.get_field("file").storage
        with open(path, "rb") as fh:
            name = storage.save("rosters/benchmark.xlsx", File(fh))
        item = RosterImport.objects.create(
            uploaded_by=user,
            file=name,
            status=RosterImport.Status.COMMITTING,
            background=True,
            total_rows=args.rows,
        )
        timings = {}
        insert = roster._insert

        def timed_insert(**kwargs):
            t = clock()
            try:
                return insert(**kwargs)
            finally:
                timings["insert"] = since(t)

        roster._insert = timed_insert
        start = clock()
        item = roster.roster_commit(roster=item, actor=user)
        wall, cpu = since(start)
        assert item.status == RosterImport.Status.COMMITTED, item.errors[:5]
        print(f"commit (re-read, re-check, save)  {rate(args.rows, wall, cpu)}")
        print(f"  of which encrypt + insert + txn {rate(args.rows, *timings['insert'])}")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        assert Member.objects.filter(organization__in=branches).count() == args.rows
    finally:
        if not args.keep:
            cleanup(user, orgs)
        shutil.rmtree(workdir, ignore_errors=True)


def cleanup(user: User, orgs: list[Organization]) -> None:
    ids = [o.pk for o in orgs]
    MemberTransfer.objects.filter(to_organization_id__in=ids)._raw_delete(using="default")
    Member.objects.filter(organization_id__in=ids)._raw_delete(using="default")
    AuditEvent.objects.filter(
        Q(actor=user)
        | Q(object_type="organizations.organization", object_id__in=[str(i) for i in ids])
    ).delete()
    RosterImport.objects.filter(uploaded_by=user).delete()
    RoleGrant.objects.filter(user=user).delete()
    user.delete()
    for org in sorted(orgs, key=lambda o: -len(o.path)):
        Organization.objects.filter(pk=org.pk).delete()


if __name__ == "__main__":
    main()
