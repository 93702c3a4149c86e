"""The monthly collection sheet (党费收缴表) as an Excel workbook (XlsxWriter, in memory).

A member-holding organization gets one row per member who owes dues that month; a committee
gets one row per child organization with its collection rate; a general branch gets both, on
two worksheets. Large voluntary payments (大额党费) are listed on a worksheet of their own.
Amounts are written as numbers with a 0.00 format (float in the cell is what Excel stores; the
values come from exact Decimals with two places, so no fen is lost).
"""

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from dangjian.core.excel import TEXT_ONLY
from dangjian.organizations.models import Organization

from .months import label
from .queries import branch_month, child_rates

# Names and notes are typed by users: text that starts with "=" (or looks like a link) must stay
# text, never become a formula or a hyperlink when the sheet is opened.


def _state(state: str) -> str:
    return {
        "paid": _("Paid"),
        "unpaid": _("Unpaid"),
        "exempt": _("Exempt"),
        "no_profile": _("No dues profile"),
    }[state]


def _flag(flag: str) -> str:
    return {
        "": "",
        "warn": _("3+ months unpaid"),
        "serious": _("5+ months unpaid"),
        "art9": _("6+ months unpaid: Party Constitution art. 9"),
    }[flag]


class _Book:
    def __init__(self) -> None:
        self.buffer = BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {**TEXT_ONLY, "in_memory": True})
        self.head = self.book.add_format({"bold": True, "bg_color": "#F1F1F1", "border": 1})
        self.cell = self.book.add_format({"border": 1})
        self.money = self.book.add_format({"border": 1, "num_format": "0.00"})
        self.title = self.book.add_format({"bold": True})

    def sheet(self, name: str, title: str, headers: list[tuple[str, int]]) -> Any:
        sheet = self.book.add_worksheet(name[:31])
        sheet.write(0, 0, title, self.title)
        for col, (text, width) in enumerate(headers):
            sheet.write(1, col, text, self.head)
            sheet.set_column(col, col, width)
        sheet.freeze_panes(2, 0)
        return sheet

    def row(self, sheet: Any, row: int, values: list[Any]) -> None:
        for col, value in enumerate(values):
            if isinstance(value, Decimal):
                sheet.write_number(row, col, float(value), self.money)
            else:
                sheet.write(row, col, value, self.cell)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def _members_sheet(book: _Book, org: Organization, month: date) -> None:
    data = branch_month(org, month)
    sheet = book.sheet(
        _("Members"),
        " · ".join((org.name, label(month), _("Party dues collection sheet"))),
        [
            (_("Name"), 10),
            (_("Dues category"), 22),
            (_("Base"), 11),
            (_("Monthly dues"), 11),
            (_("Rule"), 40),
            (_("State"), 12),
            (_("Receipt number"), 14),
            (_("Paid on"), 11),
            (_("Paid by"), 10),
            (_("Consecutive unpaid months"), 12),
            (_("Flag"), 30),
        ],
    )
    for i, r in enumerate(data.rows, start=2):
        profile, pay = r.due.profile, r.payment
        book.row(
            sheet,
            i,
            [
                r.member.name,
                profile.get_category_display() if profile else "",  # type: ignore[attr-defined]
                profile.base if profile and profile.base is not None else "",
                r.due.amount if r.due.amount is not None else "",
                r.due.text,
                _state(r.state),
                pay.receipt_no if pay else "",
                pay.paid_on.isoformat() if pay else "",
                (pay.paid_by_proxy or _("the member")) if pay else "",
                r.unpaid,
                _flag(r.flag),
            ],
        )
    total = len(data.rows) + 2
    book.row(sheet, total, [_("Total"), "", "", data.due_total, "", _("Collected"), "", "", "", "", ""])
    book.row(sheet, total + 1, ["", "", "", data.collected_total, "", "", "", "", "", "", ""])
    book.row(
        sheet, total + 2, [_("Voluntary payments"), "", "", data.voluntary_total, "", "", "", "", "", "", ""]
    )
    large = book.sheet(
        _("Large voluntary"),
        " · ".join((org.name, label(month), _("Large voluntary payments (1000 or more)"))),
        [(_("Name"), 10), (_("Amount"), 12), (_("Receipt number"), 14), (_("Paid on"), 11)],
    )
    for i, pay in enumerate(data.large_voluntary, start=2):
        book.row(large, i, [pay.member.name, pay.amount, pay.receipt_no, pay.paid_on.isoformat()])


def _rates_sheet(book: _Book, org: Organization, month: date) -> None:
    sheet = book.sheet(
        _("Organizations"),
        " · ".join((org.name, label(month), _("Dues collection rates"))),
        [
            (_("Organization"), 30),
            (_("Code"), 16),
            (_("Members paid"), 12),
            (_("Members due"), 12),
            (_("Collection rate (%)"), 12),
            (_("Without dues profile"), 12),
        ],
    )
    for i, (child, rate) in enumerate(child_rates(org, month), start=2):
        percent = rate.percent if rate.percent is not None else ""
        book.row(sheet, i, [child.name, child.code, rate.paid, rate.due, percent, rate.unset])


def collection_sheet_xlsx(org: Organization, month: date) -> bytes:
    book = _Book()
    if org.holds_members:
        _members_sheet(book, org, month)
    if not org.is_branch:
        _rates_sheet(book, org, month)
    return book.close()
