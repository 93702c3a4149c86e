"""The import engine: read and validate the whole file first, then insert in one transaction.

Pass 1 (no transaction open, nothing written but the report and a spool on disk): every row is
normalized and checked by the member rules; its ID number's blind index is looked up a batch at
a time, which sorts the rows into

* **new** — sealed into the spool;
* **unchanged** — the same member is already in the target subtree with the same values in
  every column the file has (re-importing a file changes nothing);
* **refused** — with the reasons, into the report: invalid cells, an ID number twice in the
  file, an ID number registered in another organization (not named: it may lie outside the
  user's reach), or registered here with other values (the record is edited, not overwritten).

Pass 2 (`services.import_roster`): when nothing was refused (or `partial` accepts the valid
rows), the spool is written in one transaction — COPY on PostgreSQL, prepared INSERTs on SQLite —
with one audit entry carrying the counts. A process killed midway leaves the database as it was.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from .checking import CHUNK, Chunk, checked_chunks, worker_count
from .columns import REQUIRED, canonical
from .plain import Config
from .reading import Table, open_table
from .report import Report
from .rows import BranchFinder, RowReader
from .spool import Spool, insert_sql, new_sealer, write_chunk

Progress = Callable[[str, float], None]
# Share of the progress bar for reading and validating; the insert takes the rest.
VALIDATE_SHARE = 0.8
COMPARED: tuple[str, ...] = ("name", "gender", "ethnicity", "birth_date", "education", "category")
COMPARED += ("join_date", "full_date", "job_title")
LABEL_OF = {"phone_bidx": "phone", "organization_id": "branch"}  # comparison key -> column


def no_progress(phase: str, fraction: float) -> None:
    pass


@dataclass
class Result:
    total: int = 0  # member rows read
    new: int = 0
    unchanged: int = 0
    refused: int = 0
    blank: int = 0  # rows that are not member rows (empty, footers)
    imported: bool = False
    partial: bool = False
    dry_run: bool = False
    format: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # field -> header in the file

    @property
    def outcome(self) -> str:
        if self.imported:
            return "imported"
        return "dry_run" if self.dry_run and not (self.refused and not self.partial) else "refused"

    def counts(self) -> dict[str, int]:
        return {"total": self.total, "new": self.new, "unchanged": self.unchanged, "refused": self.refused}

    def summary(self) -> str:
        return _("%(total)s rows: %(new)s new, %(unchanged)s unchanged, %(refused)s refused.") % self.counts()


def check_columns(table: Table, org: Organization) -> None:
    present = table.fields
    missing = [canonical(f) for f in REQUIRED if f not in present]
    if not org.holds_members and "branch" not in present and "branch_code" not in present:
        missing.append(canonical("branch"))
    if missing:
        raise ValidationError(
            _("The file has no column %(columns)s (header row %(row)s).")
            % {"columns": "、".join(missing), "row": table.header_row},
            code="columns",
        )


class Validation:
    """Pass 1 over one file: this process reads, finds branches, looks ID numbers up and
    writes; `checking` normalizes, checks and seals (in worker processes for big files)."""

    def __init__(self, table: Table, org: Organization, report: Report, expected_rows: int = 0) -> None:
        self.table = table
        self.org = org
        self.report = report
        self.expected_rows = expected_rows
        self.reader = RowReader(
            table.fields, {c.field: c.header for c in table.columns if c.field}, timezone.localdate()
        )
        self.branches = BranchFinder(org)
        self.spool = Spool()
        self.result = Result(format=table.format, columns=self.reader.headers)
        self.seen: dict[str, int] = {}  # blind index -> first row number (one per ID number)
        self.batch: list[tuple[int, list[Any], str, tuple[Any, ...], Any]] = []
        limit = connection.features.max_query_params or 5000
        self.lookup_size = max(1, min(2000, limit - 10))
        present = table.fields
        self.compared = [f for f in COMPARED if f in present]
        if "phone" in present:
            self.compared.append("phone_bidx")
        self.compared.append("organization_id")

    def config(self) -> Config:
        sealer = new_sealer()
        return Config(
            columns=self.reader.columns,
            headers=self.reader.headers,
            today=self.reader.today,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            copy=sealer.copy,
            stamp=sealer.fixed["created_at"],
            compared=tuple(self.compared),
        )

    def chunks(self) -> Iterator[Chunk]:
        chunk: Chunk = []
        for number, cells in self.table.rows:
            if self.reader.is_blank(cells):
                self.result.blank += 1
                continue
            self.result.total += 1
            chunk.append((number, cells, self.branches.find(self.reader.branch_cell(cells))))
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def run(self, progress: Progress = no_progress) -> Result:
        workers = worker_count(self.expected_rows)
        for chunk, results in checked_chunks(self.chunks(), self.config(), workers):
            for (number, cells, _branch), (problems, bidx, key, sealed) in zip(chunk, results, strict=True):
                if problems is not None:
                    self.refuse(number, cells, problems)
                    continue
                first = self.seen.setdefault(bidx, number)
                if first != number:
                    self.refuse(
                        number,
                        cells,
                        [_("The same ID number is already in row %(row)s of this file.") % {"row": first}],
                    )
                    continue
                self.batch.append((number, cells, bidx, key, sealed))
            if len(self.batch) >= self.lookup_size:
                self.settle()
            progress("validating", self.table.fraction() * VALIDATE_SHARE)
        self.settle()
        progress("validating", VALIDATE_SHARE)
        return self.result

    def refuse(self, number: int, cells: list[Any], reasons: list[str]) -> None:
        self.result.refused += 1
        self.report.refuse(number, cells, reasons)

    def settle(self) -> None:
        """Look the batch's ID numbers up in the database; spool the new, judge the known."""
        batch, self.batch = self.batch, []
        for start in range(0, len(batch), self.lookup_size):
            self._settle(batch[start : start + self.lookup_size])

    def _settle(self, batch: list[tuple[int, list[Any], str, tuple[Any, ...], Any]]) -> None:
        fields = [f for f in self.compared]
        known = {
            r["id_number_bidx"]: r
            for r in Member.objects.filter(id_number_bidx__in=[b[2] for b in batch]).values(
                "id_number_bidx", "organization__path", "organization__name", *fields
            )
        }
        for number, cells, bidx, key, sealed in batch:
            existing = known.get(bidx)
            if existing is None:
                self.spool.write(sealed)
                self.result.new += 1
            elif not existing["organization__path"].startswith(self.org.path):
                self.refuse(
                    number, cells, [_("This ID number is already registered in another organization.")]
                )
            elif differing := [f for f, value in zip(fields, key, strict=True) if value != existing[f]]:
                labels = "、".join(self.reader.label(LABEL_OF.get(f, f)) for f in differing)
                self.refuse(
                    number,
                    cells,
                    [
                        _("Already registered in %(org)s with a different %(fields)s; edit the member there.")
                        % {"org": existing["organization__name"], "fields": labels}
                    ],
                )
            else:
                self.result.unchanged += 1


