"""A roster file to rows: the format read from the content, the header row found by its names.

Real rosters have a title and a date above the header, headers merged across two rows, columns
in any order, footers ("制表人：…"). So the file's format is sniffed from its bytes (an .xls
renamed .xlsx is still read; a Word file named .xlsx is refused), the header is the row among
the first `HEAD_ROWS` that names the most member fields (a cell left empty by a vertical merge
takes the name above it), and the data are the rows after it. Cells are returned as the reader
gives them (str, float, date…); `normalize` decides what they mean, per field.

Spreadsheets are read with python-calamine (Rust: .xlsx and .xls alike, merged ranges
included); CSV with the standard library, in UTF-8 (with or without BOM) or GB18030.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from dangjian.core import csvcells

from . import limits
from .columns import canonical, field_for

HEAD_ROWS = 30
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SNIFF_BYTES = 1 << 20  # the CSV encoding is decided on the first megabyte
FORMATS = ("xlsx", "xls", "csv")
# Files that are text-like at the start but are not tables (PDF, RTF, PostScript, images).
NOT_TEXT = (b"%PDF", b"{\\rtf", b"%!PS", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
CONTROL_BYTES = frozenset(range(32)) - {9, 10, 13}  # a CSV holds no control characters but these


def sniff_format(stream: IO[bytes]) -> str | None:
    """'xlsx', 'xls', 'csv' or None (not a roster file), from the content only."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            stream.seek(0)
        return "xlsx" if "xl/workbook.xml" in names else None
    if head.startswith(OLE2):
        return "xls"  # could still be a Word .doc: calamine refuses it when it opens it
    sample = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if sample.startswith(NOT_TEXT) or any(ch in CONTROL_BYTES for ch in sample[:4096]):
        return None
    return "csv" if sample and csv_encoding(sample) is not None else None


def csv_encoding(sample: bytes) -> str | None:
    """utf-8-sig, utf-8 or gb18030; None for binary content (NUL bytes, undecodable)."""
    if b"\x00" in sample:
        return None  # UTF-16 and binary files
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            # Incremental with final=False: a sample cut inside a character is not an error.
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


@dataclass
class Column:
    index: int
    header: str
    field: str | None  # None: not a member field, ignored


@dataclass
class Table:
    """The member rows of a roster file, after its header."""

    format: str
    columns: list[Column]
    header_row: int  # 1-based, as Excel numbers rows
    rows: Iterator[tuple[int, list[Any]]]  # (1-based row number, cells)
    sheet: str = ""
    encoding: str = ""
    total_rows: int | None = None  # known for spreadsheets
    _position: Any = field(default=None, repr=False)

    @property
    def fields(self) -> dict[str, int]:
        """field -> column index (the first column naming it)."""
        found: dict[str, int] = {}
        for column in self.columns:
            if column.field and column.field not in found:
                found[column.field] = column.index
        return found

    def close(self) -> None:
        """Stop reading early (a preview): releases the file."""
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()

    def fraction(self) -> float:
        """How far reading has got, 0..1 (bytes for CSV, rows for spreadsheets)."""
        return float(self._position()) if self._position else 0.0


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def find_header(head: list[list[Any]]) -> tuple[int, list[Column]] | None:
    """The index in `head` of the row naming the most member fields, with its columns."""
    best: tuple[int, int, list[Column]] | None = None
    for i, row in enumerate(head):
        above = head[i - 1] if i > 0 else []
        columns = []
        for j, cell in enumerate(row):
            name = _text(cell)
            found = field_for(name)
            if found is None and not name and j < len(above) and field_for(above[j]):
                name = _text(above[j])  # the lower half of a header merged over two rows
                found = field_for(name)
            columns.append(Column(j, name, found))
        named = {c.field for c in columns if c.field}
        member_header = ("name" in named or "id_number" in named) and len(named) >= 2
        if member_header and (best is None or len(named) > best[0]):
            best = (len(named), i, columns)
    return (best[1], best[2]) if best else None


def _no_header() -> ValidationError:
    return ValidationError(
        _("No header row found: none of the first %(rows)s rows names the columns %(name)s and %(id)s.")
        % {"rows": HEAD_ROWS, "name": canonical("name"), "id": canonical("id_number")},
        code="no_header",
    )


