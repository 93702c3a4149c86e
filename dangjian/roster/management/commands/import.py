"""`dangjian import members FILE --org CODE [--dry-run] [--partial] [--report PATH]`

Imports a roster (.xlsx, .xls, .csv) into the organization CODE and everything below it, as the
SYSTEM actor (audited as `system`), through the same service as the web page and the API.
Prints the counts; the report (refused rows with reasons) goes next to the file as
`<name>.report.xlsx` unless `--report` says where.

Exit status: 0 imported (or, with --dry-run, nothing to refuse); 1 the file itself was refused
(not a roster, columns missing); 2 rows were refused (nothing imported unless --partial).
"""

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from dangjian.accounts.management.commands._common import explain, org_by_code
from dangjian.core.scoping import SYSTEM
from dangjian.roster.services import import_roster


class Command(BaseCommand):
    help = "Import members from a roster file (.xlsx, .xls, .csv) into an organization's subtree."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        members = sub.add_parser("members", help="import party members")
        members.add_argument("file", type=Path)
        members.add_argument("--org", required=True, help="code of the organization to import into")
        members.add_argument("--dry-run", action="store_true", help="check and report only, write nothing")
        members.add_argument(
            "--partial", action="store_true", help="import the valid rows even when others are refused"
        )
        members.add_argument("--report", type=Path, help="where to write the report (.xlsx)")
        members.add_argument("--lang", default="zh-hans", help="language of the report (zh-hans, en)")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        org = org_by_code(opts["org"])
        report: Path = opts["report"] or path.with_name(f"{path.stem}.report.xlsx")
        shown = {"percent": -5}

        def progress(phase: str, fraction: float) -> None:
            percent = int(fraction * 100)
            if percent >= shown["percent"] + 5:
                shown["percent"] = percent
                sys.stderr.write(f"{phase} {percent}%\n")

        with translation.override(opts["lang"]):
            try:
                result = import_roster(
                    path,
                    org,
                    acting_user=SYSTEM,
                    report_path=report,
                    partial=opts["partial"],
                    dry_run=opts["dry_run"],
                    progress=progress,
                )
            except ValidationError as exc:
                raise explain(exc) from exc
            self.stdout.write(
                f"{result.summary()} {result.blank} other rows skipped. "
                f"outcome: {result.outcome}. report: {report}"
            )
            if result.outcome == "refused":
                raise CommandError(
                    f"{result.refused} rows refused: nothing imported"
                    + ("" if result.partial else " (use --partial to import the valid rows)"),
                    returncode=2,
                )
