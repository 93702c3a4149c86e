"""One year of organizational life for every branch of a loaded database, in server-side bulk SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_city DANGJIAN_VAR_DIR=/work/bench_var/dj_city \\
        nice -n 10 uv run python bench/meetings_data.py --year 2026
    ... bench/meetings_data.py --year 2026 --months 1-6      # part of the year (province: one month
                                                             # at a time, each its own transaction)

PostgreSQL only. Needs organizations and members (`dangjian demo --scale city|province`). Every
row is made by `INSERT … SELECT` over the branches, groups and members already in the database —
nothing passes through Python. Per branch (an organization with members on the roll) and year:

* 12 branch committee meetings (the committee: members with a committee post; only branches with
  a committee, i.e. 3 or more posts — smaller branches have a secretary and no committee);
* 12 party group meetings per party group (the group's members);
* 4 branch assemblies, 4 party lectures (lecturer: the secretary), 12 theme party days, one
  organizational life meeting (January, on the previous year): all members on the roll;
* party committees and working committees: 4–6 central group studies and one democratic life
  meeting (no default attendees, as `services.expected_members`).

Expected attendees are the members on the roll who had joined by the meeting's day. About a
quarter of the 三会一课 meetings are topic discussions. States follow the services: a meeting
that has not ended is `planned` (version 1, everyone `expected`); of the past ones ~3 % were
cancelled (version 2), ~7 % are still planned with nothing recorded (half of the last two weeks'
meetings), the rest are closed (version 3: one attendance recording, then closing; `closed_at`
1–72 hours after the end), with present ~88 %, leave ~8 % (with a reason), absent ~4 % (members
floating out are mostly on leave). Pseudo-random choices are hashes of ids: same database, same
data.

Also for the year (skip with `--no-extras`): a study plan for ~90 % of the branches and
committees, a pool of 8 lecturers (a third of them reporters) at every committee, and a lecture
dispatch for ~20 % of the party lectures — held and linked to the meeting when it is closed,
proposed when it is still to come, cancelled with a cancelled meeting.

Bulk-load settings, all on by default: the secondary indexes of the two tables are dropped
before and rebuilt after from their recorded definitions (`--keep-indexes` to maintain them row
by row instead), foreign-key triggers are off for the session (`session_replication_role =
replica`: every key is read from the referenced table in the same statement), asynchronous
commit. The session's server process is reniced to 10 when the server runs on this machine and
may be reniced, and parallel workers are off, so the load yields to others. Ends with VACUUM
ANALYZE (autovacuum would set the visibility map and statistics in production; here it may be
off).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from _harness import setup_django

setup_django()

from django.conf import settings  # noqa: E402
from django.db import OperationalError, connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.organizations.models import COMMITTEE_KINDS, MEMBER_HOLDING_KINDS  # noqa: E402

TABLES = ("orglife_meeting", "orglife_attendance")
MEMBER_KINDS = tuple(sorted(MEMBER_HOLDING_KINDS))
COMMITTEES = tuple(sorted(COMMITTEE_KINDS))

# Helper tables: the members on the roll with what decides whom a meeting expects, each branch's
# committee size, secretary and a recorder, the groups with members, the committees.
PREPARE = [
    "DROP TABLE IF EXISTS gen_member, gen_branch, gen_group, gen_committee",
    """
    CREATE TEMP TABLE gen_member AS
    SELECT m.id, m.organization_id AS org_id, m.party_group_id AS group_id,
           m.committee_post <> '' AS committee, m.committee_post = 'secretary' AS secretary,
           m.join_date, m.status = 'floating_out' AS floating
    FROM members_member m JOIN organizations_organization o ON o.id = m.organization_id
    WHERE m.status <> 'left' AND o.kind = ANY(%(member_kinds)s)
    """,
    "CREATE INDEX ON gen_member (org_id)",
    """
    CREATE TEMP TABLE gen_branch AS
    SELECT org_id, count(*) AS n, count(*) FILTER (WHERE committee) AS n_committee,
           coalesce(min(id) FILTER (WHERE secretary), min(id)) AS host,
           coalesce(min(id) FILTER (WHERE NOT secretary), min(id)) AS recorder
    FROM gen_member GROUP BY org_id
    """,
    """
    CREATE TEMP TABLE gen_group AS
    SELECT group_id, org_id, count(*) AS n FROM gen_member WHERE group_id IS NOT NULL
    GROUP BY group_id, org_id
    """,
    """
    CREATE TEMP TABLE gen_committee AS
    SELECT id AS org_id FROM organizations_organization WHERE kind = ANY(%(committee_kinds)s)
    """,
    "ANALYZE gen_member",
    "ANALYZE gen_branch",
    "ANALYZE gen_group",
    "ANALYZE gen_committee",
]

# One month's meetings. `slots`: which organization meets, the kind, the day of the month, the
# local start time and the length in minutes; `timed` adds the instants and a hash `h` (0–999)
# that decides the state; the INSERT sorts by start (meetings are scheduled in time order, so a
# branch's meetings are spread over the table as in production).
MEETINGS = """
WITH slots AS (
    SELECT b.org_id, NULL::bigint AS group_id, 'branch_committee' AS kind, 1 AS kind_no,
           3 + b.org_id %% 5 AS day, '09:00'::time AS clock, 90 AS minutes, b.host, b.recorder,
           NULL::bigint AS lecturer
    FROM gen_branch b WHERE b.n_committee >= 3
    UNION ALL
    SELECT g.org_id, g.group_id, 'group_meeting', 2, 8 + g.group_id %% 10, '19:30', 60, b.host,
           b.recorder, NULL
    FROM gen_group g JOIN gen_branch b USING (org_id)
    UNION ALL
    SELECT b.org_id, NULL, 'theme_day', 3, 1 + (b.org_id * 7) %% 28, '15:00', 120, b.host,
           b.recorder, NULL
    FROM gen_branch b
    UNION ALL
    SELECT b.org_id, NULL, 'branch_assembly', 4, 18 + b.org_id %% 6, '14:30', 120, b.host,
           b.recorder, NULL
    FROM gen_branch b WHERE %(month)s IN (3, 6, 9, 12)
    UNION ALL
    SELECT b.org_id, NULL, 'party_lecture', 5, 20 + b.org_id %% 6, '15:00', 90, b.host,
           b.recorder, b.host
    FROM gen_branch b WHERE %(month)s IN (2, 5, 8, 11)
    UNION ALL
    SELECT b.org_id, NULL, 'org_life', 6, 10 + b.org_id %% 15, '09:00', 180, b.host, b.recorder,
           NULL
    FROM gen_branch b WHERE %(month)s = 1
    UNION ALL
    SELECT c.org_id, NULL, 'democratic_life', 7, 15 + c.org_id %% 10, '09:00', 240, NULL, NULL,
           NULL
    FROM gen_committee c WHERE %(month)s = 1
    UNION ALL
    SELECT c.org_id, NULL, 'central_group_study', 8, 12 + c.org_id %% 10, '14:30', 150, NULL,
           NULL, NULL
    FROM gen_committee c WHERE %(month)s %% 2 = 0 AND %(month)s / 2 <= 4 + c.org_id %% 3
),
timed AS (
    SELECT s.*, starts, starts + make_interval(mins => s.minutes) AS ends,
           abs(hashint8(s.org_id * 1000003 + coalesce(s.group_id, 0) * 7919 + %(month)s * 97
                        + s.kind_no)) %% 1000 AS h
    FROM slots s,
         LATERAL (SELECT make_timestamp(%(year)s, %(month)s, s.day::int, 0, 0, 0) + s.clock) AS l(local),
         LATERAL (SELECT l.local AT TIME ZONE %(tz)s) AS t(starts)
),
stated AS (
    SELECT t.*,
           CASE WHEN t.ends > %(now)s THEN 'planned'
                WHEN t.h < 30 THEN 'cancelled'
                WHEN t.h < 100 OR (t.ends > %(now)s - interval '14 days' AND t.h < 500) THEN 'planned'
                ELSE 'closed' END AS status
    FROM timed t
)
INSERT INTO orglife_meeting (
    kind, topic, starts_at, ends_at, place, online, agenda, topic_discussion, minutes, status,
    closed_at, version, created_at, updated_at, host_id, organization_id, party_group_id,
    recorder_id, lecturer_id{extra_columns})
