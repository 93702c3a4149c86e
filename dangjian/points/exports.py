"""The year's point totals as an Excel workbook (XlsxWriter, in memory): one row per member on
the roll in the subtree, organization by organization, with the rank in their organization and
the points by kind of rule. No ID numbers or phones."""

from io import BytesIO

import xlsxwriter
from django.utils.translation import gettext as _

from dangjian.core.excel import TEXT_ONLY
from dangjian.organizations.models import Organization

from .models import RuleKind
from .queries import KIND_COLUMNS, year_totals

# Names are typed by users: one starting with "=" must stay text, never become a formula.


def totals_xlsx(org: Organization, year: int) -> bytes:
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {**TEXT_ONLY, "in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#F1F1F1", "border": 1})
    cell = book.add_format({"border": 1})
    sheet = book.add_worksheet(_("Points")[:31])
    sheet.write(
        0,
        0,
        " · ".join((org.name, str(year), _("Member points, yearly totals"))),
        book.add_format({"bold": True}),
    )
    headers = [
        (_("Organization"), 24),
        (_("Code"), 14),
        (_("Name"), 10),
        (_("Total"), 8),
        (_("Rank in organization"), 10),
        *[(str(RuleKind(k).label), 12) for k in KIND_COLUMNS],
    ]
    for col, (text, width) in enumerate(headers):
        sheet.write(1, col, text, head)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(2, 0)
    for row, r in enumerate(year_totals(org, year), start=2):
        values = [
            r.organization.name,
            r.organization.code,
            r.member.name,
            r.total,
            r.rank,
            *[r.by_kind.get(k, 0) for k in KIND_COLUMNS],
        ]
        for col, value in enumerate(values):
            sheet.write(row, col, value, cell)
    book.close()
    return buffer.getvalue()
