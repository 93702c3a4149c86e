"""Special campaigns and tasks sent down at scale: a campaign launched from the top of the tree
to every branch, the sender's completion per child at each level, and one report's move, each
against the raw SQL doing the same work.

Run against a loaded PostgreSQL database (bench/README.md), e.g.:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_province \
    DANGJIAN_VAR_DIR=/work/bench_var/dj_province python bench/campaigns_bench.py

* launch: `services.launch` (the campaign's state and history, one assignment per branch in one
  INSERT … SELECT, the rollups one statement per level; each run rolled back) vs the raw
  INSERT … SELECT of the assignments alone, the lower bound of any launch;
* completion per child at each level: `queries.children` (the children, their rollups, the
  assignments of leaf children) and the whole page, vs the raw read of the same stored rows, and
  vs the GROUP BY over the assignments that rollups avoid;
* one report submitted: the workflow's move with its rollup shift (rolled back) vs a raw UPDATE.

Everything it writes is deleted at the end (the campaign, its assignments and rollups, the
bench account).
"""

import sys
import time
from datetime import timedelta
from typing import Any

from _harness import machine, raw, row, sample_orgs, setup_django, timed, timed_runs

KINDS = ["branch", "joint_branch"]


def main() -> None:
    setup_django()
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from dangjian.accounts.models import User
    from dangjian.accounts.roles import Role
    from dangjian.accounts.services import grant_role
    from dangjian.campaigns import queries, rollups, services
    from dangjian.campaigns.models import Assignment, Campaign
    from dangjian.campaigns.workflows import ASSIGNMENT_FLOW
    from dangjian.core.scoping import SYSTEM
    from dangjian.core.tree import path_successor

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (the province's scale)")
    picks = sample_orgs()
    top = picks[0][1]
    print(f"# Campaigns bench — {connection.vendor}, {machine()}\n")
    data = {
        "kind": "campaign",
        "title": "基准测试专项整治",
        "instructions": "请各支部报送",
        "deadline": timezone.localdate() + timedelta(days=30),
        "target_kinds": KINDS,
        "fields": [{"label": "排查问题数", "type": "number", "required": True}],
    }
    campaign = services.create_campaign(top, data, acting_user=SYSTEM)
    # The sender's staff, second factor enrolled (as a real one would be before reaching pages).
    user = User.objects.create_user("bench_campaigns", password="x", totp_confirmed=True)
    grant_role(user, top, Role.COMMITTEE_STAFF, acting_user=SYSTEM)
    try:
        print(row("operation", "application (ms)", "raw SQL (ms)", "ratio"))
        print(row("---", "---", "---", "---"))

        def launch() -> None:
            with transaction.atomic():
                services.launch(Campaign.objects.get(pk=campaign.pk), acting_user=SYSTEM, tell=False)
                transaction.set_rollback(True)

        def launch_raw() -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO campaigns_assignment (campaign_id, organization_id, deadline, state, "
                    "answers, review_note, updated_at, version) "
                    "SELECT %s, id, %s, 'pending', '{}', '', now(), 0 FROM organizations_organization "
                    "WHERE path > %s AND path < %s AND kind = ANY(%s)",
                    [campaign.pk, data["deadline"], top.path, path_successor(top.path), KINDS],
                )
                transaction.set_rollback(True)

        app_ms, runs = timed_runs(launch, repeat=3, warmup=1, budget_s=120)
        raw_ms, _ = timed_runs(launch_raw, repeat=3, warmup=1, budget_s=60)
        print(
            row(
                f"launch from {top.name} ({runs} runs)",
                f"{app_ms:,.0f}",
                f"{raw_ms:,.0f}",
                f"{app_ms / raw_ms:.1f}",
            )
        )

        start = time.perf_counter()
        with transaction.atomic():
            launched = services.launch(Campaign.objects.get(pk=campaign.pk), acting_user=SYSTEM, tell=False)
        once = (time.perf_counter() - start) * 1000
        count = launched.assigned
        # What autovacuum does within a minute of a launch (the tables grew by far more than 10 %).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE campaigns_assignment")
            cursor.execute("ANALYZE campaigns_rollup")
        start = time.perf_counter()
        with transaction.atomic():
            written = rollups.rebuild(launched)
        rebuild_ms = (time.perf_counter() - start) * 1000
        print(row(f"launch committed: {count:,} assignments, {written:,} rollups", f"{once:,.0f}", "", ""))
        print(row("rollups rebuilt alone", f"{rebuild_ms:,.0f}", "", ""))

        client = Client()
        client.force_login(user)
        for label, node in picks:

            def children(node: Any = node) -> None:
                queries.children(launched.pk, node)

            def page(node: Any = node) -> None:
                response = client.get(f"/campaigns/{launched.pk}/?under={node.pk}", HTTP_HOST="127.0.0.1")
                assert response.status_code == 200, response.status_code

            def children_raw(node: Any = node) -> None:
                raw(
                    "SELECT o.id, o.name, r.total, r.pending, r.submitted, r.accepted, r.returned, "
                    "r.cases_open, a.state FROM organizations_organization o "
                    "LEFT JOIN campaigns_rollup r ON r.organization_id = o.id AND r.campaign_id = %s "
                    "LEFT JOIN campaigns_assignment a ON a.organization_id = o.id AND a.campaign_id = %s "
                    "WHERE o.path > %s AND o.path < %s AND o.depth = %s "
                    "AND (r.id IS NOT NULL OR a.id IS NOT NULL) ORDER BY o.path",
                    [launched.pk, launched.pk, node.path, path_successor(node.path), node.depth + 1],
                )

            def counted(node: Any = node) -> None:
                raw(
                    "SELECT substr(o.path, 1, %s), count(*), "
                    "sum(CASE WHEN a.state = 'submitted' THEN 1 ELSE 0 END) "
                    "FROM campaigns_assignment a "
                    "JOIN organizations_organization o ON o.id = a.organization_id "
                    "WHERE a.campaign_id = %s AND o.path > %s AND o.path < %s GROUP BY 1",
                    [len(node.path) + 4, launched.pk, node.path, path_successor(node.path)],
                )

            app = timed(children)
            whole = timed(page, repeat=5)
            low = timed(children_raw)
            naive = timed(counted, repeat=3, warmup=1)
            kids = len(queries.children(launched.pk, node))
            print(
                row(
                    f"children of the {label} ({kids}): queries",
                    f"{app:.1f}",
                    f"{low:.1f}",
                    f"{app / low:.1f}",
                )
            )
            print(row(f"children of the {label}: whole page", f"{whole:.1f}", "", ""))
            print(row(f"children of the {label}: counted from the assignments", "", f"{naive:.1f}", ""))

        one = Assignment.objects.filter(campaign=launched).order_by("organization__path").last()
        assert one is not None
        one.answers = {"f1": "3"}
        one.save(update_fields=["answers"])

        def submit() -> None:
            with transaction.atomic():
                ASSIGNMENT_FLOW.move(Assignment.objects.get(pk=one.pk), "submit", acting_user=SYSTEM)
                transaction.set_rollback(True)

        def submit_raw() -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE campaigns_assignment SET state = 'submitted', submitted_at = now(), "
                    "version = version + 1 WHERE id = %s",
                    [one.pk],
                )
                transaction.set_rollback(True)

        app, low = timed(submit), timed(submit_raw)
        print(
            row(
                "one report submitted (move, history, audit, rollup shift)",
                f"{app:.1f}",
                f"{low:.1f}",
                f"{app / low:.1f}",
            )
        )
    finally:
        Campaign.objects.filter(pk=campaign.pk).delete()
        user.delete()


if __name__ == "__main__":
    main()
