"""Walking the audit log's hash chain (`dangjian audit verify`).

Entries are read in id order in keyset batches of plain tuples: constant memory, and no
transaction held open across the walk, so the application keeps writing while it runs.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Max

from . import chain
from .models import AuditEntry

BATCH = 5000


@dataclass
class Report:
    checked: int = 0
    first_id: int | None = None
    last_id: int | None = None
    head: str = chain.GENESIS
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _rows(start_after: int, batch: int) -> Iterator[tuple[int, str, str, dict[str, object]]]:
    columns = ("id", "prev_hash", "hash", *chain.CHAINED_FIELDS)
    last = start_after
    base = AuditEntry.objects.order_by("id").values_list(*columns)
    while rows := list(base.filter(id__gt=last)[:batch]):
        for row in rows:
            yield row[0], row[1], row[2], dict(zip(chain.CHAINED_FIELDS, row[3:], strict=True))
        last = rows[-1][0]


def verify(batch: int = BATCH, until: int | None = None) -> Report:
    """The first broken link, or the count and head of an intact chain. `until` stops at that id
    (default: the last entry when the walk starts; later appends are left for the next run)."""
    report = Report()
    limit = until if until is not None else AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0
    prev_id: int | None = None
    secret = chain.key()
    for entry_id, prev_hash, stored, values in _rows(0, batch):
        if entry_id > limit:
            break
        expected = chain.link(prev_hash, values, secret)
        if stored != expected:
            report.broken_id = entry_id
            report.problem = (
                f"entry {entry_id}: its contents do not match its hash (altered after it was "
                f"written): stored {stored or '(none)'}, computed {expected}"
            )
            return report
        if prev_hash != report.head:
            report.broken_id = entry_id
            before = f"entry {prev_id}" if prev_id is not None else "the start of the chain"
            report.problem = (
                f"entry {entry_id}: its link does not follow {before}: it names previous hash "
                f"{prev_hash or '(none)'}, but {before} has {report.head} — entries between them "
                f"were removed"
            )
            return report
        report.checked += 1
        report.first_id = report.first_id or entry_id
        report.last_id, report.head, prev_id = entry_id, stored, entry_id
    return report