def open_table(path: Path, fmt: str | None = None, *, checked: bool = False) -> Table:
    """The roster in the file; ValidationError (code no_header, format, too_large…) if it holds
    none or reading it would cost more than `limits` allow. `checked`: the file passed
    `limits.check_file` in full already (at upload); its central directory is read again."""
    with path.open("rb") as stream:
        if fmt is None:
            fmt = sniff_format(stream)
        if fmt is not None:
            limits.check_file(stream, fmt, path.stat().st_size, inflate=not checked)
    if fmt == "csv":
        return _csv_table(path)
    if fmt in ("xlsx", "xls"):
        return _workbook_table(path, fmt)
    raise ValidationError(
        _("This is not a roster file: upload an Excel workbook (.xlsx, .xls) or a CSV file."),
        code="format",
    )


def _split(rows: Iterator[list[Any]], first_number: int) -> tuple[int, list[Column], Iterator[Any]]:
    """Find the header among the first rows; the rows after it, numbered from `first_number`
    (the number of the first row of `rows`)."""
    head = [list(r) for r in islice(rows, HEAD_ROWS)]
    found = find_header(head)
    if found is None:
        raise _no_header()
    index, columns = found

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        number = first_number + index + 1
        for row in chain(head[index + 1 :], rows):
            yield number, list(row)
            number += 1

    return index, columns, numbered()


def _fill_merged(rows: Iterator[list[Any]], merged: list[tuple[int, int, int, int]]) -> Iterator[list[Any]]:
    """Give a merged range's value (kept in its top-left cell only) to every cell of the range:
    a header merged over two rows, a branch name merged down the rows of its members."""
    pending = sorted(merged)  # (first row, first col, last row, last col), rows from 0
    active: list[tuple[int, int, int, Any]] = []  # (last row, first col, last col, value)
    for r, row in enumerate(rows):
        row = list(row)
        while pending and pending[0][0] == r:
            _r0, c0, r1, c1 = pending.pop(0)
            active.append((r1, c0, c1, row[c0] if c0 < len(row) else ""))
        while pending and pending[0][0] < r:
            pending.pop(0)
        if active:
            for _r1, c0, c1, value in active:
                for c in range(c0, min(c1, len(row) - 1) + 1):
                    row[c] = value
            active = [a for a in active if a[0] > r]
        yield row


def _workbook_table(path: Path, fmt: str) -> Table:
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise ValidationError(
            _("The workbook cannot be read (%(problem)s); save it again in Excel and retry.")
            % {"problem": str(exc)[:200]},
            code="format",
        ) from exc
    last_error = _no_header()
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        start_row, start_col = sheet.start or (0, 0)
        merged = [
            (r0 - start_row, c0 - start_col, r1 - start_row, c1 - start_col)
            for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])
        ]
        try:
            index, columns, rest = _split(_fill_merged(sheet.iter_rows(), merged), start_row + 1)
        except ValidationError as exc:
            last_error = exc
            continue
        height = max(sheet.height, 1)
        seen = {"row": 0}

        def counted(
            rest: Iterator[Any] = rest, seen: dict[str, int] = seen, first: int = start_row
        ) -> Iterator[Any]:
            for number, row in rest:
                seen["row"] = number - first
                yield number, row

        return Table(
            format=fmt,
            columns=columns,
            header_row=start_row + index + 1,
            rows=counted(),
            sheet=name,
            total_rows=max(sheet.height - index - 1, 0),
            _position=lambda seen=seen, height=height: min(seen["row"] / height, 1.0),
        )
    raise last_error


def _csv_table(path: Path) -> Table:
    size = max(path.stat().st_size, 1)
    raw = path.open("rb")
    encoding = csv_encoding(raw.read(SNIFF_BYTES))
    raw.seek(0)
    if encoding is None:
        raw.close()
        raise ValidationError(_("The CSV file is neither UTF-8 nor GB18030 text."), code="encoding")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    sample = text.read(64 * 1024)
    text.seek(0)
    lines = sample.splitlines()[:HEAD_ROWS] or [""]
    delimiter = max(",\t;", key=lambda d: sum(line.count(d) for line in lines))
    # Cells our CSV exports neutralized ('=…) read back as they were stored.
    reader = csvcells.restored(csv.reader(_decoded(text, raw), delimiter=delimiter))
    try:
        index, columns, rest = _split(reader, 1)
    except ValidationError:
        raw.close()
        raise

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from rest
        finally:
            raw.close()

    return Table(
        format="csv",
        columns=columns,
        header_row=index + 1,
        rows=numbered(),
        encoding=encoding,
        _position=lambda: min(raw.tell() / size, 1.0) if not raw.closed else 1.0,
    )


def _decoded(text: IO[str], raw: IO[bytes]) -> Iterator[str]:
    """Lines of the text, refusing the file cleanly when a later part is not in its encoding."""
    try:
        yield from text
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("The CSV file changes encoding partway (%(problem)s); save it again as UTF-8.")
            % {"problem": str(exc)[:120]},
            code="encoding",
        ) from exc
