"""`dangjian transfers …` — transfers at the console.

    dangjian transfers list --org 430102001001
    dangjian transfers list --org 430102 --state sent

Lists the transfers out of and into the organization's subtree, newest first, one a line:
id, state, date, member, from code → to code (or the destination outside the platform), letter
number. The console acts as the SYSTEM actor (it reaches everything); reading is not audited.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from dangjian.accounts.management.commands._common import org_by_code
from dangjian.transfers.models import TransferState
from dangjian.transfers.queries import transfers_touching


class Command(BaseCommand):
    help = "Transfers of members between organizations: list those of an organization's subtree."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="transfers out of and into an organization's subtree")
        listing.add_argument("--org", required=True, help="organization code")
        listing.add_argument("--state", choices=TransferState.values, help="only transfers in this state")
        listing.add_argument("--limit", type=int, default=500, help="at most this many (default 500)")

    def handle(self, *args: Any, **opts: Any) -> None:
        org = org_by_code(opts["org"])
        rows = transfers_touching(org.path).select_related("member", "from_org", "to_org").order_by("-id")
        if opts["state"]:
            rows = rows.filter(state=opts["state"])
        count = 0
        for t in rows[: max(opts["limit"], 0)]:
            to = t.to_org.code if t.to_org is not None else f"({t.destination})"
            self.stdout.write(
                f"{t.pk}\t{t.state}\t{timezone.localdate(t.created_at):%Y-%m-%d}\t{t.member.name}\t"
                f"{t.from_org.code} → {to}\t{t.letter_no or '-'}"
            )
            count += 1
        self.stdout.write(f"{count} transfer(s) of {org.name}.")
