"""Member development at a province's scale: a branch's board (its pipeline by stage, with what is
due next) and a committee's plan page (the year's plan, admissions and structure per child,
with the pipeline by stage), each against the raw SQL reading the same rows.

Load the pipeline first (`bench/development_data.py`), then:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_province \
    DANGJIAN_VAR_DIR=/work/bench_var/dj_province python bench/development_bench.py

* board: the branch with the most people in development in the province and the sampled
  township's largest branch — the view's query (with the due dates computed) and the whole page
  as the branch's secretary, against a raw SELECT of the same rows;
* plan page: at each level from the province down to the township — the figures (plan,
  admissions and structure, pipeline by stage, per child) and the whole page as the level's
  committee staff, against one raw GROUP BY over the same rows.
"""

import sys
from datetime import date
from typing import Any

from _harness import machine, raw, row, sample_orgs, setup_django, timed

BUSIEST_BRANCH = """
SELECT organization_id, count(*) FROM development_applicant
GROUP BY organization_id ORDER BY count(*) DESC, organization_id LIMIT 1
"""

BOARD_RAW = """
SELECT id, name, stage, last_step, applied_on, activist_on, candidate_on, voted_on, talk_due,
       assessment_due, approval_due
FROM development_applicant WHERE organization_id = %s ORDER BY applied_on, id
"""

# The plan page's lower bound: admissions of the year and the open pipeline per child, one
# GROUP BY over the applicants of the subtree by the child's path prefix.
PLAN_RAW = """
SELECT substr(o.path, 1, %(child_len)s) AS child,
       count(*) FILTER (WHERE a.stage = 'admitted' AND s."on" >= %(start)s AND s."on" < %(end)s),
       count(*) FILTER (WHERE a.stage = 'admitted' AND s."on" >= %(start)s AND s."on" < %(end)s
                        AND a.gender = 'female'),
       count(*) FILTER (WHERE a.stage = 'applicant'),
       count(*) FILTER (WHERE a.stage = 'activist'),
       count(*) FILTER (WHERE a.stage = 'candidate'),
       count(*) FILTER (WHERE a.stage = 'admission')
FROM development_applicant a
JOIN organizations_organization o ON o.id = a.organization_id
LEFT JOIN development_step s ON s.applicant_id = a.id AND s.number = 17
WHERE o.path > %(path)s AND o.path < %(succ)s
GROUP BY 1
"""


def main() -> None:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dangjian.accounts.models import User
    from dangjian.accounts.roles import Role
    from dangjian.accounts.services import grant_role
    from dangjian.core.scoping import SYSTEM
    from dangjian.core.tree import path_successor
    from dangjian.development.models import Applicant
    from dangjian.organizations.models import Organization

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (the province's scale)")
    people = raw("SELECT count(*) FROM development_applicant")[0][0]
    if not people:
        sys.exit("no pipeline: run bench/development_data.py first")
    print(f"# Member development bench — {connection.vendor}, {machine()}\n")
    print(f"{people:,} people in development; stages:")
    for stage, count in raw("SELECT stage, count(*) FROM development_applicant GROUP BY 1 ORDER BY 2 DESC"):
        print(f"  {stage}: {count:,}")
    picks = sample_orgs(branch="largest")
    busiest = Organization.objects.get(pk=raw(BUSIEST_BRANCH)[0][0])
    branches = [("busiest branch", busiest), ("township's largest branch", picks[-1][1])]
    today = timezone.localdate()
    users: list[Any] = []
    print()
    print(row("operation", "application (ms)", "raw SQL (ms)", "ratio"))
    print(row("---", "---", "---", "---"))
    try:
        for label, branch in branches:
            user = User.objects.create_user(f"bench_dev_{branch.pk}", password="x", totp_confirmed=True)
            users.append(user)
            grant_role(user, branch, Role.SECRETARY, acting_user=SYSTEM)
            client = Client()
            client.force_login(user)
            size = Applicant.objects.filter(organization=branch).count()

            def board_query(branch: Any = branch, user: Any = user) -> None:
                from dangjian.development.steps import due
                from dangjian.development.views import GATE

                rows = list(
                    Applicant.objects.filter(organization=branch)
                    .restrict(user, GATE)
                    .order_by("applied_on", "id")
                )
                for one in rows:
                    due(one, today)

            def board_page(branch: Any = branch, client: Any = client) -> None:
                response = client.get(f"/orgs/{branch.pk}/development/", HTTP_HOST="127.0.0.1")
                assert response.status_code == 200, response.status_code

            def board_raw(branch: Any = branch) -> None:
                raw(BOARD_RAW, [branch.pk])

            app, whole, low = timed(board_query), timed(board_page), timed(board_raw)
            print(
                row(
                    f"board of the {label} ({size} people): query",
                    f"{app:.1f}",
                    f"{low:.2f}",
                    f"{app / low:.0f}",
                )
            )
            print(
                row(f"board of the {label}: whole page", f"{whole:.1f}", f"{low:.2f}", f"{whole / low:.0f}")
            )

        plan_page(picks, today, users, Client, User, grant_role, Role, SYSTEM, path_successor)
    finally:
        for user in users:
            user.delete()


def plan_page(
    picks: Any,
    today: date,
    users: list[Any],
    client_class: Any,
    user_model: Any,
    grant_role: Any,
    role: Any,
    system: Any,
    path_successor: Any,
) -> None:
    """The plan page per level (needs the plan's page, `org_development_plan`)."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("org_development_plan", args=[picks[0][1].pk])
    except NoReverseMatch:
        print("\n(no plan page in this version)")
        return
    start, end = date(today.year, 1, 1), date(today.year + 1, 1, 1)
    for label, node in picks[:-1]:
        user = user_model.objects.create_user(f"bench_devplan_{node.pk}", password="x", totp_confirmed=True)
        users.append(user)
        grant_role(user, node, role.COMMITTEE_STAFF, acting_user=system)
        client = client_class()
        client.force_login(user)
        url = reverse("org_development_plan", args=[node.pk]) + f"?year={today.year}"

        def page(client: Any = client, url: str = url) -> None:
            response = client.get(url, HTTP_HOST="127.0.0.1")
            assert response.status_code == 200, response.status_code

        def lower(node: Any = node) -> None:
            raw(
                PLAN_RAW,
                {
                    "child_len": len(node.path) + 4,
                    "start": start,
                    "end": end,
                    "path": node.path,
                    "succ": path_successor(node.path),
                },
            )

        whole, low = timed(page, repeat=5), timed(lower, repeat=5)
        print(
            row(f"plan page of the {label}: whole page", f"{whole:.1f}", f"{low:.1f}", f"{whole / low:.1f}")
        )


if __name__ == "__main__":
    main()
