"""`dangjian probation …` — probationary members at the console.

    dangjian probation due --org 430102
    dangjian probation due --org 430102 --within 90

Lists the probationary members of the organization's subtree whose year (or extension) ends
within `--within` days (default 30) or has ended without a decision: due date, days left
(negative: overdue), branch code, branch, name. The console acts as the SYSTEM actor.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.management.commands._common import org_by_code
from dangjian.transfers.queries import probation_due


class Command(BaseCommand):
    help = "Probationary members: list those whose probation is coming due or overdue."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="probations ending soon or overdue")
        due.add_argument("--org", required=True, help="organization code (its whole subtree)")
        due.add_argument("--within", type=int, default=30, help="days ahead (default 30)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not 0 <= opts["within"] <= 366:
            raise CommandError("--within must be from 0 to 366 days.")
        org = org_by_code(opts["org"])
        rows = probation_due(org.path, opts["within"])
        for r in rows:
            flag = (" (extended)" if r.extended else "") + (
                " (awaiting approval)" if r.awaiting_approval else ""
            )
            m = r.member
            self.stdout.write(
                f"{r.due}\t{r.days_left}\t{m.organization.code}\t{m.organization.name}\t{m.name}{flag}"
            )
        self.stdout.write(f"{len(rows)} probationary member(s) due within {opts['within']} days or overdue.")
