"""Notices at scale: sending, marking read, the read share per child organization and a branch's
who-has-not-read list, each against the raw SQL doing the same work.

Run against a loaded database (bench/README.md), e.g.:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_province \
    DANGJIAN_VAR_DIR=/work/bench_var/dj_province python bench/notices_bench.py

It sends one cascaded notice from the top of the tree (the province at province scale, the
county at county scale), then records reads for a share of the recipients (`--read-share`,
default 0.6, in one server-side INSERT … SELECT, with the tallies brought to what those reads
would have made them, as many members would over days), and times:

* send: `services.send_notice` (the notice's row and one tally row per organization holding
  recipients) vs the raw UPDATE and grouped INSERT … SELECT;
* mark read: `services.mark_read` for a recipient who has not read (each run rolled back) vs the
  raw INSERT and tally upsert;
* share per child at the top: `queries.share_by_child` vs the raw grouped sum of the tallies, and
  the exact counts of the members and reads (what the shares cost without tallies);
* who has not read in the largest branch: `queries.members_with_state` vs the raw anti-join.

Everything it writes is deleted at the end (the notice, its tallies and its reads).
"""

import argparse
import sys
import time

from _harness import machine, raw, row, sample_orgs, setup_django, timed, timed_runs


def execute(sql: str, params: object = None) -> None:
    """A statement that returns no rows (the raw lower bound of a write)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-share", type=float, default=0.6)
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from dangjian.core.scoping import SYSTEM
    from dangjian.core.tree import path_successor
    from dangjian.members.models import Member
    from dangjian.notices import queries, services, tallies
    from dangjian.notices.models import Notice, NoticeChildTally, NoticeRead, NoticeTally

    picks = dict(sample_orgs(branch="largest"))
    top = next(iter(dict(sample_orgs()).values()))
    branch = picks["branch"]
    print(f"# Notices bench — {connection.vendor}, {machine()}\n")
    print(f"top: {top.name} ({top.path}); branch: {branch.name}\n")

    notice = services.create_notice(
        top,
        {"title": "基准测试通知", "body": "<p>请阅</p>", "cascade": True, "must_read": True},
        acting_user=SYSTEM,
    )
    try:
        recipients = queries.recipients(notice).count()
        print(f"recipients: {recipients:,}\n")
        print(row("operation", "service (ms)", "raw SQL (ms)", "lower bound"))
        print(row("---", "---", "---", "---"))

        # --- send: one row ---
        def send() -> None:
            with transaction.atomic():
                services.send_notice(Notice.objects.get(pk=notice.pk), acting_user=SYSTEM)
                transaction.set_rollback(True)

        def send_raw() -> None:
            with transaction.atomic():
                execute(
                    "UPDATE notices_notice SET state='sent', sent_at=%s, version=version+1 WHERE id=%s",
                    [timezone.now(), notice.pk],
                )
                execute(
                    """
                    INSERT INTO notices_noticetally (notice_id, organization_id, org_path, recipients, reads)
                    SELECT %s, o.id, o.path, c.n, 0
                    FROM (SELECT organization_id, count(*) AS n FROM members_member
                          WHERE status = 'active' AND organization_id IN
                            (SELECT id FROM organizations_organization WHERE path >= %s AND path < %s)
                          GROUP BY organization_id) c
                    JOIN organizations_organization o ON o.id = c.organization_id
                    """,
                    [notice.pk, top.path, path_successor(top.path)],
                )
                execute(
                    """
                    INSERT INTO notices_noticechildtally (notice_id, path, stripe, recipients, reads)
                    SELECT notice_id, substr(org_path, 1, %s), 0, sum(recipients), 0
                    FROM notices_noticetally WHERE notice_id = %s GROUP BY 1, 2
                    """,
                    [len(top.path) + 4, notice.pk],
                )
                transaction.set_rollback(True)

        # Capturing the tallies at the province takes seconds: fewer timed runs (timed_runs).
        send_ms, _runs = timed_runs(send)
        send_raw_ms, _runs = timed_runs(send_raw)
        print(
            row(
                "send to every recipient",
                f"{send_ms:.0f}",
                f"{send_raw_ms:.0f}",
                "one UPDATE and the two grouped INSERT … SELECT of the tallies",
            )
        )
        notice = services.send_notice(notice, acting_user=SYSTEM)
        tallied = NoticeTally.objects.filter(notice=notice).count()
        print(f"\n(tally rows at sending: {tallied:,})\n", file=sys.stderr)

        # --- reads for a share of the recipients, server side ---
        start = time.perf_counter()
        if connection.vendor == "postgresql":
            # The 192,000 fresh tally rows, known to the planner (autovacuum's analyse would come
            # later): with the statistics of an empty table the UPDATE below loops per row.
            execute("ANALYZE notices_noticetally")
        tenths = round(args.read_share * 10)  # members whose id ends in 0 … tenths-1 have read it
        with transaction.atomic():
            execute(
                """
                INSERT INTO notices_noticeread (notice_id, member_id, organization_id, org_path, read_at)
                SELECT %s, m.id, m.organization_id, o.path, now()
                FROM members_member m JOIN organizations_organization o ON o.id = m.organization_id
                WHERE o.path >= %s AND o.path < %s AND m.status = 'active' AND m.id %% 10 < %s
                """,
                [notice.pk, top.path, path_successor(top.path), tenths],
            )
            # What mark_read would have added to the tallies, one read at a time.
            execute(
                """
                UPDATE notices_noticetally t SET reads = r.n
                FROM (SELECT organization_id, count(*) AS n FROM notices_noticeread
                      WHERE notice_id = %s GROUP BY organization_id) r
                WHERE t.notice_id = %s AND t.organization_id = r.organization_id
                """,
                [notice.pk, notice.pk],
            )
            # … and to the sender's per-child rows, spread over the stripes by member id.
            execute(
                """
                INSERT INTO notices_noticechildtally (notice_id, path, stripe, recipients, reads)
                SELECT notice_id, substr(org_path, 1, %s), member_id %% %s, 0, count(*)
                FROM notices_noticeread WHERE notice_id = %s GROUP BY 1, 2, 3
                ON CONFLICT (notice_id, path, stripe) DO UPDATE SET reads = EXCLUDED.reads
                """,
                [len(top.path) + 4, NoticeChildTally.STRIPES, notice.pk],
            )
        if connection.vendor == "postgresql":
            execute("VACUUM ANALYZE notices_noticeread")
            execute("VACUUM ANALYZE notices_noticetally")
            execute("VACUUM ANALYZE notices_noticechildtally")
        reads = NoticeRead.objects.filter(notice=notice).count()
        print(
            f"\n(loaded {reads:,} reads in {time.perf_counter() - start:.1f} s)\n",
            file=sys.stderr,
        )

        # --- mark read: one unread recipient, rolled back each time ---
        unread = queries.unread_members(notice, branch).select_related("organization").first()
        if unread is None:
            unread = queries.unread_members(notice, top).select_related("organization").first()
        assert unread is not None

        def mark() -> None:
            with transaction.atomic():
                assert services.mark_read(notice, unread)
                transaction.set_rollback(True)

        def mark_raw() -> None:
            with transaction.atomic():
                execute(
                    "INSERT INTO notices_noticeread"
                    " (notice_id, member_id, organization_id, org_path, read_at)"
                    " VALUES (%s, %s, %s, %s, now())",
                    [notice.pk, unread.pk, unread.organization_id, unread.organization.path],
                )
                execute(
                    "INSERT INTO notices_noticetally"
                    " (notice_id, organization_id, org_path, recipients, reads) VALUES (%s, %s, %s, 0, 1)"
                    " ON CONFLICT (notice_id, organization_id)"
                    " DO UPDATE SET reads = notices_noticetally.reads + 1",
                    [notice.pk, unread.organization_id, unread.organization.path],
                )
                execute(
                    "INSERT INTO notices_noticechildtally (notice_id, path, stripe, recipients, reads)"
                    " VALUES (%s, %s, %s, 0, 1) ON CONFLICT (notice_id, path, stripe)"
                    " DO UPDATE SET reads = notices_noticechildtally.reads + 1",
                    [
                        notice.pk,
                        tallies.child_path(notice, unread.organization.path),
                        unread.pk % NoticeChildTally.STRIPES,
                    ],
                )
                transaction.set_rollback(True)

        print(
            row(
                "mark read",
                f"{timed(mark):.2f}",
                f"{timed(mark_raw):.2f}",
                "one INSERT and two tally upserts",
            )
        )

        # --- read share per child organization at the top ---
        depth = len(top.path) + 4

        def share() -> None:
            queries.share_by_child(notice, top)

        def share_raw() -> None:
            raw(
                "SELECT path, sum(recipients), sum(reads) FROM notices_noticechildtally"
                " WHERE notice_id = %s GROUP BY 1",
                [notice.pk],
            )

        def sum_tallies_raw() -> None:
            raw(
                "SELECT substr(org_path, 1, %s), sum(recipients), sum(reads) FROM notices_noticetally"
                " WHERE notice_id = %s AND org_path >= %s AND org_path < %s GROUP BY 1",
                [depth, notice.pk, top.path, path_successor(top.path)],
            )

        def exact_raw() -> None:
            raw(
                "SELECT substr(o.path, 1, %s), count(*) FROM members_member m"
                " JOIN organizations_organization o ON o.id = m.organization_id"
                " WHERE o.path >= %s AND o.path < %s AND m.status = 'active' GROUP BY 1",
                [depth, top.path, path_successor(top.path)],
            )
            raw(
                "SELECT substr(org_path, 1, %s), count(*) FROM notices_noticeread"
                " WHERE notice_id = %s AND org_path >= %s AND org_path < %s GROUP BY 1",
                [depth, notice.pk, top.path, path_successor(top.path)],
            )

        ms, _runs = timed_runs(share)
        raw_ms, _ = timed_runs(share_raw)
        exact_ms, _ = timed_runs(exact_raw)
        sum_ms, _ = timed_runs(sum_tallies_raw)
        children = NoticeChildTally.objects.filter(notice=notice).count()
        print(
            row(
                f"read share per child of {top.name}",
                f"{ms:.1f}",
                f"{raw_ms:.1f}",
                f"the grouped sum of the {children:,} per-child tallies",
            )
        )
        print(
            row(
                f"(sum of the {tallied:,} organizations' tallies)",
                "",
                f"{sum_ms:.1f}",
                "without per-child rows",
            )
        )
        # One level down (the largest child: a city at province scale) sums organizations' rows.
        below = max(queries.share_by_child(notice, top)[1], key=lambda share: share.recipients)
        assert below.organization is not None
        child = below.organization
        below_ms, _ = timed_runs(lambda: queries.share_by_child(notice, child))
        below_raw_ms, _ = timed_runs(
            lambda: raw(
                "SELECT substr(org_path, 1, %s), sum(recipients), sum(reads) FROM notices_noticetally"
                " WHERE notice_id = %s AND org_path >= %s AND org_path < %s GROUP BY 1",
                [len(child.path) + 4, notice.pk, child.path, path_successor(child.path)],
            )
        )
        print(
            row(
                f"read share per child of {child.name}",
                f"{below_ms:.1f}",
                f"{below_raw_ms:.1f}",
                "the grouped sum of its organizations' tallies",
            )
        )
        print(
            row(
                "(exact counts without tallies)",
                "",
                f"{exact_ms:.1f}",
                "members and reads, two grouped counts",
            )
        )

        # --- who has not read, in the largest branch ---
        size = Member.objects.filter(organization=branch, status="active").count()

        def who() -> None:
            queries.members_with_state(notice, branch)

        def who_raw() -> None:
            raw(
                "SELECT m.id, m.name, r.read_at FROM members_member m LEFT JOIN notices_noticeread r"
                " ON r.notice_id = %s AND r.member_id = m.id"
                " WHERE m.organization_id = %s AND m.status = 'active'",
                [notice.pk, branch.pk],
            )

        print(
            row(
                f"who has not read, {branch.name} ({size} members)",
                f"{timed(who):.2f}",
                f"{timed(who_raw):.2f}",
                "the branch's members left-joined to their reads",
            )
        )
    finally:
        NoticeTally.objects.filter(notice=notice).delete()
        NoticeChildTally.objects.filter(notice=notice).delete()
        NoticeRead.objects.filter(notice=notice).delete()
        Notice.objects.filter(pk=notice.pk).delete()


if __name__ == "__main__":
    main()
