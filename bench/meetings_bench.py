"""Meetings and attendance at scale, against the raw SQL doing the same work in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_city DANGJIAN_VAR_DIR=/work/bench_var/dj_city \\
        uv run python bench/meetings_bench.py --year 2026
    ... bench/meetings_bench.py --parts c --explain      # only the counts, with their plans

Needs a database loaded with `dangjian demo --scale city|province` and a year of meetings from
`bench/meetings_data.py`. Prints Markdown tables for docs/benchmarks.md:

* **a. recording attendance**: `orglife.services.record_attendance` for a planned meeting that has
  ended and expects 30 members (30 entries: 27 present, 2 on leave with a reason, 1 absent), as
  the system actor, each run in a transaction rolled back; against one
  `UPDATE … FROM (VALUES …)` of the same 30 rows, also rolled back; and the whole POST of the
  attendance form through the test client as a user granted `committee_staff` at the top.
* **b. a branch's year**: the branch with the most members of the sampled township. The meeting
  list's query (newest 201, scope-restricted), the month calendar's query for each of the 12
  months, and the year's Excel export (one aggregate query over attendance + the workbook); each
  against the raw SELECT of the same rows; and the three pages, whole, through the test client.
* **c. per-subtree counts for the year** at each level (province, city, county, township: down
  through the child with the most members; branch: as in b): `orglife.queries.meeting_counts`,
  `topic_discussion_counts`, `attendance_rates`, `study.queries.organizations_with_plan`,
  `lectures.queries.reporter_lecture_counts` and `branches_with_dispatch`, each against the
  equivalent raw aggregate.

Slow statements (seconds, at province level) are run fewer times (`_harness.timed_runs`: at least
one warm-up and 3 timed runs); the "runs" column says how many. `--explain` prints EXPLAIN
(ANALYZE, BUFFERS) of the application's statements of part c.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any

from _harness import machine, raw, row, sample_orgs, setup_django, timed_runs

setup_django()

from django.core.signals import request_finished  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402
from dangjian.accounts.services import create_user, grant_role  # noqa: E402
from dangjian.core.scoping import SYSTEM  # noqa: E402
from dangjian.core.tree import path_successor  # noqa: E402
from dangjian.lectures.queries import branches_with_dispatch, reporter_lecture_counts  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.organizations.models import Organization  # noqa: E402
from dangjian.orglife import queries  # noqa: E402
from dangjian.orglife.exports import meetings_xlsx  # noqa: E402
from dangjian.orglife.models import Attendance, Meeting  # noqa: E402
from dangjian.orglife.month_views import _in_month  # noqa: E402
from dangjian.orglife.services import record_attendance  # noqa: E402
from dangjian.orglife.views import LIST_LIMIT  # noqa: E402
from dangjian.study.queries import organizations_with_plan  # noqa: E402

BENCH_USER = "bench_meetings"
ATTENDEES = 30

# --- a. recording attendance -----------------------------------------------------------------

# A planned meeting that has ended with exactly 30 expected members (theme days: every member).
PLANNED_WITH_30 = """
SELECT m.id FROM orglife_meeting m
WHERE m.status = 'planned' AND m.ends_at < now() AND m.kind = 'theme_day'
  AND (SELECT count(*) FROM orglife_attendance a WHERE a.meeting_id = m.id AND a.member_id IS NOT NULL)
      = %s
ORDER BY m.id LIMIT 1
"""
UPDATE_30 = """
UPDATE orglife_attendance a SET status = v.status, reason = v.reason
FROM (VALUES {}) AS v(id, status, reason) WHERE a.id = v.id
"""

# --- b. a branch's year ------------------------------------------------------------------------

LIST_SQL = """
SELECT * FROM orglife_meeting WHERE organization_id = %s ORDER BY starts_at DESC, id DESC LIMIT %s
"""
MONTH_SQL = """
SELECT * FROM orglife_meeting WHERE organization_id = %s AND starts_at >= %s AND starts_at < %s
  AND status <> 'cancelled' ORDER BY starts_at, id
"""
EXPORT_SQL = """
SELECT m.*, h.name, r.name, count(a.id),
       count(a.id) FILTER (WHERE a.status = 'expected'), count(a.id) FILTER (WHERE a.status = 'present'),
       count(a.id) FILTER (WHERE a.status = 'leave'), count(a.id) FILTER (WHERE a.status = 'absent')
