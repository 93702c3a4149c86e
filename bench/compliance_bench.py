"""The compliance engine at scale, against hand-written SQL doing the same work in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_city DANGJIAN_VAR_DIR=/work/bench_var/dj_city \\
        uv run python bench/compliance_bench.py --year 2026

Needs a database loaded with `dangjian demo --scale …` and a year of meetings from
`bench/meetings_data.py` (PostgreSQL). Prints Markdown for docs/benchmarks.md:

* **a. full recompute**: `engine.recompute(year)` with the four 三会一课 cadence rules only
  (assembly and lecture per quarter, committee and group meeting per month, for branches),
  against one hand-written statement set doing the same: aggregate the year's closed meetings
  per branch, kind and month, derive each branch's periods met, and count them into rollups for
  every ancestor level. Then the shipped rule sets (standing + the year's, if present) in full.
* **b. one write**: `engine.refresh` of a branch (its results and the shift of every ancestor's
  rollups), and a meeting closed through the service with the refresh run as the worker would
  run it, timed until the province's rollup shows it.
* **c. reads**: the dashboard's and the checklist's queries and whole pages, if the pages exist,
  against a raw SELECT of the same stored rows.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from _harness import machine, raw, row, sample_orgs, setup_django, timed, timed_runs

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

CADENCE = """
code: bench-cadence
name: 三会一课 cadence (benchmark)
rules:
""" + "".join(
    f"  - {{code: {code}, title: {code}, kind: count, metric: meetings.{kind}, period: {period}, min: 1,"
    " applies_to: {kinds: [branch]}}\n"
    for code, kind, period in (
        ("assembly", "branch_assembly", "quarter"),
        ("committee", "branch_committee", "month"),
        ("group", "group_meeting", "month"),
        ("lecture", "party_lecture", "quarter"),
    )
)

# The same four rules by hand: facts per branch × kind × period, periods met per branch and
# rule, then one GROUP BY per ancestor level (a generate_series over depths). Status is taken
# as "all elapsed periods met", the core of what the engine decides.
RAW = """
CREATE TEMP TABLE lb_facts ON COMMIT DROP AS
SELECT m.organization_id AS org, m.kind,
       CASE WHEN m.kind IN ('branch_assembly', 'party_lecture')
            THEN extract(quarter FROM m.starts_at AT TIME ZONE 'Asia/Shanghai')
            ELSE extract(month FROM m.starts_at AT TIME ZONE 'Asia/Shanghai') END AS p,
       count(*) AS n
FROM orglife_meeting m
WHERE m.status = 'closed' AND m.starts_at >= %(start)s AND m.starts_at < %(end)s
  AND m.kind IN ('branch_assembly', 'branch_committee', 'group_meeting', 'party_lecture')
GROUP BY 1, 2, 3;
CREATE TEMP TABLE lb_results ON COMMIT DROP AS
SELECT o.id, o.path, k.kind, count(f.p) FILTER (WHERE f.p < k.cur) AS met
FROM organizations_organization o
CROSS JOIN (VALUES ('branch_assembly', %(q)s), ('party_lecture', %(q)s),
                   ('branch_committee', %(m)s), ('group_meeting', %(m)s)) k(kind, cur)
LEFT JOIN lb_facts f ON f.org = o.id AND f.kind = k.kind
WHERE o.kind = 'branch'
GROUP BY o.id, o.path, k.kind, k.cur;
SELECT count(*) FROM (
  SELECT substr(r.path, 1, 4 * d) AS anc, r.kind, count(*) AS applicable, sum(r.met) AS met
  FROM lb_results r CROSS JOIN generate_series(1, 6) d
  WHERE length(r.path) > 4 * d
  GROUP BY 1, 2) x;
