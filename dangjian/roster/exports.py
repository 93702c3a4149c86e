"""Member lists out: the filtered list as .xlsx or .csv (utf-8-sig, which Excel opens as UTF-8),
and the import template.

Rows are read a chunk at a time and written as they come: a CSV streams to the client, a
workbook is written to a temporary file in XlsxWriter's constant-memory mode and then streamed.
Personal fields follow the disclosure policy (docs/architecture.md): ID number region-only, phone
masked, birth date as a year-month where the user holds `reveal_pii` over the row (a year
elsewhere). Full values only when the user asked for them (`full=1`) and holds `reveal_pii` on
the row's organization; every export is audited with its filter, row count and whether full
values went out. The columns are the import's own, so a full export reads back in. CSV cells go
through `core.csvcells` (no formula injection).
"""

import tempfile
from collections.abc import Iterable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from dangjian.core import csvcells
from dangjian.core.excel import TEXT_ONLY
from dangjian.core.masking import birth_year, birth_year_month, mask_id_number, mask_phone
from dangjian.members.models import Member

from .columns import STATUS_HEADER, TEMPLATE_FIELDS, canonical

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [*[canonical(f) for f in TEMPLATE_FIELDS], STATUS_HEADER]
TEXT_COLUMNS = {TEMPLATE_FIELDS.index("id_number"), TEMPLATE_FIELDS.index("phone")}
CHUNK = 2000


def _day(value: Any) -> str:
    return value.isoformat() if value else ""


def _birth(member: Member, full: bool, may_reveal: bool) -> str:
    if full:
        return _day(member.birth_date)
    return birth_year_month(member.birth_date) if may_reveal else birth_year(member.birth_date)


def member_rows(
    members: Iterable[Member], reveal_paths: list[str], may_reveal_paths: list[str] | None = None
) -> Iterator[list[str]]:
    """One list of cells per member, in HEADERS order. `reveal_paths`: where full values go out
    (asked for and allowed); `may_reveal_paths`: where the user holds `reveal_pii` at all."""
    full_under = tuple(reveal_paths)
    reveal_under = tuple(may_reveal_paths or ())
    for m in members:
        full = bool(full_under) and m.organization.path.startswith(full_under)
        may_reveal = bool(reveal_under) and m.organization.path.startswith(reveal_under)
        yield [
            m.name,
            m.get_gender_display(),
            m.ethnicity,
            _birth(m, full, may_reveal),
            m.id_number if full else mask_id_number(m.id_number),
            m.get_education_display() if m.education else "",
            m.get_category_display(),
            _day(m.join_date),
            _day(m.full_date),
            m.phone if full else mask_phone(m.phone),
            m.job_title,
            m.organization.name,
            m.organization.code,
            m.get_status_display(),
        ]


class _Line:
    """The CSV writer's file: hands back each line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_chunks(rows: Iterable[list[str]]) -> Iterator[bytes]:
    writer = csvcells.writer(_Line())
    yield "\ufeff".encode()  # the BOM: Excel then reads the file as UTF-8, not the ANSI code page
    block: list[str] = [writer.writerow(HEADERS)]
    for row in rows:
        block.append(writer.writerow(row))
        if len(block) >= CHUNK:
            yield "".join(block).encode()
            block = []
    yield "".join(block).encode()


def xlsx_file(rows: Iterable[list[str]], title: str) -> tuple[Path, int]:
    """The workbook in a temporary file (the caller deletes it); and the row count."""
    handle = tempfile.NamedTemporaryFile(prefix="dj-export-", suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    book = xlsxwriter.Workbook(str(path), {**TEXT_ONLY, "constant_memory": True})
    sheet = book.add_worksheet(_("Members")[:31])
    head = book.add_format({"bold": True, "bg_color": "#F1F1F1", "border": 1})
    sheet.write_string(0, 0, title)
    for col, text in enumerate(HEADERS):
        sheet.write_string(1, col, text, head)
        sheet.set_column(col, col, 20 if col in TEXT_COLUMNS else 12)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value:
                sheet.write_string(count + 1, col, value)  # text: 18 digits must not become a number
    sheet.freeze_panes(2, 0)
    book.close()
    return path, count


def template_xlsx() -> bytes:
    """An empty roster with the canonical headers (ID number and phone columns formatted as
    text, so Excel keeps all 18 digits) and a sheet of instructions."""
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {**TEXT_ONLY, "in_memory": True})
    sheet = book.add_worksheet(_("Members")[:31])
    head = book.add_format({"bold": True, "bg_color": "#F1F1F1", "border": 1})
    text = book.add_format({"num_format": "@"})
    for col, field in enumerate(TEMPLATE_FIELDS):
        sheet.write_string(0, col, canonical(field), head)
        sheet.set_column(col, col, 20 if col in TEXT_COLUMNS else 12, text if col in TEXT_COLUMNS else None)
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet(_("Instructions")[:31])
    notes.set_column(0, 0, 110)
    lines = [
        _("One member per row below the header. Columns may be in any order; other columns are ignored."),
        _("Required: %(cols)s.")
        % {"cols": "、".join(canonical(f) for f in ("name", "id_number", "category", "join_date"))},
        _("ID number: 18 characters, entered as text (this template's column is text already)."),
        _("Dates: 2017-04-28, 2017/4/28, 2017年4月28日 or the month alone (2017.04, 201704)."),
        _("Category: 正式党员 or 预备党员."),
        _("Gender and birth date may be left empty: the ID number gives them."),
        _("Branch: its name or code, within the organization you import into (empty: that organization)."),
        _("Re-importing a file changes nothing: members already registered with the same data are skipped."),
    ]
    for row, line in enumerate(lines):
        notes.write_string(row, 0, line)
    book.close()
    return buffer.getvalue()