SELECT
    s.kind,
    CASE s.kind
        WHEN 'branch_committee' THEN %(year)s || '年' || %(month)s || '月支部委员会会议'
        WHEN 'group_meeting' THEN %(year)s || '年' || %(month)s || '月党小组会'
        WHEN 'theme_day' THEN %(year)s || '年' || %(month)s || '月主题党日活动'
        WHEN 'branch_assembly' THEN %(year)s || '年第' || (%(month)s + 2) / 3 || '季度党员大会'
        WHEN 'party_lecture' THEN '党课：' || (ARRAY['学习贯彻党的二十大精神', '弘扬伟大建党精神',
            '加强党性修养', '推进全面从严治党'])[1 + s.h %% 4]
        WHEN 'org_life' THEN (%(year)s - 1) || '年度组织生活会'
        WHEN 'democratic_life' THEN (%(year)s - 1) || '年度民主生活会'
        ELSE %(year)s || '年理论学习中心组第' || %(month)s / 2 || '次集体学习'
    END,
    s.starts, s.ends,
    CASE WHEN s.h %% 20 = 0 THEN '' ELSE '党员活动室' END,
    s.h %% 20 = 0,
    '一、传达学习上级文件精神；二、研究部署本月工作；三、其他事项。',
    s.kind IN ('branch_assembly', 'branch_committee', 'group_meeting', 'party_lecture')
        AND s.h %% 4 = 0,
    CASE WHEN s.status = 'closed' THEN '会议传达学习了上级有关文件精神，围绕议题进行了讨论，'
        '参会党员结合思想和工作实际谈了认识体会，会议对下一步工作作出了安排。' ELSE '' END,
    s.status,
    CASE WHEN s.status = 'closed'
         THEN least(s.ends + make_interval(hours => 1 + s.h %% 72), %(now)s) END,
    CASE s.status WHEN 'closed' THEN 3 WHEN 'cancelled' THEN 2 ELSE 1 END,
    least(s.starts - make_interval(days => 3 + s.h %% 10), %(now)s),
    CASE s.status
        WHEN 'closed' THEN least(s.ends + make_interval(hours => 1 + s.h %% 72), %(now)s)
        WHEN 'cancelled' THEN least(s.starts - interval '1 day', %(now)s)
        ELSE least(s.starts - make_interval(days => 3 + s.h %% 10), %(now)s)
    END,
    s.host, s.org_id, s.group_id, s.recorder, s.lecturer{extra_values}