FROM orglife_meeting m
LEFT JOIN orglife_attendance a ON a.meeting_id = m.id
LEFT JOIN members_member h ON h.id = m.host_id
LEFT JOIN members_member r ON r.id = m.recorder_id
WHERE m.organization_id = %s AND m.starts_at >= %s AND m.starts_at < %s
GROUP BY m.id, h.id, r.id ORDER BY m.starts_at
"""

# --- c. per-subtree counts ----------------------------------------------------------------------

SUBTREE_MEETINGS = """
FROM orglife_meeting m JOIN organizations_organization o ON o.id = m.organization_id
WHERE o.path >= %(lo)s AND o.path < %(hi)s AND m.status = 'closed'
  AND m.starts_at >= %(start)s AND m.starts_at < %(end)s
"""
COUNT_SQL: dict[str, str] = {
    "meeting_counts": f"SELECT m.organization_id, m.kind, count(*) {SUBTREE_MEETINGS} GROUP BY 1, 2",
    "topic_discussion_counts": (
        f"SELECT m.organization_id, count(*) {SUBTREE_MEETINGS} AND m.topic_discussion GROUP BY 1"
    ),
    "attendance_rates": """
        SELECT m.organization_id, count(*), count(*) FILTER (WHERE a.status = 'present')
        FROM orglife_attendance a JOIN orglife_meeting m ON m.id = a.meeting_id
        JOIN organizations_organization o ON o.id = m.organization_id
        WHERE o.path >= %(lo)s AND o.path < %(hi)s AND m.status = 'closed'
          AND m.starts_at >= %(start)s AND m.starts_at < %(end)s AND a.member_id IS NOT NULL
        GROUP BY 1
    """,
    "organizations_with_plan": """
        SELECT p.organization_id FROM study_studyplan p
        JOIN organizations_organization o ON o.id = p.organization_id
        WHERE o.path >= %(lo)s AND o.path < %(hi)s AND p.year = %(year)s
    """,
    "reporter_lecture_counts": """
        SELECT d.lecturer_id, count(*) FROM lectures_lecturedispatch d
        JOIN lectures_lecturer l ON l.id = d.lecturer_id
        JOIN organizations_organization o ON o.id = l.organization_id
        WHERE o.path >= %(lo)s AND o.path < %(hi)s AND l.is_reporter AND d.status = 'held'
          AND d.date BETWEEN %(first)s AND %(last)s
        GROUP BY 1
    """,
    "branches_with_dispatch": """
        SELECT DISTINCT d.branch_id FROM lectures_lecturedispatch d
        JOIN organizations_organization o ON o.id = d.branch_id
        WHERE o.path >= %(lo)s AND o.path < %(hi)s AND d.status = 'held'
          AND d.date BETWEEN %(first)s AND %(last)s
    """,
}


def size(result: Any) -> int:
    """Rows behind a query function's result: {org: {kind: n}} counts its (org, kind) pairs."""
    if isinstance(result, dict):
        return sum(len(v) if isinstance(v, dict) else 1 for v in result.values())
    return len(result)


def ms(value: float) -> str:
    return f"{value:,.1f}"


def ratio(app: float, lower: float) -> str:
    return f"{app / lower:.2f}" if lower > 0 else "–"


def bench_user() -> User:
    """A user granted committee_staff (view, change, export) at the top of the tree; the second
    factor marked done: the benchmark measures pages, not enrollment."""
    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        root = Organization.objects.get_root_nodes().first()
        user = create_user(BENCH_USER, "Bench-pass-2026", home_org=root, acting_user=SYSTEM)
        grant_role(user, root, "committee_staff", acting_user=SYSTEM)
        User.objects.filter(pk=user.pk).update(totp_confirmed=True, totp_secret="A" * 32)
    return User.objects.get(pk=user.pk)


def rolled_back(func: Callable[[], Any]) -> Callable[[], None]:
    """`func` in a transaction that is rolled back: every run starts from the same rows."""

    def run() -> None:
        with transaction.atomic():
            func()
            transaction.set_rollback(True)

    return run


def query_count(func: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)  # read now: the captured list is a view on the connection's log