"""


def part_a(year: int, today: date, rule_files: list[Path]) -> None:
    from dangjian.compliance import engine
    from dangjian.compliance.models import Result, Rollup, RuleSet
    from dangjian.compliance.services import load_rule_set
    from dangjian.core.scoping import SYSTEM

    print("\n### a. Full recompute\n")
    RuleSet.objects.filter(active=True).update(active=False)
    load_rule_set(CADENCE, acting_user=SYSTEM)
    cur_q, cur_m = (today.month - 1) // 3 + 1, today.month
    start = timezone.make_aware(datetime(year, 1, 1))
    end = timezone.make_aware(datetime(year + 1, 1, 1))

    def lower_bound() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(RAW, {"start": start, "end": end, "q": cur_q, "m": cur_m})
            transaction.set_rollback(True)

    def app() -> None:
        engine.recompute(year, today=today)

    print(row("what", "results", "rollups", "app (s)", "raw SQL (s)", "app / raw", "runs"))
    print(row(*["---"] * 7))
    raw_ms, raw_runs = timed_runs(lower_bound, repeat=3, warmup=1, budget_s=60)
    app_ms, app_runs = timed_runs(app, repeat=3, warmup=1, budget_s=60)
    print(
        row(
            "三会一课 cadence, 4 rules",
            f"{Result.objects.count():,}",
            f"{Rollup.objects.count():,}",
            f"{app_ms / 1000:.1f}",
            f"{raw_ms / 1000:.1f}",
            f"{app_ms / raw_ms:.2f}",
            min(app_runs, raw_runs),
        )
    )
    if rule_files:
        RuleSet.objects.filter(active=True).update(active=False)
        for path in rule_files:
            load_rule_set(path.read_text(encoding="utf-8"), acting_user=SYSTEM)
        rules = sum(rs.rules.count() for rs in RuleSet.objects.filter(active=True))
        started = time.perf_counter()
        summary = engine.recompute(year, today=today)
        took = time.perf_counter() - started
        names = " + ".join(p.name for p in rule_files)
        results, rollups = f"{summary.results:,}", f"{summary.rollups:,}"
        print(row(f"{names}, {rules} rules", results, rollups, f"{took:.1f}", "", "", 1))


def part_b(year: int, today: date) -> None:
    from huey.contrib.djhuey import HUEY

    from dangjian.compliance import engine
    from dangjian.compliance.models import Result
    from dangjian.core.scoping import SYSTEM
    from dangjian.organizations.models import Organization
    from dangjian.orglife.models import Attendance, Meeting, MeetingStatus
    from dangjian.orglife.services import close_meeting

    print("\n### b. One write\n")
    branch = dict(sample_orgs())["branch"]
    refresh_ms = timed(lambda: engine.refresh(branch.pk, year, today=today), repeat=7, warmup=2)
    print(row("what", "ms"))
    print(row("---", "---"))
    label = f"engine.refresh of a branch (depth {branch.depth}: its results + {branch.depth - 1} ancestors)"
    print(row(label, f"{refresh_ms:.0f}"))
    # Meetings that ended but were never closed, at one branch (each run closes four).
    open_ones = Meeting.objects.filter(status=MeetingStatus.PLANNED, ends_at__lt=timezone.now())
    found = list(open_ones.values("organization_id").annotate(n=Count("*")).filter(n__gte=4).order_by()[:1])
    if found:
        branch = Organization.objects.get(pk=found[0]["organization_id"])
    meetings = list(open_ones.filter(organization=branch).order_by("-starts_at")[:4])
    if len(meetings) < 4:
        print("\n(no branch with four planned past meetings: closing not measured)")
        return
    for meeting in meetings:
        Attendance.objects.filter(meeting=meeting, status="expected").update(status="present")

    HUEY.immediate = True  # the refresh runs on commit in this process
    started = time.perf_counter()
    close_meeting(meetings[0], acting_user=SYSTEM)
    took = (time.perf_counter() - started) * 1000
    print(row("close a meeting, refresh run inline on commit (service + refresh)", f"{took:.0f}"))

    # With the real worker: a consumer on the configured queue picks the refresh up. The queue
    # is emptied first: part a's rule-set loads each queued a full recompute (a minute each at
    # province scale), which the worker would otherwise run before the refresh.
    HUEY.immediate = False
    HUEY.flush()
    command = [str(Path(sys.executable).with_name("dangjian")), "run_huey", "--workers", "1"]
    consumer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        time.sleep(15)  # the consumer starts and settles into idle polling
        mine = Result.objects.filter(organization=branch, year=year)
        for number, meeting in enumerate(meetings[1:], start=1):
            started_at = timezone.now()
            started = time.perf_counter()
            close_meeting(meeting, acting_user=SYSTEM)
            while not mine.filter(computed_at__gt=started_at).exists():
                if time.perf_counter() - started > 30:
                    print("(the worker did not refresh within 30 s)")
                    return
                time.sleep(0.02)
            took = (time.perf_counter() - started) * 1000
            label = f"close a meeting → branch and ancestors refreshed by the worker, #{number} (wall time)"
            print(row(label, f"{took:.0f}"))
            time.sleep(3)  # idle again: the worker backs off to its slowest polling
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)


def _statements_of(func: Any) -> list[tuple[str, Any]]:
    """The SQL statements `func` sends, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        func()
    return seen


