"""`dangjian points …` — member points at the console.

    dangjian points accrue --org 430102 --year 2026
    dangjian points totals --org 430102001001 --year 2026 --out points.xlsx

The console acts as the SYSTEM actor (it reaches everything); accrual writes one summary audit
entry, and the export is audited like one from the page.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.accounts.management.commands._common import explain, org_by_code
from dangjian.core import audit
from dangjian.core.scoping import SYSTEM
from dangjian.points.accrual import accrue
from dangjian.points.exports import totals_xlsx


class Command(BaseCommand):
    help = "Member points: accrue entries from meetings and dues; export the yearly totals."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("accrue", help="create the entries a subtree's records justify (idempotent)")
        run.add_argument("--org", required=True, help="organization code (its whole subtree)")
        run.add_argument("--year", type=int, help="default: this year")
        totals = sub.add_parser("totals", help="the year's totals as .xlsx")
        totals.add_argument("--org", required=True, help="organization code")
        totals.add_argument("--year", type=int, help="default: this year")
        totals.add_argument("--out", required=True, help="file to write")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except ValidationError as exc:
            raise explain(exc) from exc

    def _accrue(self, opts: dict[str, Any]) -> None:
        org = org_by_code(opts["org"])
        year = opts["year"] or timezone.localdate().year
        result = accrue(org, year, acting_user=SYSTEM)
        self.stdout.write(
            self.style.SUCCESS(
                f"{org.name} {year}: {result.created} new entries ({result.points:+d} points), "
                f"{result.removed} removed."
            )
        )

    def _totals(self, opts: dict[str, Any]) -> None:
        org = org_by_code(opts["org"])
        year = opts["year"] or timezone.localdate().year
        out = Path(opts["out"])
        if not out.parent.is_dir():
            raise CommandError(f"No directory {out.parent}.")
        out.write_bytes(totals_xlsx(org, year))
        audit.record(
            "points.export", actor=SYSTEM, obj=org, org_path=org.path, detail=f"points.xlsx {year} {out}"
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {out} ({org.name}, {year})."))
