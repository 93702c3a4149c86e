"""`dangjian notifications …` — the delivery channels at the console.

    dangjian notifications wecom-accounts accounts.csv   # username,wecom_userid per line
    dangjian notifications send-due                      # run the worker's sweep once now
    dangjian notifications report-failures --day 2026-05-04

WeCom accounts come from the company's WeCom directory (管理后台 → 通讯录 → 导出): one line per
platform user, `username,wecom userid`; an empty userid removes it. The console acts as the
SYSTEM actor; the import is audited with its count.
"""

import csv
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.management.commands._common import explain
from dangjian.core.scoping import SYSTEM
from dangjian.notifications import delivery, services


class Command(BaseCommand):
    help = "Notification channels: import WeCom accounts, send due deliveries, report failures."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        accounts = sub.add_parser("wecom-accounts", help="set users' WeCom accounts from a CSV file")
        accounts.add_argument("file", help="CSV: username,wecom userid")
        sub.add_parser("send-due", help="send the deliveries that are due now")
        report = sub.add_parser(
            "report-failures", help="count a day's failed reminders for the administrators"
        )
        report.add_argument("--day", required=True, help="YYYY-MM-DD (Beijing time)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "_" + opts["action"].replace("-", "_"))(opts)
        except ValidationError as exc:
            raise explain(exc) from exc

    def _wecom_accounts(self, opts: dict[str, Any]) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            pairs = [(r[0].strip(), r[1].strip() if len(r) > 1 else "") for r in csv.reader(handle) if r]
        count = services.set_wecom_accounts(pairs, acting_user=SYSTEM)
        self.stdout.write(f"{count} accounts set")

    def _send_due(self, opts: dict[str, Any]) -> None:
        outcomes = delivery.send_due()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in sorted(outcomes.items())) or "nothing due")

    def _report_failures(self, opts: dict[str, Any]) -> None:
        try:
            day = date.fromisoformat(opts["day"])
        except ValueError as exc:
            raise CommandError("--day: YYYY-MM-DD") from exc
        self.stdout.write(f"{delivery.report_failures(day)} failed")
