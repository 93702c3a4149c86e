"""`dangjian audit verify` — check the audit log's hash chain.

    dangjian audit verify                     # exit 0 and the counts, or 1 and the first broken link
    dangjian audit verify --anchor 81234:9f…  # also: entry 81234 still carries that hash

The chain shows an entry changed or removed in the middle of the log. Entries removed from its
end leave no broken link: record the printed head (id and hash) somewhere the database's
administrators cannot write, and pass it back as `--anchor` later.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core.chain_verify import verify
from dangjian.core.models import AuditEntry


def _anchor(text: str) -> tuple[int, str]:
    entry_id, _, digest = text.partition(":")
    if not entry_id.isdigit() or len(digest) != 64:
        raise CommandError("--anchor takes ID:HASH, as printed by a previous run.")
    return int(entry_id), digest.lower()


class Command(BaseCommand):
    help = "The audit log's hash chain: verify walks it in id order and reports the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="walk the chain; exit 1 at the first broken link")
        check.add_argument("--anchor", help="ID:HASH of an entry recorded earlier (detects a cut-off end)")
        check.add_argument("--batch", type=int, default=5000, help="entries read per query")

    def handle(self, *args: Any, **opts: Any) -> None:
        anchor = _anchor(opts["anchor"]) if opts["anchor"] else None
        if opts["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        report = verify(batch=opts["batch"])
        if not report.ok:
            raise CommandError(f"Audit chain broken at {report.problem}", returncode=1)
        if anchor is not None:
            stored = AuditEntry.objects.filter(pk=anchor[0]).values_list("hash", flat=True).first()
            if stored != anchor[1]:
                found = "is missing" if stored is None else f"now has hash {stored}"
                raise CommandError(
                    f"Audit chain broken at the anchor: entry {anchor[0]} {found}, "
                    f"recorded with {anchor[1]} (entries were removed from the end of the log)",
                    returncode=1,
                )
        if report.checked == 0:
            self.stdout.write(self.style.SUCCESS("Audit chain OK: the log is empty."))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain OK: {report.checked:,} entries, ids {report.first_id}–{report.last_id}; "
                f"head {report.last_id}:{report.head}"
            )
        )
