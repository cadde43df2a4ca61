"""Subtree queries at scale: the organization tree and the member list on the demo data.

    .venv/bin/python benchmarks/subtree_queries.py                      # PostgreSQL, 1M members
    .venv/bin/python benchmarks/subtree_queries.py --reuse              # keep/reuse the database
    .venv/bin/python benchmarks/subtree_queries.py --size 100000 \\
        --database-url sqlite:////tmp/bench.sqlite3                     # SQLite, smaller

Creates a scratch PostgreSQL database (default ``dangjian_bench`` on
127.0.0.1:5432, user postgres, trust auth), migrates it, loads the demo with
``dangjian.core.demo.load_demo(size=N)`` (N = 1,000,000 gives 10,000 branches,
~13,000 organizations and ~1,000,000 members: ``branch_count`` caps branches at
10,000 = N / 16 capped) and ANALYZEs it. Loading is not what is measured, but
its time is printed. Then, for each operation, one cold run and ``--runs`` warm
runs; the table shows the median of the warm runs, the number of queries one
run makes, and PERFORMANCE.md's figure where there is one.

The operations call the same selectors and filters the views call:

* subtree totals: ``organizations.selectors.organization_totals`` (sums the
  stored per-organization ``member_count`` over ``path LIKE 'p%'``) against
  counting member rows joined to ``organization.path LIKE 'p%'``;
* member list page 1 as ``people.views.MemberListView`` builds it
  (``people.selectors.member_list`` + ``MemberFilter`` + ``order_by`` +
  Django's paginator with the view's ``paginate_by``: a COUNT, the page, the
  posts prefetch) for the organ committee office (jiguan), a branch secretary
  (zhibu) and the platform administrator (admin);
* the same list searched by name (``MemberFilter`` ``q``);
* tree: ``organization_roots`` and ``organization_children`` (the htmx
  partial of the tree page) with their subtree totals;
* optionally (``--pages``) the whole pages through Django's test client,
  templates included.

Then EXPLAIN (ANALYZE, BUFFERS) of the main queries, and a check that the
``path LIKE 'p%'`` conditions are served by an index (on PostgreSQL that needs
a ``varchar_pattern_ops`` index unless the database collation is "C").

The database is dropped afterwards unless ``--reuse`` (then it is kept, and a
later ``--reuse`` run skips creating and loading). Not a test: pytest collects
only tests/.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench"
PASSWORD = "bench-Demo-2026!"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--size", type=int, default=1_000_000, help="demo --size (synthetic members)")
    p.add_argument("--runs", type=int, default=7, help="warm runs per operation (median shown)")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the database if it holds the demo already, and keep it afterwards",
    )
    p.add_argument("--pages", action="store_true", help="also time whole pages (test client)")
    p.add_argument("--no-explain", action="store_true")
    p.add_argument("--no-what-ifs", action="store_true", help="skip the rewritten-query timings")
    return p.parse_args(argv)


# ---------------------------------------------------------------------------
# The scratch database (before Django is set up)
# ---------------------------------------------------------------------------


def prepare_database(url: str, *, reuse: bool) -> bool:
    """Create the database (PostgreSQL) or delete the file (SQLite). True: it existed (reuse)."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        if path.exists() and reuse:
            return True
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return False
    import psycopg

    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            return True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return False