def part_a(client: Client) -> None:
    found = raw(PLANNED_WITH_30, [ATTENDEES])
    if not found:
        print("\n(a) skipped: no planned meeting that has ended with exactly 30 expected members.\n")
        return
    meeting = Meeting.objects.select_related("organization").get(pk=found[0][0])
    rows = list(Attendance.objects.filter(meeting=meeting, member__isnull=False).order_by("id"))
    entries: list[dict[str, Any]] = []
    for index, attendance in enumerate(rows):
        status, reason = "present", ""
        if index in (7, 19):
            status, reason = "leave", "因公出差"
        elif index == 23:
            status = "absent"
        entries.append({"attendance": attendance.pk, "status": status, "reason": reason})
    values = ", ".join(["(%s::bigint, %s, %s)"] * len(entries))
    params = [v for e in entries for v in (e["attendance"], e["status"], e["reason"])]

    def app() -> None:
        record_attendance(meeting, entries, acting_user=SYSTEM)

    def lower() -> None:
        with connection.cursor() as cursor:
            cursor.execute(UPDATE_30.format(values), params)
            assert cursor.rowcount == len(entries), cursor.rowcount

    form = {f"status_{e['attendance']}": e["status"] for e in entries}
    form |= {f"reason_{e['attendance']}": e["reason"] for e in entries if e["reason"]}
    url = f"/meetings/{meeting.pk}/attendance/"

    def page() -> None:
        response = client.post(url, form)
        assert response.status_code == 302, response.status_code

    app_ms, app_runs = timed_runs(rolled_back(app), repeat=15)
    raw_ms, raw_runs = timed_runs(rolled_back(lower), repeat=15)
    page_ms, page_runs = timed_runs(rolled_back(page), repeat=15)
    print(
        f"\n**a. Recording a {len(entries)}-person meeting's attendance** (meeting {meeting.pk}, "
        f"{meeting.get_kind_display()}, {meeting.organization.name}; each run rolled back)\n"
    )
    print(row("path", "ms", "statements", "runs", "ratio to raw"))
    print(row(*["---"] * 5))
    print(row("raw `UPDATE … FROM (VALUES …)`", ms(raw_ms), 1, raw_runs, "1.00"))
    print(
        row(
            "`services.record_attendance`",
            ms(app_ms),
            query_count(rolled_back(app)),
            app_runs,
            ratio(app_ms, raw_ms),
        )
    )
    print(
        row(
            "POST attendance form (whole request)",
            ms(page_ms),
            query_count(rolled_back(page)),
            page_runs,
            ratio(page_ms, raw_ms),
        )
    )


def part_b(client: Client, user: User, branch: Organization, year: int) -> None:
    tz = timezone.get_current_timezone()
    start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    months = [date(year, m, 1) for m in range(1, 13)]
    bounds = [
        (datetime(year, m, 1, tzinfo=tz), datetime(year + (m == 12), m % 12 + 1, 1, tzinfo=tz))
        for m in range(1, 13)
    ]
    in_year = Meeting.objects.filter(organization=branch, starts_at__gte=start, starts_at__lt=end).count()
    attendances = Attendance.objects.filter(
        meeting__organization=branch, meeting__starts_at__gte=start, meeting__starts_at__lt=end
    ).count()
    members = Member.objects.on_roll().filter(organization=branch).count()

    def app_list() -> list[Meeting]:
        return list(
            Meeting.objects.filter(organization=branch)
            .restrict(user, "view")
            .order_by("-starts_at", "-id")[: LIST_LIMIT + 1]
        )

    def app_months() -> list[list[Meeting]]:
        return [list(_in_month(Meeting.objects.filter(organization=branch), first)) for first in months]

    def raw_months() -> list[list[tuple[object, ...]]]:
        return [raw(MONTH_SQL, [branch.pk, lo, hi]) for lo, hi in bounds]

    checks = [
        ("meeting list (newest 201)", app_list, lambda: raw(LIST_SQL, [branch.pk, LIST_LIMIT + 1])),
        ("month calendar × 12", app_months, raw_months),
        ("year export (query + xlsx)", lambda: meetings_xlsx(branch, start, end), None),
        ("year export: query only", None, lambda: raw(EXPORT_SQL, [branch.pk, start, end])),
    ]
    print(
        f"\n**b. A branch's year** ({branch.name}, {members} members on the roll: {in_year} meetings, "
        f"{attendances:,} attendance rows in {year})\n"
    )
    print(row("view", "app ms", "raw SQL ms", "ratio", "app statements", "page ms", "page statements"))
    print(row(*["---"] * 7))
    pages: dict[str, list[str]] = {
        "meeting list (newest 201)": [f"/orgs/{branch.pk}/meetings/"],
        "month calendar × 12": [f"/orgs/{branch.pk}/calendar/?month={first:%Y-%m}" for first in months],
        "year export (query + xlsx)": [f"/orgs/{branch.pk}/meetings.xlsx?from={year}-01-01&to={year}-12-31"],
    }
    raw_export = timed_runs(lambda: raw(EXPORT_SQL, [branch.pk, start, end]))[0]
    for label, app, lower in checks:
        if app is None:
            continue
        app_ms = timed_runs(app)[0]
        raw_ms = timed_runs(lower)[0] if lower is not None else raw_export
        urls = pages[label]

        def get_pages(urls: list[str] = urls) -> None:
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

        page_ms = timed_runs(get_pages)[0]
        print(
            row(
                label,
                ms(app_ms),
                ms(raw_ms),
                ratio(app_ms, raw_ms),
                query_count(app),
                ms(page_ms),
                query_count(get_pages),
            )
        )


