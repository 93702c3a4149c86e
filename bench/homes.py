"""Each persona's home (the first screen after login), and a member's branch space (the 支部 tab),
timed on the county demo, against the raw SQL of the same queries run back to back in the same
process: the lower bound no ORM, template or Python work could beat.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_homes DANGJIAN_DEMO=1 \\
        uv run python bench/homes.py

Needs `DANGJIAN_DEMO=1 dangjian demo --scale county` (the demo personas and a year of meetings
for every branch of the county). Prints Markdown rows for docs/benchmarks.md: persona, queries,
median server time of the whole request (view, queries, template), the raw SQL time, the ratio.
The session is renewed at login (and then at most once a minute), so a timed view writes nothing.
"""

import os
from typing import Any

from _harness import machine, row, setup_django, timed

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402

PAGES = [(name, "/") for name in ("member", "secretary", "organizer", "township_staff", "county_staff")]
PAGES += [(name, "/") for name in ("province_admin", "auditor")]
PAGES += [("member", "/my/branch/"), ("secretary", "/my/branch/")]  # the 支部 tab


def main() -> None:
    load = os.getloadavg()[0]
    print(f"Machine: {machine()}; database: {connection.vendor}; load average {load:.1f}")
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
