"""New members' rows, sealed and indexed, kept on disk between validation and the insert.

Validation reads the whole file before anything is written (an import is all or nothing), and a
million members held in memory as Python objects would take over a gigabyte; on disk they take
~300 MB and memory stays flat. Rows are sealed exactly as `members.services.create_member` seals
them: through the model fields' own `get_prep_value` (AES-GCM with the field's context) and the
blind indexes of `members.validation`.

On PostgreSQL the spool is COPY text already, so the insert streams it to the server as it is
(the lower bound's speed); on SQLite it holds pickled batches for one prepared INSERT each
(`executemany`: Django's bulk_create is capped at 999 parameters a statement there).
"""

import pickle
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from dangjian.members.models import Member

BATCH = 2000
CHUNK_BYTES = 1 << 20
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line(row: tuple[Any, ...]) -> str:
    # Most values are plain strings: two C-level checks instead of a call each.
    return "\t".join(
        [
            (v if v.isprintable() and "\\" not in v else v.translate(_COPY_ESCAPES))
            if v.__class__ is str
            else _copy_text(v)
            for v in row
        ]
    )


def _copy_text(value: Any) -> str:
    """A value in COPY's text format (strings are handled inline by `_copy_line`)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


class Sealer:
    """A new member's values to a spool item: sealed, in the table's column order, as a COPY
    line (PostgreSQL) or a tuple (SQLite). Built once per process (workers too)."""

    def __init__(self, copy: bool, stamp: Any) -> None:
        fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.copy = copy
        self.fixed = {
            **{f.attname: f.get_default() for f in fields},
            "party_group_id": None,
            "committee_post": "",
            "version": 1,
            "created_at": stamp,
            "updated_at": stamp,
        }
        self._seal_id = Member._meta.get_field("id_number").get_prep_value
        self._seal_phone = Member._meta.get_field("phone").get_prep_value

    def seal(self, values: dict[str, Any]) -> Any:
        """`values`: attname -> plaintext value, with the blind indexes already computed."""
        record = {**self.fixed, **values}
        record["id_number"] = self._seal_id(record["id_number"])
        record["phone"] = self._seal_phone(record["phone"])
        row = tuple([record[name] for name in self.attnames])
        return _copy_line(row) + "\n" if self.copy else row


def new_sealer() -> Sealer:
    """The sealer for the default database (its timestamp is the import's)."""
    copy = connection.vendor == "postgresql"
    now = timezone.now()
    return Sealer(copy, now if copy else connection.ops.adapt_datetimefield_value(now))


class Spool:
    def __init__(self) -> None:
        fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in fields]
        quote = connection.ops.quote_name
        self.table = quote(Member._meta.db_table)
        self.columns = ", ".join(quote(str(f.column)) for f in fields)
        self.copy = connection.vendor == "postgresql"
        self.file = tempfile.TemporaryFile(prefix="dj-import-")  # noqa: SIM115  # closed by close()
        self.count = 0
        self.size = 0
        self._pending: list[tuple[Any, ...]] = []

    def write(self, item: Any) -> None:
        """A sealed item from `Sealer.seal`."""
        self.count += 1
        if self.copy:
            self.size += self.file.write(item.encode())
        else:
            self._pending.append(item)
            if len(self._pending) >= BATCH:
                self._flush()

    def _flush(self) -> None:
        if self._pending:
            pickle.dump(self._pending, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self._pending = []

    def chunks(self) -> Iterator[Any]:
        """COPY text blocks (PostgreSQL) or lists of row tuples (SQLite), from the start."""
        self._flush()
        self.size = self.size or self.file.tell()
        self.file.seek(0)
        if self.copy:
            while block := self.file.read(CHUNK_BYTES):
                yield block
            return
        while True:
            try:
                yield pickle.load(self.file)  # noqa: S301  # our own temporary file
            except EOFError:
                return

    def close(self) -> None:
        self.file.close()


def insert_sql(spool: Spool) -> str:
    if spool.copy:
        return f"COPY {spool.table} ({spool.columns}) FROM STDIN"
    placeholders = ", ".join(["%s"] * len(spool.attnames))
    return f"INSERT INTO {spool.table} ({spool.columns}) VALUES ({placeholders})"  # noqa: S608


def write_chunk(cursor: Any, copy: Any, sql: str, chunk: Any) -> None:
    """One step of the insert loop (tests make it fail midway to prove nothing is left)."""
    if copy is not None:
        copy.write(chunk)
    else:
        cursor.executemany(sql, chunk)