def part_c(picks: list[tuple[str, Organization]], year: int, explain: bool) -> None:
    tz = timezone.get_current_timezone()
    start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    first, last = date(year, 1, 1), date(year, 12, 31)
    apps: dict[str, Callable[[str], Any]] = {
        "meeting_counts": lambda p: queries.meeting_counts(p, start, end),
        "topic_discussion_counts": lambda p: queries.topic_discussion_counts(p, start, end),
        "attendance_rates": lambda p: queries.attendance_rates(p, start, end),
        "organizations_with_plan": lambda p: organizations_with_plan(p, year),
        "reporter_lecture_counts": lambda p: reporter_lecture_counts(p, year),
        "branches_with_dispatch": lambda p: branches_with_dispatch(p, year),
    }
    print(f"\n**c. Per-subtree counts for {year}**\n")
    print(row("level", "subtree meetings", "query", "result rows", "app ms", "raw SQL ms", "ratio", "runs"))
    print(row(*["---"] * 8))
    plans: list[str] = []
    for label, org in picks:
        params = {
            "lo": org.path,
            "hi": path_successor(org.path),
            "start": start,
            "end": end,
            "year": year,
            "first": first,
            "last": last,
        }
        subtree = raw(
            "SELECT count(*) FROM orglife_meeting m JOIN organizations_organization o "
            "ON o.id = m.organization_id WHERE o.path >= %(lo)s AND o.path < %(hi)s "
            "AND m.starts_at >= %(start)s AND m.starts_at < %(end)s",
            params,
        )[0][0]
        for name, app in apps.items():
            result = app(org.path)
            lower_rows = raw(COUNT_SQL[name], params)
            assert len(lower_rows) == size(result), (name, len(lower_rows), size(result))
            app_ms, runs = timed_runs(partial(app, org.path))
            raw_ms, _ = timed_runs(partial(raw, COUNT_SQL[name], params))
            print(
                row(
                    label,
                    f"{subtree:,}",
                    f"`{name}`",
                    f"{size(result):,}",
                    ms(app_ms),
                    ms(raw_ms),
                    ratio(app_ms, raw_ms),
                    runs,
                )
            )
            if explain:
                with CaptureQueriesContext(connection) as captured:
                    app(org.path)
                sql = captured.captured_queries[-1]["sql"]
                lines = raw(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plans.append(f"-- {label} {name}\n" + "\n".join(str(line[0]) for line in lines))
    for plan in plans:
        print(f"\n```\n{plan}\n```")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--parts", default="abc", help="which parts to run: any of a, b, c")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the statements of part c")
    parser.add_argument(
        "--levels",
        default="province,city,county,township,branch",
        help="levels of part c, comma-separated (default: all five)",
    )
    args = parser.parse_args()
    tz = timezone.get_current_timezone()
    start, end = datetime(args.year, 1, 1, tzinfo=tz), datetime(args.year + 1, 1, 1, tzinfo=tz)
    meetings = Meeting.objects.filter(starts_at__gte=start, starts_at__lt=end).count()
    attendance = raw(
        "SELECT count(*) FROM orglife_attendance a JOIN orglife_meeting m ON m.id = a.meeting_id "
        "WHERE m.starts_at >= %s AND m.starts_at < %s",
        [start, end],
    )[0][0]
    print(f"<!-- {machine()} -->")
    print(
        f"**{connection.vendor}**, {Organization.objects.count():,} organizations, "
        f"{Member.objects.count():,} members; {args.year}: {meetings:,} meetings, "
        f"{attendance:,} attendance rows"
    )
    user = bench_user()
    client = Client()
    client.force_login(user)
    # Keep one connection across requests, as a pooled production server does.
    request_finished.disconnect(close_old_connections)
    picks = sample_orgs(branch="largest")
    if "a" in args.parts:
        part_a(client)
    if "b" in args.parts:
        part_b(client, user, picks[-1][1], args.year)
    if "c" in args.parts:
        levels = set(args.levels.split(","))
        part_c([(label, org) for label, org in picks if label in levels], args.year, args.explain)


if __name__ == "__main__":
    main()
