"""The import report: a workbook with the counts and every refused row, its original cells and
the reasons, written as rows are refused (XlsxWriter's constant-memory mode: a file that refuses
a million rows does not hold them in memory)."""

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from dangjian.core.excel import TEXT_ONLY

MAX_TEXT = 32767  # Excel's limit for one cell


class Report:
    def __init__(self, path: Path, headers: list[str]) -> None:
        self.path = path
        self.book = xlsxwriter.Workbook(
            str(path), {**TEXT_ONLY, "constant_memory": True, "strings_to_numbers": False}
        )
        self.head = self.book.add_format({"bold": True, "bg_color": "#F1F1F1", "border": 1})
        self.day = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.wrap = self.book.add_format({"text_wrap": True, "font_color": "#B00020"})
        # The summary comes first in the workbook but is written last (constant-memory mode
        # writes each sheet's rows in order, sheets independently).
        self.summary = self.book.add_worksheet(_("Summary")[:31])
        self.rows = self.book.add_worksheet(_("Refused rows")[:31])
        titles = [_("Row"), *headers, _("Reason")]
        for col, title in enumerate(titles):
            self.rows.write_string(0, col, title, self.head)
        self.rows.set_column(0, 0, 6)
        self.rows.set_column(1, len(headers), 14)
        self.rows.set_column(len(headers) + 1, len(headers) + 1, 60)
        self.rows.freeze_panes(1, 1)
        self.width = len(headers)
        self.next = 1

    def refuse(self, number: int, cells: list[Any], reasons: list[str]) -> None:
        row = self.next
        self.next += 1
        self.rows.write_number(row, 0, number)
        for col, value in enumerate(cells[: self.width], start=1):
            self._cell(row, col, value)
        self.rows.write_string(row, self.width + 1, "；".join(reasons)[:MAX_TEXT], self.wrap)

    def _cell(self, row: int, col: int, value: Any) -> None:
        if value is None or value == "":
            return
        if isinstance(value, bool):
            self.rows.write_boolean(row, col, value)
        elif isinstance(value, int | float):
            self.rows.write_number(row, col, value)  # as the file had it: a lost-digits ID shows
        elif isinstance(value, datetime | date):
            self.rows.write_datetime(row, col, value, self.day)
        elif isinstance(value, time):
            self.rows.write_string(row, col, value.isoformat())
        else:
            self.rows.write_string(row, col, str(value)[:MAX_TEXT])

    def close(self, summary: list[tuple[str, Any]]) -> None:
        self.summary.set_column(0, 0, 28)
        self.summary.set_column(1, 1, 40)
        for row, (label, value) in enumerate(summary):
            self.summary.write_string(row, 0, label, self.head)
            if isinstance(value, int):
                self.summary.write_number(row, 1, value)
            else:
                self.summary.write_string(row, 1, str(value))
        self.book.close()
