"""`dangjian keys check` and `dangjian keys rotate`: the field encryption keys over every
encrypted value and sealed file (see `core.keys` and docs/operations.md, "Key custody and
rotation").

`check` opens everything and prints counts per model/field and per key id; exit status 1 and
the first failures named (model, pk, field) when anything does not open. `rotate` re-encrypts
everything not under the first key of FIELD_ENCRYPTION_KEYS, in batches; after a kill, run it
again: it continues where it stopped. Its exit status is 1 when values could not be opened (they
are left as they are and named).
"""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core import keys
from dangjian.core.crypto import get_cipher


class Command(BaseCommand):
    help = "Check that every encrypted value and sealed file opens, or re-encrypt them under the first key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        check = sub.add_parser("check", help="open every encrypted value and sealed file; counts")
        check.add_argument("--show", type=int, default=20, help="how many failures to name (default 20)")
        sub.add_parser("rotate", help="re-encrypt everything not under the first key (resumable)")

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        if opts["what"] == "check":
            report = keys.check(keep=opts["show"])
        else:

            def progress(label: str, count: int) -> None:
                sys.stderr.write(f"{label}: {count} re-encrypted\n")

            report = keys.rotate(progress=progress)
        self.print(report, opts["what"], time.monotonic() - started)
        if report.failed:
            raise CommandError(f"{report.failed} values or files do not open (first ones above).")

    def print(self, report: keys.Report, what: str, seconds: float) -> None:
        cipher = get_cipher()
        self.stdout.write(f"active key: {cipher.active}; configured: {', '.join(cipher.keys)}")
        for tally in report.tallies:
            counts = ", ".join(f"{kid}: {n}" for kid, n in sorted(tally.values.items())) or "none"
            extra = f"; re-encrypted {tally.rewritten}" if what == "rotate" else ""
            failed = f"; FAILED {tally.failed}" if tally.failed else ""
            self.stdout.write(f"{tally.label}: {counts}{extra}{failed}")
        totals = ", ".join(f"{kid}: {n}" for kid, n in sorted(report.by_key().items())) or "none"
        self.stdout.write(f"per key: {totals}")
        for failure in report.failures:
            self.stdout.write(f"failed: {failure}")
        self.stdout.write(f"{what}: {seconds:.1f} s")
