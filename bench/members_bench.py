"""Subtree member count and the member list page, against the raw SQL doing the same work.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_bench uv run python bench/members_bench.py
    uv run python bench/members_bench.py            # the SQLite default database

Needs a database loaded with `dangjian demo --scale city|province`. Prints Markdown rows for
docs/benchmarks.md: for each level of the tree, the ORM path the application uses, the raw SQL
lower bound measured in the same run, and their ratio.
"""

from _harness import machine, row, setup_django, timed

setup_django()

from django.core.signals import request_finished  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402
from dangjian.accounts.services import create_user, grant_role  # noqa: E402
from dangjian.core.scoping import SYSTEM  # noqa: E402
from dangjian.core.tree import path_successor, subtree_q  # noqa: E402
from dangjian.members.filters import filtered_members  # noqa: E402
from dangjian.members.models import ON_ROLL_STATUSES, Member  # noqa: E402
from dangjian.members.queries import subtree_member_count  # noqa: E402
from dangjian.organizations.models import Organization  # noqa: E402

COUNT_SQL = """
SELECT count(*) FROM members_member m JOIN organizations_organization o ON o.id = m.organization_id
WHERE o.path >= %s AND o.path < %s AND m.status IN ({})
"""
LIST_SQL = """
SELECT m.* , o.name FROM members_member m JOIN organizations_organization o ON o.id = m.organization_id
WHERE o.path >= %s AND o.path < %s ORDER BY o.path, m.id LIMIT 51
"""


CHILD_WITH_MOST_MEMBERS = """
SELECT substr(o.path, 1, %s) AS prefix, count(*) FROM members_member m
JOIN organizations_organization o ON o.id = m.organization_id
WHERE o.path >= %s AND o.path < %s AND length(o.path) > %s
GROUP BY prefix ORDER BY count(*) DESC, prefix LIMIT 1
"""


def sample_orgs() -> list[tuple[str, Organization]]:
    """One organization per level, walking down from the top through the child with the most
    members (a real city, county and township, not a small directly-run unit), then the first
    branch below the township. Deterministic for a database."""
    org: Organization | None = Organization.objects.get_root_nodes().first()
    picks = []
    for label in ("province", "city", "county", "township"):
        if org is None:
            break
        picks.append((label, org))
        length = len(org.path) + 4
        found = raw(CHILD_WITH_MOST_MEMBERS, [length, org.path, path_successor(org.path), len(org.path)])
        org = Organization.objects.filter(path=found[0][0]).first() if found else None
    branch = Organization.objects.filter(subtree_q(picks[-1][1].path), kind="branch").order_by("path").first()
    if branch is not None:
        picks.append(("branch", branch))
    return picks


def bench_user() -> User:
    user = User.objects.filter(username="bench_staff").first()
    if user is None:
        root = Organization.objects.get_root_nodes().first()
        user = create_user("bench_staff", "Bench-pass-2026", home_org=root, acting_user=SYSTEM)
        grant_role(user, root, "supervisor", acting_user=SYSTEM)
        # The benchmark measures page cost, not enrollment: mark the second factor as done.
        User.objects.filter(pk=user.pk).update(totp_confirmed=True, totp_secret="A" * 32)
    return User.objects.get(pk=user.pk)


def raw(sql: str, params: list[object]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def member_page(user: User, code: str) -> list[Member]:
    """The queryset the member list view evaluates for one page (scope + filter + keyset)."""
    return list(filtered_members(user, {"org": code})[1].defer("id_number")[:51])


def main() -> None:
    vendor = connection.vendor
    members = Member.objects.count()
    orgs = Organization.objects.count()
    print(f"<!-- {machine()} -->")
    print(f"**{vendor}**, {orgs:,} organizations, {members:,} members\n")
    print(
        row(
            "level",
            "subtree members",
            "count: app ms",
            "count: raw SQL ms",
            "ratio",
            "list: app queries ms",
            "list: raw SQL ms",
            "ratio",
            "list page: server ms",
            "queries",
        )
    )
    print(row(*["---"] * 10))
    user = bench_user()
    client = Client()
    client.force_login(user)
    # Keep one connection across requests, as a pooled production server does.
    request_finished.disconnect(close_old_connections)
    statuses = ", ".join(["%s"] * len(ON_ROLL_STATUSES))
    for label, org in sample_orgs():
        bounds = [org.path, path_successor(org.path)]
        count = subtree_member_count(org)
        app_count = timed(lambda org=org: subtree_member_count(org))
        raw_count = timed(lambda b=bounds: raw(COUNT_SQL.format(statuses), [*b, *ON_ROLL_STATUSES]))
        url = f"/members/?org={org.code}"
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        page_queries = len(queries)  # read now: the captured list is a view on the connection's log
        app_page = timed(lambda url=url: client.get(url))
        app_list = timed(lambda org=org: member_page(user, org.code))
        raw_list = timed(lambda b=bounds: raw(LIST_SQL, b))
        print(
            row(
                label,
                f"{count:,}",
                f"{app_count:.1f}",
                f"{raw_count:.1f}",
                f"{app_count / raw_count:.2f}",
                f"{app_list:.1f}",
                f"{raw_list:.1f}",
                f"{app_list / raw_list:.2f}",
                f"{app_page:.1f}",
                page_queries,
            )
        )


if __name__ == "__main__":
    main()
