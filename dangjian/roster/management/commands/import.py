"""`dangjian import members FILE --org CODE [--dry-run] [--partial] [--report PATH [--force]]`
and `dangjian import purge [--days N]`.

`members` imports a roster (.xlsx, .xls, .csv) into the organization CODE and everything below
it, as the SYSTEM actor (audited as `system`), through the same service as the web page and the
API, and prints the counts. The report (refused rows with their cells: full ID numbers) is
written only where `--report` says, created 0600, and never over an existing file without
`--force`: nothing with ID numbers lands beside the input unasked.

`purge` deletes the uploaded files, reports and previews of imports older than the retention
period (`DANGJIAN_IMPORT_RETENTION_DAYS`, default 7; the daily task does the same).

Exit status of `members`: 0 imported (or, with --dry-run, nothing to refuse); 1 the file itself
was refused (not a roster, columns missing, a report file in the way); 2 rows were refused
(nothing imported unless --partial).
"""

import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from dangjian.accounts.management.commands._common import explain, org_by_code
from dangjian.core.scoping import SYSTEM
from dangjian.core.sealed import copy_private
from dangjian.roster.services import import_roster
from dangjian.roster.storage import purge, retention_days


class Command(BaseCommand):
    help = "Import members from a roster file (.xlsx, .xls, .csv); purge old import files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        members = sub.add_parser("members", help="import party members")
        members.add_argument("file", type=Path)
        members.add_argument("--org", required=True, help="code of the organization to import into")
        members.add_argument("--dry-run", action="store_true", help="check and report only, write nothing")
        members.add_argument(
            "--partial", action="store_true", help="import the valid rows even when others are refused"
        )
        members.add_argument(
            "--report", type=Path, help="write the report (.xlsx, full ID numbers) here, mode 0600"
        )
        members.add_argument("--force", action="store_true", help="overwrite an existing --report file")
        members.add_argument("--lang", default="zh-hans", help="language of the report (zh-hans, en)")
        old = sub.add_parser("purge", help="delete import files older than the retention period")
        old.add_argument("--days", type=int, help="retention in days (default: the setting)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["what"] == "purge":
            days = retention_days() if opts["days"] is None else opts["days"]
            if days < 0:
                raise CommandError("--days must be 0 or more.")
            count = purge(days=days)
            self.stdout.write(f"{count} imports older than {days} days: files, reports and previews deleted.")
            return
        self.members(opts)

    def members(self, opts: dict[str, Any]) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        org = org_by_code(opts["org"])
        report: Path | None = opts["report"]
        if report is not None:
            if report.exists() and not opts["force"]:
                raise CommandError(f"{report} exists; use --force to overwrite it.")
            if not report.parent.is_dir():
                raise CommandError(f"No directory {report.parent}.")
        shown = {"percent": -5}

        def progress(phase: str, fraction: float) -> None:
            percent = int(fraction * 100)
            if percent >= shown["percent"] + 5:
                shown["percent"] = percent
                sys.stderr.write(f"{phase} {percent}%\n")

        # The report is written in a private temporary directory (0700), copied out only on request.
        with translation.override(opts["lang"]), tempfile.TemporaryDirectory(prefix="dj-report-") as tmp:
            written = Path(tmp) / "report.xlsx"
            try:
                result = import_roster(
                    path,
                    org,
                    acting_user=SYSTEM,
                    report_path=written,
                    partial=opts["partial"],
                    dry_run=opts["dry_run"],
                    progress=progress,
                )
            except ValidationError as exc:
                raise explain(exc) from exc
            where = "not written (use --report PATH)"
            if report is not None:
                try:
                    with written.open("rb") as source:
                        copy_private(source, report, force=opts["force"])
                except FileExistsError as exc:
                    raise CommandError(f"{report} exists; use --force to overwrite it.") from exc
                where = str(report)
            self.stdout.write(
                f"{result.summary()} {result.blank} other rows skipped. "
                f"outcome: {result.outcome}. report: {where}"
            )
            if result.outcome == "refused":
                raise CommandError(
                    f"{result.refused} rows refused: nothing imported"
                    + ("" if result.partial else " (use --partial to import the valid rows)"),
                    returncode=2,
                )
