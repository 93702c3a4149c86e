"""`dangjian dues …` — party dues at the console.

    dangjian dues quote --category salaried --base 8000
    dangjian dues quote --category farmer --fixed 0.50
    dangjian dues sheet --org 430102001001 --month 2026-11 --out dues.xlsx
    dangjian dues flags --org 430102 --month 2026-11

The console acts as the SYSTEM actor (it reaches everything); the sheet's download is audited
like one from the page.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.management.commands._common import explain, org_by_code
from dangjian.core import audit
from dangjian.core.scoping import SYSTEM
from dangjian.dues.exports import collection_sheet_xlsx
from dangjian.dues.months import label, parse_month, this_month
from dangjian.dues.queries import consecutive_unpaid, dues_members, flag_for
from dangjian.dues.rules import DuesCategory, monthly_dues, parse_money


class Command(BaseCommand):
    help = "Party dues: quote the rule, export a month's collection sheet, list members in arrears."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        quote = sub.add_parser("quote", help="monthly dues for a category and base")
        quote.add_argument("--category", required=True, choices=DuesCategory.values)
        quote.add_argument("--base", help="monthly base after tax (salaried, retired, other)")
        quote.add_argument("--fixed", help="farmers: the amount the branch set, 0.20–1.00")
        sheet = sub.add_parser("sheet", help="a month's collection sheet as .xlsx")
        sheet.add_argument("--org", required=True, help="organization code")
        sheet.add_argument("--month", help="YYYY-MM (default: this month)")
        sheet.add_argument("--out", required=True, help="file to write")
        flags = sub.add_parser("flags", help="members unpaid for 3 or more consecutive months")
        flags.add_argument("--org", required=True, help="organization code (its whole subtree)")
        flags.add_argument("--month", help="YYYY-MM (default: this month)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except ValidationError as exc:
            raise explain(exc) from exc

    def _quote(self, opts: dict[str, Any]) -> None:
        base = parse_money(opts["base"], "base") if opts["base"] is not None else None
        fixed = parse_money(opts["fixed"], "fixed") if opts["fixed"] is not None else None
        quote = monthly_dues(opts["category"], base, fixed)
        self.stdout.write(f"{quote.amount}\t{quote.rule}\t{quote.text}")

    def _month(self, opts: dict[str, Any]) -> Any:
        return parse_month(opts["month"]) if opts["month"] else this_month()

    def _sheet(self, opts: dict[str, Any]) -> None:
        org = org_by_code(opts["org"])
        month = self._month(opts)
        out = Path(opts["out"])
        if not out.parent.is_dir():
            raise CommandError(f"No directory {out.parent}.")
        out.write_bytes(collection_sheet_xlsx(org, month))
        audit.record(
            "dues.export", actor=SYSTEM, obj=org, org_path=org.path, detail=f"dues.xlsx {label(month)} {out}"
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {out} ({org.name}, {label(month)})."))

    def _flags(self, opts: dict[str, Any]) -> None:
        org = org_by_code(opts["org"])
        month = self._month(opts)
        streaks = {pk: n for pk, n in consecutive_unpaid(org.path, month).items() if flag_for(n)}
        members = dues_members(org.path).filter(pk__in=streaks).select_related("organization")
        rows = sorted(members, key=lambda m: (-streaks[m.pk], m.organization.path, m.name))
        for m in rows:
            n = streaks[m.pk]
            self.stdout.write(f"{n}\t{flag_for(n)}\t{m.organization.code}\t{m.organization.name}\t{m.name}")
        self.stdout.write(
            f"{len(rows)} member(s) unpaid for 3 or more consecutive months as of {label(month)}."
        )