def drop_database(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


class Recorder:
    """Captures (sql, params) of what a callable runs, through an execute wrapper."""

    def __init__(self):
        self.queries: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        self.queries.append((sql, params))
        return execute(sql, params, many, context)


class Bench:
    def __init__(self, runs: int):
        self.runs = runs
        self.rows: list[tuple[str, str, float, float, int, str, str]] = []
        self.captured: dict[str, list[tuple[str, object]]] = {}

    def time(self, section: str, label: str, fn, *, floor: str = "", note: str = ""):
        from django.db import connection

        rec = Recorder()
        started = time.perf_counter()
        with connection.execute_wrapper(rec):
            result = fn()
        cold = time.perf_counter() - started
        samples = []
        for _ in range(self.runs):
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
        median = statistics.median(samples)
        self.rows.append((section, label, cold, median, len(rec.queries), floor, note))
        self.captured[label] = rec.queries
        print(
            f"  {label:<58} {median * 1000:9.1f} ms  (cold {cold * 1000:.1f}, "
            f"{len(rec.queries)} q)",
            flush=True,
        )
        return result

    def table(self) -> str:
        out = [
            "| operation | median warm | cold | queries | PERFORMANCE.md | note |",
            "| --- | ---: | ---: | ---: | --- | --- |",
        ]
        section = None
        for sec, label, cold, median, nq, floor, note in self.rows:
            if sec != section:
                out.append(f"| **{sec}** | | | | | |")
                section = sec
            out.append(
                f"| {label} | {median * 1000:.1f} ms | {cold * 1000:.1f} ms | {nq} | {floor} | "
                f"{note} |"
            )
        return "\n".join(out)


def main(argv=None) -> int:
    args = parse_args(argv)
    var_dir = tempfile.mkdtemp(prefix="dangjian_bench_")
    os.environ["DANGJIAN_VAR_DIR"] = var_dir
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.config.settings"
    # Fixed test keys for the synthetic personal data (settings use them when testing).
    os.environ.setdefault("DANGJIAN_TESTING", "1")
    os.environ["DANGJIAN_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"

    reused = prepare_database(args.database_url, reuse=args.reuse)
    try:
        return run(args, reused=reused)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.reuse:
            drop_database(args.database_url)


def run(args, *, reused: bool) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dangjian.core import demo

    pg = connection.vendor == "postgresql"
    print(f"# Subtree queries benchmark — {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(machine_line(connection))
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s", flush=True)
    if reused and demo.is_loaded():
        print("demo: already loaded (--reuse), not reloaded")
    else:
        print(
            f"loading the demo, --size {args.size} "
            f"({demo.branch_count(args.size)} branches planned) …",
            flush=True,
        )
        result = demo.load_demo(size=args.size, seed=demo.DEFAULT_SEED, password=PASSWORD)
        print(
            f"load_demo: {result.seconds:.1f} s — {result.organizations} organizations "
            f"({result.branches} branches), {result.members} members, {result.posts} posts",
            flush=True,
        )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if pg else "ANALYZE")
    print(f"{'VACUUM ANALYZE' if pg else 'ANALYZE'}: {time.perf_counter() - started:.1f} s")

    bench = Bench(args.runs)
    ctx = Context()
    ctx.describe()
    measure(bench, ctx, pages=args.pages)
    if not args.no_what_ifs:
        what_ifs(bench, ctx, pg=pg)

    print(f"load average after the timings: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print(bench.table())
    if not args.no_explain:
        explain(bench, ctx, pg=pg)
    index_report(ctx, pg=pg)
    return 0


def machine_line(connection) -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import django

    server = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = f", PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        server = f", SQLite {sqlite3.sqlite_version}"
    return (
        f"machine: {os.cpu_count()} CPUs ({cpu}){mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, Django {django.get_version()}{server}"
    )


class Context:
    """The demo's accounts and the nodes measured."""

    def __init__(self):
        from dangjian.access.models import RoleGrant, User
        from dangjian.organizations.models import Organization, OrganizationKind

        self.users = {
            u.username: u for u in User.objects.filter(username__in=["admin", "jiguan", "zhibu"])
        }
        grants = {
            g.user.username: g.organization
            for g in RoleGrant.objects.select_related("user", "organization")
        }
        self.committee = grants["jiguan"]  # 广电总局机关党委
        self.branch = grants["zhibu"]  # 办公厅第三党支部
        self.root = self.committee.parent  # 广电总局党组
        # The mid node: the affiliated unit committee with the most members below it.
        committees = Organization.objects.filter(
            parent=self.committee, kind=OrganizationKind.COMMITTEE
        )
        self.mid = max(committees, key=lambda o: self._members(o))
        self.biggest_children = self.committee  # its direct children: thousands of branches

    @staticmethod
    def _members(org) -> int:
        from django.db.models import Sum

        from dangjian.organizations.models import Organization

        return (
            Organization.objects.filter(path__startswith=org.path).aggregate(n=Sum("member_count"))[
                "n"
            ]
            or 0
        )

    def describe(self):
        from dangjian.organizations.models import Organization
        from dangjian.people.models import Member

        print(
            f"data: {Organization.objects.count()} organizations, {Member.objects.count()} members"
        )
        for label, org in (
            ("root", self.root),
            ("mid", self.mid),
            ("branch", self.branch),
            ("committee (jiguan's scope)", self.committee),
        ):
            children = Organization.objects.filter(parent=org).count()
            below = Organization.objects.filter(path__startswith=org.path).count() - 1
            print(
                f"  {label:<28} {org.name}: {self._members(org)} members, "
                f"{below} organizations below, {children} children"
            )
        print(flush=True)


def measure(bench: Bench, ctx: Context, *, pages: bool) -> None:
    from django.core.paginator import Paginator

    from dangjian.access import policy
    from dangjian.organizations import selectors as org_selectors
    from dangjian.people import selectors as people_selectors
    from dangjian.people.filters import MemberFilter
    from dangjian.people.models import Member
    from dangjian.people.views import MemberListView

    per_page = MemberListView.paginate_by

    def totals(org):
        return lambda: org_selectors.organization_totals(organization=org).members

    def row_count(org):
        return lambda: Member.objects.current().in_subtree(org).count()

    floors = {
        "root": "~1M rows: between the 500k (39 ms) and 5M (437 ms) `LIKE` figures; "
        "pre-aggregated: 13–57 ms",
        "mid": "~100k rows: `LIKE` ≈ 10–39 ms (50k–500k)",
        "branch": "~1 ms (small subtree, any method)",
    }
    section = "Subtree member count"
    for label, org in (("root", ctx.root), ("mid", ctx.mid), ("branch", ctx.branch)):
        stored = bench.time(
            section,
            f"{label}: stored counts (organization_totals)",
            totals(org),
            floor="pre-aggregated counts: 2 ms (50k) / 13 ms (500k) / 57 ms (5M)",
        )
        counted = bench.time(
            section,
            f"{label}: COUNT member rows, path LIKE",
            row_count(org),
            floor=floors[label],
        )
        if stored != counted:
            print(f"  !! {label}: stored {stored} ≠ counted {counted}")

    def member_page(username, data=None):
        user = ctx.users[username]

        def go():
            policy.forget(user)  # a request reads the grants once (one query)
            base = people_selectors.member_list(user=user)
            filterset = MemberFilter(data, queryset=base, user=user)
            qs = filterset.qs if filterset.is_bound else base
            qs = qs.order_by("organization__path", "name", "id")
            page = Paginator(qs, per_page).page(1)
            rows = list(page.object_list)
            return page.paginator.count, rows

        return go

    section = f"Member list, page 1 ({per_page} rows, as MemberListView)"
    for username, who in (
        ("jiguan", "organ committee office"),
        ("zhibu", "branch secretary"),
        ("admin", "platform admin (no scope filter)"),
    ):
        total, rows = bench.time(
            section,
            f"{username}: {who}",
            member_page(username),
            floor="20-row page: p50 15 ms whole request",
        )
        print(f"      {total} members in scope, {len(rows)} on the page")
    jiguan = ctx.users["jiguan"]

    def filter_form():
        policy.forget(jiguan)
        base = people_selectors.member_list(user=jiguan)
        form = MemberFilter(None, queryset=base, user=jiguan).form
        return str(form)

    html = bench.time(
        section,
        "jiguan: the filter form alone (its organization <select>)",
        filter_form,
        note="the page renders one <option> per organization in scope",
    )
    print(f"      {html.count('<option')} options, {len(html.encode()) // 1024} KB of HTML")
    total, _ = bench.time(
        section,
        f"jiguan, filtered to mid subtree (organization={ctx.mid.pk})",
        member_page("jiguan", {"organization": str(ctx.mid.pk)}),
    )
    print(f"      {total} members")

    section = "Member search by name (MemberFilter q, page 1)"
    for username, q in (("jiguan", "王伟"), ("jiguan", "张"), ("zhibu", "王"), ("admin", "王伟")):
        total, _ = bench.time(
            section,
            f"{username}: q={q}",
            member_page(username, {"q": q}),
            note="name/admin_title icontains: no index can serve it",
        )
        print(f"      {total} found")

    section = "Organization tree (organizations.selectors)"
    for username in ("admin", "jiguan", "zhibu"):
        user = ctx.users[username]

        def roots(user=user):
            policy.forget(user)
            return org_selectors.organization_roots(user=user)

        found = bench.time(section, f"organization_roots, {username}", roots)
        print(f"      {len(found)} roots")
    for label, org in (
        ("root (广电总局党组)", ctx.root),
        (f"committee ({ctx.committee.name})", ctx.committee),
        (f"mid ({ctx.mid.name})", ctx.mid),
        ("branch", ctx.branch),
    ):
        user = ctx.users["jiguan"] if org is not ctx.root else ctx.users["admin"]

        def children(user=user, org=org):
            policy.forget(user)
            return org_selectors.organization_children(user=user, organization=org)

        found = bench.time(
            section,
            f"organization_children of {label}, {user.username}",
            children,
            floor="",
        )
        print(f"      {len(found)} children")

    if pages:
        from django.test import Client
        from django.urls import reverse

        section = "Whole pages (test client, templates included)"
        for username, url in (
            ("jiguan", reverse("people:member_list")),
            ("zhibu", reverse("people:member_list")),
            ("jiguan", reverse("people:member_list") + "?q=%E7%8E%8B%E4%BC%9F"),
            ("jiguan", reverse("organizations:organization_tree")),
            ("jiguan", reverse("organizations:organization_children", args=[ctx.mid.pk])),
            ("jiguan", reverse("organizations:organization_children", args=[ctx.committee.pk])),
        ):
            client = Client()
            client.force_login(ctx.users[username])

            def get(client=client, url=url):
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                return response

            response = bench.time(
                section,
                f"GET {url} ({username})",
                get,
                floor="20-row page: p50 15 ms; 100-row: 54 ms",
            )
            print(f"      {len(response.content) // 1024} KB")


def what_ifs(bench: Bench, ctx: Context, *, pg: bool) -> None:
    """The same reads written differently: evidence for the recommendations, not the app's code.

    Each is timed like the others; the indexes made for the trigram case are
    dropped again (the database keeps only what the migrations make).
    """
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import Count, Prefetch, Q, Sum
    from django.db.models.functions import Substr

    from dangjian.access import policy
    from dangjian.access.roles import Action
    from dangjian.organizations.models import STEP, Organization, OrganizationKind
    from dangjian.people.models import Member, PostAssignment
    from dangjian.people.views import MemberListView

    per_page = MemberListView.paginate_by
    section = "What-ifs (not the app's code)"

    def page_of(qs):
        qs = (
            qs.current()
            .select_related("organization")
            .prefetch_related(
                Prefetch(
                    "posts",
                    queryset=PostAssignment.objects.filter(ended_on__isnull=True).select_related(
                        "organization"
                    ),
                    to_attr="current_posts",
                )
            )
            .order_by("organization__path", "name", "id")
        )
        page = Paginator(qs, per_page).page(1)
        return page.paginator.count, list(page.object_list)

    zhibu = ctx.users["zhibu"]

    def zhibu_without_self():
        policy.forget(zhibu)
        # scope_q without self_field: the user's own record is inside the branch anyway.
        q = policy.scope_q(zhibu, Action.MEMBER_VIEW, "organization__path")
        return page_of(Member.objects.filter(q))

    total, _ = bench.time(
        section,
        "zhibu member list, scope_q without the `OR id = <own member>` term",
        zhibu_without_self,
        note="see finding: the OR term defeats the path index",
    )
    print(f"      {total} members")

    def children_one_like(org=ctx.committee):
        """Children totals with one LIKE on the parent instead of one per child."""
        length = (org.depth + 2) * STEP
        rows = (
            Organization.objects.active()
            .filter(path__startswith=org.path, depth__gt=org.depth)
            .annotate(prefix=Substr("path", 1, length))
            .values("prefix")
            .annotate(
                organizations=Count("id"),
                branches=Count("id", filter=Q(kind=OrganizationKind.BRANCH)),
                members=Sum("member_count", default=0),
                probationary=Sum("probationary_count", default=0),
                has_children=Count("id", filter=Q(depth__gt=org.depth + 1)),
            )
        )
        children = list(
            Organization.objects.restrict(ctx.users["jiguan"], Action.ORG_VIEW)
            .active()
            .filter(parent=org)
            .select_related("unit")
            .order_by("sort_order", "name")
        )
        return children, {r["prefix"]: r for r in rows}

    children, totals = bench.time(
        section,
        f"children of {ctx.committee.name} with totals from one `LIKE parent%` GROUP BY",
        children_one_like,
        note="same numbers as organization_children",
    )
    print(f"      {len(children)} children, {len(totals)} total rows")

    if not pg:
        return

    # A partial index on the current members' organization: COUNTs become index-only scans.
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "CREATE INDEX bench_member_current_org ON people_member (organization_id) "
            "WHERE left_at IS NULL"
        )
        cursor.execute("VACUUM ANALYZE people_member")
        print(
            "  partial index people_member(organization_id) WHERE left_at IS NULL: "
            f"{time.perf_counter() - started:.1f} s to build"
        )
    try:
        for label, org in (("root", ctx.root), ("mid", ctx.mid)):
            bench.time(
                section,
                f"{label}: COUNT member rows, path LIKE, with the partial index",
                lambda org=org: Member.objects.current().in_subtree(org).count(),
            )
        jiguan = ctx.users["jiguan"]

        def jiguan_page():
            policy.forget(jiguan)
            q = policy.scope_q(jiguan, Action.MEMBER_VIEW, "organization__path")
            return page_of(Member.objects.filter(q))

        bench.time(section, "jiguan member list page 1, with the partial index", jiguan_page)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS bench_member_current_org")

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if not cursor.fetchone():
            print("  (pg_trgm not available: trigram what-if skipped)")
            return
        started = time.perf_counter()
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            "CREATE INDEX bench_member_name_trgm ON people_member "
            "USING gin (UPPER(name::text) gin_trgm_ops)"
        )
        cursor.execute(
            "CREATE INDEX bench_member_title_trgm ON people_member "
            "USING gin (UPPER(admin_title::text) gin_trgm_ops)"
        )
        cursor.execute("ANALYZE people_member")
        print(
            f"  trigram GIN indexes on UPPER(name), UPPER(admin_title): "
            f"{time.perf_counter() - started:.1f} s to build"
        )
    try:
        from dangjian.people import selectors as people_selectors
        from dangjian.people.filters import MemberFilter

        jiguan = ctx.users["jiguan"]
        for q in ("王伟", "王志伟", "张"):

            def search(q=q):
                policy.forget(jiguan)
                base = people_selectors.member_list(user=jiguan)
                qs = MemberFilter({"q": q}, queryset=base, user=jiguan).qs
                page = Paginator(qs.order_by("organization__path", "name", "id"), per_page).page(1)
                return page.paginator.count, list(page.object_list)

            total, _ = bench.time(section, f"jiguan search q={q}, with pg_trgm GIN indexes", search)
            print(f"      {total} found")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS bench_member_name_trgm")
            cursor.execute("DROP INDEX IF EXISTS bench_member_title_trgm")


def explain(bench: Bench, ctx: Context, *, pg: bool) -> None:
    """EXPLAIN (ANALYZE) of the slowest query of each main operation."""
    from django.db import connection

    wanted = [
        "root: stored counts (organization_totals)",
        "root: COUNT member rows, path LIKE",
        "mid: COUNT member rows, path LIKE",
        "branch: COUNT member rows, path LIKE",
        "jiguan: organ committee office",
        "zhibu: branch secretary",
        "jiguan: q=王伟",
        f"organization_children of committee ({ctx.committee.name}), jiguan",
    ]
    print("\n## EXPLAIN" + (" (ANALYZE, BUFFERS)" if pg else " QUERY PLAN"))
    used_like_index: set[str] = set()
    for label in wanted:
        queries = bench.captured.get(label) or []
        # The queries that touch members or organizations by path, heaviest first by timing.
        timed = []
        for sql, params in queries:
            if "path" not in sql and "people_member" not in sql:
                continue
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()
            timed.append((time.perf_counter() - started, sql, params))
        timed.sort(key=lambda t: t[0], reverse=True)
        for seconds, sql, params in timed[:2]:
            print(f"\n### {label} — {seconds * 1000:.1f} ms")
            print(shorten(sql_with_params(sql, params)))
            with connection.cursor() as cursor:
                if pg:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                for row in cursor.fetchall():
                    line = str(row[-1])
                    used_like_index.update(LIKE_INDEX.findall(line))
                    print("    " + (line if len(line) <= 300 else line[:300] + " …"))
    if pg:
        print(
            "\npattern_ops (`*_like`) indexes used by the plans above: "
            + (", ".join(sorted(used_like_index)) or "none")
        )


LIKE_INDEX = re.compile(r"\b(\w+_like)\b")


def sql_with_params(sql: str, params) -> str:
    if not params:
        return sql
    try:
        return sql % tuple(f"'{p}'" if isinstance(p, str) else str(p) for p in params)
    except (TypeError, ValueError):
        return f"{sql}  -- params {params!r}"


def shorten(sql: str, limit: int = 900) -> str:
    sql = " ".join(sql.split())
    return "  " + (sql if len(sql) <= limit else sql[:limit] + " …")


def index_report(ctx: Context, *, pg: bool) -> None:
    """Which indexes the path columns have, and whether LIKE 'p%' can use the plain one."""
    from django.db import connection

    from dangjian.organizations.models import Organization

    print("\n## Indexes on organizations_organization.path")
    table = Organization._meta.db_table
    with connection.cursor() as cursor:
        if pg:
            cursor.execute(
                "SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()"
            )
            collate, ctype = cursor.fetchone()
            print(f"  database collation: {collate} (ctype {ctype})")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "ORDER BY indexname",
                [table],
            )
            rows = cursor.fetchall()
            for name, definition in rows:
                if "path" in definition:
                    print(f"  {name}: {definition}")
            has_pattern = any(
                "path" in d and ("varchar_pattern_ops" in d or "text_pattern_ops" in d)
                for _n, d in rows
            )
            c_collation = collate in ("C", "POSIX")
            print(
                "  LIKE 'p%' on path: "
                + (
                    "served by the pattern_ops index (Django adds <name>_like for a unique/"
                    "indexed CharField on PostgreSQL)"
                    if has_pattern
                    else "served by the plain btree (collation C)"
                    if c_collation
                    else "NO index can serve it (collation is not C and no pattern_ops index)"
                )
            )
        # Prove it on the server: the plan of a selective prefix query (a mid-tree node).
        path = ctx.mid.path
        cursor.execute(
            ("EXPLAIN " if pg else "EXPLAIN QUERY PLAN ")
            + f"SELECT count(*) FROM {table} WHERE path LIKE %s",
            [path + "%"],
        )
        print(f"  plan of `SELECT count(*) … WHERE path LIKE '{path}%'` ({ctx.mid.name}):")
        for row in cursor.fetchall():
            print("    " + str(row[-1]))
        if pg:
            # And without the pattern_ops index (dropped inside a transaction rolled back):
            # can the plain unique btree, in this collation, serve the same LIKE?
            from django.db import transaction

            like_indexes = [n for n, d in rows if "path" in d and "_pattern_ops" in d]
            if like_indexes:
                with transaction.atomic():
                    for name in like_indexes:
                        cursor.execute(f'DROP INDEX "{name}"')
                    cursor.execute(
                        f"EXPLAIN SELECT count(*) FROM {table} WHERE path LIKE %s",
                        [path + "%"],
                    )
                    print(f"  the same without {', '.join(like_indexes)} (rolled back):")
                    for row in cursor.fetchall():
                        print("    " + str(row[-1]))
                    transaction.set_rollback(True)
        else:
            cursor.execute(f"PRAGMA index_list({table})")
            for row in cursor.fetchall():
                cursor.execute(f"PRAGMA index_info({row[1]})")
                cols = [r[2] for r in cursor.fetchall()]
                print(f"  {row[1]}: {cols}")
            print(
                "  (SQLite's LIKE optimization needs case_sensitive_like=ON or a NOCASE column; "
                "see the plans above for what it did.)"
            )


if __name__ == "__main__":
    sys.exit(main())
