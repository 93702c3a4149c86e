"""`dangjian evaluation …` — democratic evaluation at the console.

    dangjian evaluation status --org 430102 --year 2026

Lists each member-holding organization of the subtree with its campaign's state for the year
and the members graded unqualified who still lack a handling decision.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from dangjian.accounts.management.commands._common import org_by_code
from dangjian.evaluation.models import CampaignState
from dangjian.evaluation.queries import branches_with_state, unqualified_without_handling


class Command(BaseCommand):
    help = "Democratic evaluation: campaign states of a subtree for a year."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser(
            "status", help="each branch's campaign state and unhandled unqualified members"
        )
        status.add_argument("--org", required=True, help="organization code (its whole subtree)")
        status.add_argument("--year", type=int, help="default: this year")

    def handle(self, *args: Any, **opts: Any) -> None:
        org = org_by_code(opts["org"])
        year = opts["year"] or timezone.localdate().year
        missing = unqualified_without_handling(org.path, year)
        rows = branches_with_state(org, year)
        counts: dict[str, int] = {}
        for branch, campaign in rows:
            state = campaign.state if campaign else "none"
            counts[state] = counts.get(state, 0) + 1
            label = str(CampaignState(state).label) if campaign else "not started"
            unhandled = len(missing.get(branch.pk, []))
            extra = f"\t{unhandled} unqualified without handling" if unhandled else ""
            self.stdout.write(f"{branch.code}\t{branch.name}\t{state}\t{label}{extra}")
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        self.stdout.write(f"{len(rows)} organization(s), {year}: {summary or 'none'}.")