def _run_raw(statements: list[tuple[str, Any]]) -> None:
    """The same statements through a bare cursor, rows fetched: the database's share alone."""
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            if sql.startswith(("SAVEPOINT", "RELEASE")):
                continue
            cursor.execute(sql, params)
            if cursor.description:
                cursor.fetchall()


def part_c(year: int) -> None:
    try:
        from dangjian.compliance import queries
    except ImportError:
        print("\n(c. skipped: no compliance.queries)")
        return
    from django.core.signals import request_finished
    from django.db import close_old_connections
    from django.test import Client
    from meetings_bench import bench_user

    from dangjian.compliance.models import Rollup
    from dangjian.core.tree import subtree_q
    from dangjian.organizations.models import Organization

    print("\n### c. Reads\n")
    picks = sample_orgs()
    branch = dict(picks)["branch"]
    print(row("what", "app (ms)", "same SQL raw (ms)", "app / raw", "children's rollups raw (ms)"))
    print(row(*["---"] * 5))
    sql = "SELECT * FROM compliance_rollup WHERE year = %s AND organization_id = ANY(%s)"
    for level, top in picks:
        if not top.numchild:
            continue
        children = list(
            Organization.objects.filter(subtree_q(top.path), depth=top.depth + 1).values_list("id", flat=True)
        )
        statements = _statements_of(lambda top=top: queries.matrix(top, year))
        same_ms = timed(lambda statements=statements: _run_raw(statements), repeat=15)
        rollups_ms = timed(lambda children=children: raw(sql, [year, children]), repeat=15)
        q_ms = timed(lambda top=top: queries.matrix(top, year), repeat=15)
        stored = Rollup.objects.filter(organization_id__in=children, year=year).count()
        label = f"{level}: dashboard queries ({len(statements)}), {len(children)} children, {stored} rollups"
        print(row(label, f"{q_ms:.1f}", f"{same_ms:.1f}", f"{q_ms / same_ms:.2f}", f"{rollups_ms:.1f}"))
    client = Client()
    client.force_login(bench_user())
    # Keep one connection across requests, as a pooled production server does.
    request_finished.disconnect(close_old_connections)
    pages = [
        (f"{level}: dashboard page (whole, rendered)", f"/orgs/{top.pk}/supervision/?year={year}")
        for level, top in picks
        if top.numchild
    ]
    pages.append(("branch checklist page (whole, rendered)", f"/orgs/{branch.pk}/compliance/?year={year}"))
    for label, url in pages:
        status = client.get(url).status_code
        ms = timed(lambda url=url: client.get(url), repeat=11)
        print(row(f"{label} [{status}]", f"{ms:.0f}", "", ""))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="default: today")
    parser.add_argument("--parts", default="abc")
    parser.add_argument("--rules", type=Path, action="append", default=None, help="rule-set files for part a")
    args = parser.parse_args()
    today = args.today or timezone.localdate()
    shipped = Path(__file__).resolve().parent.parent / "dangjian" / "compliance" / "rulesets"
    rule_files = args.rules if args.rules is not None else sorted(shipped.glob("standing.yaml"))
    print(
        f"Machine: {machine()}; database {connection.settings_dict['NAME']} ({connection.vendor}); "
        f"year {args.year}, today {today}"
    )
    if "a" in args.parts:
        part_a(args.year, today, rule_files)
    if "b" in args.parts:
        part_b(args.year, today)
    if "c" in args.parts:
        part_c(args.year)


if __name__ == "__main__":
    main()