def validate_file(
    path: Path,
    org: Organization,
    report_path: Path,
    *,
    progress: Progress = no_progress,
    checked: bool = False,
) -> tuple[Result, Spool]:
    """Pass 1. Raises ValidationError for a file that is not a roster (nothing is written).
    `checked`: the file passed `limits.check_file` at upload (it is sealed since)."""
    table = open_table(path, checked=checked)
    check_columns(table, org)
    report = Report(report_path, [c.header for c in table.columns])
    validation = Validation(table, org, report, table.total_rows or path.stat().st_size // 120)
    try:
        result = validation.run(progress)
    except BaseException:
        validation.spool.close()
        report.close([])
        raise
    report.close(
        [
            (_("Organization"), f"{org.name} ({org.code})"),
            (_("Rows read"), result.total),
            (_("New"), result.new),
            (_("Unchanged"), result.unchanged),
            (_("Refused"), result.refused),
        ]
    )
    return result, validation.spool


def insert(spool: Spool, progress: Progress = no_progress) -> None:
    """Pass 2's writes; the caller holds the transaction."""
    sql = insert_sql(spool)
    done = 0
    with connection.cursor() as cursor:
        if spool.copy:
            with cursor.cursor.copy(sql) as copy:
                for chunk in spool.chunks():
                    write_chunk(cursor, copy, sql, chunk)
                    done += len(chunk)
                    progress("inserting", VALIDATE_SHARE + (1 - VALIDATE_SHARE) * done / max(spool.size, 1))
        else:
            for chunk in spool.chunks():
                write_chunk(cursor, None, sql, chunk)
                done += len(chunk)
                progress("inserting", VALIDATE_SHARE + (1 - VALIDATE_SHARE) * done / max(spool.count, 1))
