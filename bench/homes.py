"""Each persona's home (the first screen after login), and a member's branch space (the 支部 tab),
timed on the county demo, against the raw SQL of the same queries run back to back in the same
process: the lower bound no ORM, template or Python work could beat.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_homes DANGJIAN_DEMO=1 \\
        uv run python bench/homes.py

Needs `DANGJIAN_DEMO=1 dangjian demo --scale county` (the demo personas and a year of meetings
for every branch of the county). Prints Markdown rows for docs/benchmarks.md: persona, queries,
median server time of the whole request (view, queries, template), the raw SQL time, the ratio.
The session is renewed at login (and then at most once a minute), so a timed view writes nothing.

On the province demo (`--scale province`, which gives the personas' county the same year),
`--top-notice` first sends one cascaded must-read notice from the root of the tree to every
member (as the province would), so the members' homes and branch spaces are timed with it in
their lists; the notice and its tallies are deleted at the end.
"""

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from _harness import machine, row, setup_django, timed

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402

PAGES = [(name, "/") for name in ("member", "secretary", "organizer", "township_staff", "county_staff")]
PAGES += [(name, "/") for name in ("province_admin", "auditor")]
PAGES += [("member", "/my/branch/"), ("secretary", "/my/branch/")]  # the 支部 tab


@contextmanager
def top_notice() -> Iterator[None]:
    """One must-read notice from the root to the whole tree, sent through the service."""
    from dangjian.core.scoping import SYSTEM
    from dangjian.notices import services
    from dangjian.notices.models import Notice, NoticeChildTally, NoticeRead, NoticeTally
    from dangjian.organizations.models import Organization

    root = Organization.objects.get_root_nodes().first()
    notice = services.create_notice(
        root,
        {
            "title": "关于学习全会精神的通知",
            "body": "<p>请各级党组织认真学习。</p>",
            "cascade": True,
            "must_read": True,
        },
        acting_user=SYSTEM,
    )
    try:
        services.send_notice(notice, acting_user=SYSTEM)
        print(f"Sent a must-read notice from {root.name} to the whole tree.")
        yield
    finally:
        NoticeTally.objects.filter(notice=notice).delete()
        NoticeChildTally.objects.filter(notice=notice).delete()
        NoticeRead.objects.filter(notice=notice).delete()
        Notice.objects.filter(pk=notice.pk).delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top-notice", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"Machine: {machine()}; database: {connection.vendor}; load average {load:.1f}")
    if args.top_notice:
        with top_notice():
            pages()
    else:
        pages()


def pages() -> None:
    print(row("persona", "page", "queries", "ms (median)", "raw SQL ms", "ratio"))
    print(row("---", "---", "---:", "---:", "---:", "---:"))
    for username, url in PAGES:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)

        def page(client: Client = client, url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        page()
        sent: list[tuple[str, Any]] = []

        def record(
            execute: Any, sql: str, params: Any, many: bool, context: Any, sent: list[tuple[str, Any]] = sent
        ) -> Any:
            sent.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            page()
        # The reads as sent, with their parameters (session and user lookups included);
        # the session's write is left out of the lower bound.
        reads = [(sql, params) for sql, params in sent if sql.lstrip().upper().startswith("SELECT")]

        def sql(reads: list[tuple[str, Any]] = reads) -> None:
            with connection.cursor() as cursor:
                for statement, params in reads:
                    cursor.execute(statement, params)
                    cursor.fetchall()

        home_ms = timed(page, repeat=15)
        raw_ms = timed(sql, repeat=15)
        print(
            row(
                username,
                url,
                len(sent),
                f"{home_ms:.1f}",
                f"{raw_ms:.1f}",
                f"{home_ms / raw_ms:.1f}×",
            )
        )


if __name__ == "__main__":
    main()
