"""`dangjian compliance load FILE` · `recompute --year Y [--org CODE]` ·
`report --year Y --org CODE [--format json|xlsx] [--output PATH]`

load: validates a rule-set file and stores it as the next version of its code (every problem is
printed, nothing stored, exit 1). recompute: rebuilds results and rollups in set-based SQL for
the whole tree or one subtree (and that subtree's ancestors' rollups). report: the supervision
matrix of an organization's children × rules, as JSON on stdout or an .xlsx file. Run as the
SYSTEM actor (audited as `system`).
"""

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from dangjian.accounts.management.commands._common import org_by_code
from dangjian.compliance import engine
from dangjian.compliance.services import load_rule_set
from dangjian.core.scoping import SYSTEM


class Command(BaseCommand):
    help = "Load rule sets, recompute compliance results, print or write the supervision matrix."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        load = sub.add_parser("load", help="load a rule-set file (YAML or JSON)")
        load.add_argument("file", type=Path)
        recompute = sub.add_parser("recompute", help="recompute results and rollups")
        recompute.add_argument("--year", type=int, default=None, help="default: this year")
        recompute.add_argument("--org", help="code of the organization whose subtree to recompute")
        report = sub.add_parser("report", help="the matrix of an organization's children × rules")
        report.add_argument("--year", type=int, required=True)
        report.add_argument("--org", required=True)
        report.add_argument("--format", choices=["json", "xlsx"], default="json")
        report.add_argument("--output", type=Path, help="file to write (required for xlsx)")
        report.add_argument("--lang", default="zh-hans", help="language of labels (zh-hans, en)")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['what']}")(opts)

    def _load(self, opts: dict[str, Any]) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text.") from exc
        try:
            rule_set, created = load_rule_set(text, source_name=path.name, acting_user=SYSTEM)
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"{len(exc.messages)} problem(s) in {path}: nothing loaded.") from exc
        verb = "loaded" if created else "unchanged"
        self.stdout.write(f"{verb}: {rule_set.code} v{rule_set.version}, {rule_set.rules.count()} rules")

    def _recompute(self, opts: dict[str, Any]) -> None:
        year = opts["year"] or timezone.localdate().year
        within = org_by_code(opts["org"]) if opts["org"] else None
        started = time.monotonic()
        summary = engine.recompute(year, within)
        self.stdout.write(
            f"{year}: {summary.rules} rules, {summary.results} results, {summary.rollups} rollups "
            f"in {time.monotonic() - started:.1f} s"
        )

    def _report(self, opts: dict[str, Any]) -> None:
        from dangjian.compliance import report

        org = org_by_code(opts["org"])
        with translation.override(opts["lang"]):
            if opts["format"] == "xlsx":
                if not opts["output"]:
                    raise CommandError("--output is required with --format xlsx.")
                report.write_xlsx(opts["output"], org, opts["year"], SYSTEM)
                self.stdout.write(f"written: {opts['output']}")
                return
            data = report.as_json(org, opts["year"], SYSTEM)
            text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
            if opts["output"]:
                opts["output"].write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text + "\n")