FROM stated s
ORDER BY s.starts, s.org_id, s.group_id
"""

# The expected attendees of the meetings just inserted (ids above `after`), recorded when the
# meeting is closed. Sorted by meeting: rows are written when a meeting is scheduled.
ATTENDANCE = """
INSERT INTO orglife_attendance (guest_name, status, reason, member_id, meeting_id{extra_columns})
SELECT '', a.status,
       CASE WHEN a.status <> 'leave' THEN ''
            WHEN a.floating THEN '外出流动'
            ELSE (ARRAY['因公出差', '因病请假', '外出务工', '家中有事'])[1 + a.h %% 4] END,
       a.member_id, a.meeting_id{extra_values}
FROM (
    SELECT mt.id AS meeting_id, gm.id AS member_id, gm.floating, x.h,
           CASE WHEN mt.status <> 'closed' THEN 'expected'
                WHEN gm.floating AND x.h < 850 THEN 'leave'
                WHEN x.h < 880 THEN 'present'
                WHEN x.h < 960 THEN 'leave'
                ELSE 'absent' END AS status
    FROM orglife_meeting mt
    JOIN gen_member gm ON gm.org_id = mt.organization_id,
    LATERAL (SELECT abs(hashint8(mt.id * 10000019 + gm.id)) %% 1000) AS x(h)
    WHERE mt.id > %(after)s
      AND mt.kind <> ALL(%(no_attendees)s)
      AND gm.join_date <= (mt.starts_at AT TIME ZONE %(tz)s)::date
      AND (mt.kind <> 'group_meeting' OR gm.group_id = mt.party_group_id)
      AND (mt.kind <> 'branch_committee' OR gm.committee)
) a
ORDER BY a.meeting_id, a.member_id
"""

EXTRAS = [
    (
        "study plans",
        """
        INSERT INTO study_studyplan (organization_id, year, title, created_at)
        SELECT o.id, %(year)s, %(year)s || '年度' || o.name || '学习计划',
               least(make_timestamp(%(year)s, 1, 1, 9, 0, 0) AT TIME ZONE %(tz)s
                     + make_interval(days => (o.id %% 60)::int), %(now)s)
        FROM organizations_organization o
        WHERE (o.id IN (SELECT org_id FROM gen_branch) OR o.kind = ANY(%(committee_kinds)s))
          AND abs(hashint8(o.id * 31 + %(year)s)) %% 10 <> 0
        ON CONFLICT DO NOTHING
        """,
    ),
    (
        "lecturers",
        """
        INSERT INTO lectures_lecturer (organization_id, name, kind, title, is_reporter, active)
        SELECT c.org_id, '宣讲员' || c.org_id || '-' || n,
               (ARRAY['official', 'expert', 'retired', 'model_figure'])[1 + n %% 4], '', n %% 3 = 0, true
        FROM gen_committee c, generate_series(1, 8) AS n
        WHERE NOT EXISTS (SELECT 1 FROM lectures_lecturer l WHERE l.organization_id = c.org_id)
        """,
    ),
    (
        "lecture dispatches",
        """
        INSERT INTO lectures_lecturedispatch (date, topic, status, created_at, branch_id, meeting_id,
                                              lecturer_id)
        SELECT (mt.starts_at AT TIME ZONE %(tz)s)::date, mt.topic,
               CASE mt.status WHEN 'closed' THEN 'held' WHEN 'cancelled' THEN 'cancelled'
                    ELSE 'proposed' END,
               mt.created_at, mt.organization_id,
               CASE WHEN mt.status = 'closed' THEN mt.id END, pool.id
        FROM orglife_meeting mt
        JOIN organizations_organization b ON b.id = mt.organization_id
        CROSS JOIN LATERAL (
            SELECT l.id FROM lectures_lecturer l JOIN organizations_organization c ON c.id = l.organization_id
            WHERE c.path = ANY(ARRAY[substr(b.path, 1, 16), substr(b.path, 1, 12), substr(b.path, 1, 8),
                                     substr(b.path, 1, 4)])
              AND c.path <> b.path
            ORDER BY length(c.path) DESC, l.id
            OFFSET abs(hashint8(mt.id)) %% 8 LIMIT 1
        ) AS pool
        WHERE mt.kind = 'party_lecture' AND mt.starts_at >= %(start)s AND mt.starts_at < %(end)s
          AND abs(hashint8(mt.id * 7)) %% 5 = 0
          AND (mt.status <> 'planned' OR mt.ends_at > %(now)s)
          AND NOT EXISTS (SELECT 1 FROM lectures_lecturedispatch d WHERE d.branch_id = mt.organization_id
                          AND d.date = (mt.starts_at AT TIME ZONE %(tz)s)::date)
        """,
    ),
]


def log(message: str) -> None:
    print(message, flush=True)


def execute(sql: str, params: dict[str, Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.rowcount


def scalar(sql: str, params: dict[str, Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.fetchone()[0]


# Empty values by column type, for NOT NULL columns without a default that the statements above
# do not set (columns added after this script was written: the model's blank default).
EMPTY_BY_TYPE = {
    "text": "''",
    "character varying": "''",
    "boolean": "false",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "numeric": "0",
    "jsonb": "'{}'::jsonb",
    "timestamp with time zone": "now()",
    "date": "current_date",
}


def with_other_columns(sql: str, table: str) -> str:
    """`sql` with the table's other required columns set to empty values."""
    insert = sql[sql.index("INSERT INTO") :]
    listed = insert[insert.index("(") + 1 : insert.index("{extra_columns}")]
    named = {c.strip() for c in listed.split(",")}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = %s AND is_nullable = 'NO'
              AND column_default IS NULL AND is_identity = 'NO'
            ORDER BY ordinal_position
            """,
            [table],
        )
        others = [(name, kind) for name, kind in cursor.fetchall() if name not in named]
    unknown = [f"{name} ({kind})" for name, kind in others if kind not in EMPTY_BY_TYPE]
    if unknown:
        sys.exit(f"{table}: required columns this script cannot fill: {', '.join(unknown)}")
    if others:
        log(f"{table}: also setting {', '.join(name for name, _ in others)} to empty values")
    return sql.format(
        extra_columns="".join(f", {name}" for name, _ in others),
        extra_values="".join(f", {EMPTY_BY_TYPE[kind]}" for _, kind in others),
    )


def be_nice() -> None:
    """Lower the priority of this session's server process (best effort: same machine and enough
    rights only) and keep the work in that one process."""
    execute("SET max_parallel_workers_per_gather = 0")
    execute("SET max_parallel_maintenance_workers = 0")
    pid = scalar("SELECT pg_backend_pid()")
    try:
        os.setpriority(os.PRIO_PROCESS, pid, 10)
        log(f"server process {pid} reniced to 10")
    except OSError as exc:
        log(f"server process {pid} not reniced ({exc.__class__.__name__})")


def secondary_indexes() -> list[tuple[str, str]]:
    """(name, definition) of the indexes of the two tables other than primary keys and indexes
    backing a constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid =
                              (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
            ORDER BY i.tablename, i.indexname
            """,
            [list(TABLES)],
        )
        return list(cursor.fetchall())


@contextmanager
def without_indexes(enabled: bool) -> Iterator[None]:
    """Drop the secondary indexes for the load and rebuild them after, whatever happens."""
    indexes = secondary_indexes() if enabled else []
    if indexes:
        log(f"dropping {len(indexes)} secondary indexes: {', '.join(name for name, _ in indexes)}")
        quote = connection.ops.quote_name
        with transaction.atomic():
            for name, _ in indexes:
                execute(f"DROP INDEX {quote(name)}")
    try:
        yield
    finally:
        if indexes:
            execute("SET maintenance_work_mem = '1GB'")
            started = time.perf_counter()
            for name, definition in indexes:
                t0 = time.perf_counter()
                execute(definition)
                log(f"  rebuilt {name} in {time.perf_counter() - t0:.1f} s")
            log(f"indexes rebuilt in {time.perf_counter() - started:.1f} s")


def parse_months(text: str) -> list[int]:
    if "-" in text:
        lo, hi = (int(part) for part in text.split("-", 1))
        months = list(range(lo, hi + 1))
    else:
        months = [int(part) for part in text.split(",")]
    if not months or not all(1 <= m <= 12 for m in months):
        raise argparse.ArgumentTypeError("months are 1-12, e.g. 1-12, 1-6 or 1,2,3")
    return months


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--months", type=parse_months, default=list(range(1, 13)), help="e.g. 1-12 or 1-6")
    parser.add_argument("--replace", action="store_true", help="delete the year's meetings first")
    parser.add_argument("--keep-indexes", action="store_true", help="maintain indexes row by row")
    parser.add_argument("--no-extras", action="store_true", help="no study plans, lecturers, dispatches")
    parser.add_argument(
        "--minutes",
        type=float,
        default=None,
        help="time budget: start no month that would end the load past this many minutes",
    )
    parser.add_argument(
        "--finish",
        action="store_true",
        help="load no meetings: only the extras and VACUUM ANALYZE (after an interrupted run)",
    )
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="the present (ISO date-time) that decides planned or held; default: now",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("meetings_data.py needs PostgreSQL (INSERT … SELECT with hash functions).")
    now = args.now or timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now)
    tz = settings.TIME_ZONE
    year_start = datetime(args.year, 1, 1, tzinfo=timezone.get_current_timezone())
    year_end = datetime(args.year + 1, 1, 1, tzinfo=timezone.get_current_timezone())
    params: dict[str, Any] = {
        "year": args.year,
        "tz": tz,
        "now": now,
        "start": year_start,
        "end": year_end,
        "member_kinds": list(MEMBER_KINDS),
        "committee_kinds": list(COMMITTEES),
        "no_attendees": ["democratic_life", "central_group_study"],
    }
    started = time.perf_counter()
    be_nice()
    execute("SET synchronous_commit = off")
    execute("SET work_mem = '256MB'")
    try:
        execute("SET session_replication_role = replica")
        log("foreign-key triggers off for this session (keys are read from the referenced tables)")
    except Exception as exc:  # not a superuser: keep the checks
        log(f"foreign-key triggers stay on ({exc.__class__.__name__})")

    span = {"start": year_start, "end": year_end}
    existing = scalar(
        "SELECT count(*) FROM orglife_meeting WHERE starts_at >= %(start)s AND starts_at < %(end)s", span
    )
    clash = scalar(
        "SELECT count(*) FROM orglife_meeting WHERE starts_at >= %(start)s AND starts_at < %(end)s "
        "AND extract(month FROM starts_at AT TIME ZONE %(tz)s) = ANY(%(months)s)",
        {**span, "tz": tz, "months": args.months},
    )
    if clash and not args.replace and not args.finish:
        sys.exit(
            f"{clash:,} meetings of {args.year} in the months asked for exist already (use --replace "
            "to delete the year's meetings first, or --months for the missing months)."
        )
    if existing and args.replace:
        t0 = time.perf_counter()
        with transaction.atomic():
            year_ids = "SELECT id FROM orglife_meeting WHERE starts_at >= %(start)s AND starts_at < %(end)s"
            execute(f"DELETE FROM lectures_lecturedispatch WHERE meeting_id IN ({year_ids})", span)
            execute(
                "DELETE FROM lectures_lecturedispatch WHERE meeting_id IS NULL "
                "AND date BETWEEN %(first)s AND %(last)s",
                {"first": date(args.year, 1, 1), "last": date(args.year, 12, 31)},
            )
            execute(f"DELETE FROM study_studyitem_meetings WHERE meeting_id IN ({year_ids})", span)
            execute(f"DELETE FROM orglife_attendance WHERE meeting_id IN ({year_ids})", span)
            execute(f"DELETE FROM orglife_meeting WHERE id IN ({year_ids})", span)
        log(f"deleted {existing:,} meetings of {args.year} in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    for statement in PREPARE:
        execute(statement, params)
    branches = scalar("SELECT count(*) FROM gen_branch")
    members = scalar("SELECT count(*) FROM gen_member")
    groups = scalar("SELECT count(*) FROM gen_group")
    committees = scalar("SELECT count(*) FROM gen_committee")
    log(
        f"{branches:,} branches with {members:,} members on the roll, {groups:,} party groups, "
        f"{committees:,} committees ({time.perf_counter() - t0:.1f} s)"
    )

    total_meetings = total_attendance = 0
    load_seconds = index_seconds = 0.0
    done: list[int] = []
    if not args.finish:
        meetings_sql = with_other_columns(MEETINGS, "orglife_meeting")
        attendance_sql = with_other_columns(ATTENDANCE, "orglife_attendance")
        load_started = time.perf_counter()
        last = 0.0  # the last month's seconds: the next one takes about as long
        with without_indexes(not args.keep_indexes):
            for month in args.months:
                elapsed = time.perf_counter() - load_started
                if args.minutes and done and elapsed + last > args.minutes * 60:
                    log(f"stopping before month {month}: another month would pass {args.minutes} minutes")
                    break
                t0 = time.perf_counter()
                try:
                    with transaction.atomic():
                        after = scalar("SELECT coalesce(max(id), 0) FROM orglife_meeting")
                        meetings = execute(meetings_sql, {**params, "month": month})
                        t1 = time.perf_counter()
                        attendance = execute(attendance_sql, {**params, "after": after})
                except (KeyboardInterrupt, OperationalError) as exc:
                    # Ctrl-C, or pg_cancel_backend() from outside: the month is rolled back, the
                    # months before it stay.
                    log(f"month {month} interrupted ({exc.__class__.__name__}) and rolled back; stopping")
                    break
                t2 = time.perf_counter()
                last = t2 - t0
                done.append(month)
                total_meetings += meetings
                total_attendance += attendance
                log(
                    f"{args.year}-{month:02d}: {meetings:>9,} meetings ({t1 - t0:5.1f} s) "
                    f"{attendance:>11,} attendance rows ({t2 - t1:6.1f} s) | total {total_meetings:>10,} "
                    f"meetings {total_attendance:>12,} attendance {time.perf_counter() - load_started:7.1f} s"
                )
            load_seconds = time.perf_counter() - load_started
        index_seconds = time.perf_counter() - load_started - load_seconds

    if not args.no_extras:
        for label, sql in EXTRAS:
            t0 = time.perf_counter()
            with transaction.atomic():
                rows = execute(sql, params)
            log(f"{label}: {rows:,} rows in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    for table in (*TABLES, "study_studyplan", "lectures_lecturer", "lectures_lecturedispatch"):
        execute(f"VACUUM (ANALYZE) {table}")
    vacuum_seconds = time.perf_counter() - t0
    log(f"VACUUM ANALYZE in {vacuum_seconds:.1f} s")
    execute("DROP TABLE IF EXISTS gen_member, gen_branch, gen_group, gen_committee")
    sizes = {
        table: scalar("SELECT pg_size_pretty(pg_total_relation_size(%(t)s::regclass))", {"t": table})
        for table in TABLES
    }
    if done:
        log(
            f"made {total_meetings:,} meetings and {total_attendance:,} attendance rows (months "
            f"{', '.join(map(str, done))} of {args.year}) in {load_seconds:.1f} s "
            f"+ indexes {index_seconds:.1f} s"
        )
    in_year = scalar(
        "SELECT count(*) FROM orglife_meeting WHERE starts_at >= %(start)s AND starts_at < %(end)s", span
    )
    log(
        f"{args.year} now holds {in_year:,} meetings; total {time.perf_counter() - started:.1f} s; "
        + ", ".join(f"{t} {s}" for t, s in sizes.items())
    )


if __name__ == "__main__":
    main()
