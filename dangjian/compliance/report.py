"""The compliance matrix and checklist as data: plain rows for the API and the CLI, and the
matrix as an Excel workbook (XlsxWriter). The pages, the API and `dangjian compliance_report`
call the same functions, so a figure reads the same everywhere.

Each function takes the acting user and refuses an organization outside their reach with
`OutOfScope` (the console's SYSTEM actor reaches everything).
"""

from io import BytesIO
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext as _

from dangjian.core.excel import TEXT_ONLY
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import in_scope
from dangjian.organizations.models import Organization

from .models import STORED_STATUSES
from .queries import Cell, Item, Matrix, checklist, matrix, rule_title, status_label

# Names are typed by users: one starting with "=" must stay text, never become a formula or link.


def _check(user: Any, org: Organization) -> None:
    if not in_scope(user, org, "view"):
        raise OutOfScope


def counts(cell: Cell) -> dict[str, Any]:
    return {"applicable": cell.applicable, **cell.counts(), "percent_met": cell.percent}


def _rule(column: Any) -> dict[str, Any]:
    rule = column.rule
    return {
        "id": rule.pk,
        "code": rule.code,
        "rule_set": rule.rule_set.code,
        "point": rule.point,
        "title": rule_title(rule),
        "kind": rule.kind,
    }


def _org(org: Organization) -> dict[str, Any]:
    return {"code": org.code, "name": org.name, "kind": org.kind, "sector": org.sector}


def matrix_rows(
    org: Organization,
    year: int,
    user: Any,
    *,
    sector: str | None = None,
    kind: str | None = None,
    data: Matrix | None = None,
) -> list[dict[str, Any]]:
    """One dict per organization directly below `org`: its totals over the measured rules and
    one entry per rule (in column order), each with counts by status and the share met."""
    if data is None:
        _check(user, org)
        data = matrix(org, year, sector=sector, kind=kind)
    rules = [_rule(c) for c in data.columns]
    return [
        {
            **_org(row.org),
            "has_children": bool(row.org.numchild),
            **counts(row.total),
            "rules": [
                {"rule": r["code"], "rule_set": r["rule_set"], **counts(c)}
                for r, c in zip(rules, row.cells, strict=True)
            ],
        }
        for row in data.rows
    ]


def as_json(
    org: Organization, year: int, user: Any, *, sector: str | None = None, kind: str | None = None
) -> dict[str, Any]:
    """The whole dashboard of `org` as JSON-ready data: rules, rows, totals, top lists, trend."""
    _check(user, org)
    data = matrix(org, year, sector=sector, kind=kind)
    return {
        "organization": _org(org),
        "year": year,
        "rules": [_rule(c) for c in data.columns],
        "rows": matrix_rows(org, year, user, data=data),
        "total": counts(data.total),
        "own": [counts(c) for c in data.own],
        "most_overdue": [
            {"code": r["code"], "name": r["name"], "overdue": r["overdue"]} for r in data.most_overdue
        ],
        "terms_overdue": [
            {
                "code": r.organization.code,
                "name": r.organization.name,
                "term_due_end": r.organization.term_due_end.isoformat()
                if r.organization.term_due_end
                else None,
            }
            for r in data.terms_overdue
        ],
        "dues_at_risk": [
            {"code": r.organization.code, "name": r.organization.name, "members": r.value}
            for r in data.dues_at_risk
        ],
        "trend": [
            {
                "month": s.month,
                "applicable": s.applicable,
                **{st.value: getattr(s, st.value) for st in STORED_STATUSES},
            }
            for s in data.trend
        ],
    }


def item_json(item: Item) -> dict[str, Any]:
    r = item.result
    return {
        "rule": item.rule.code,
        "rule_set": item.rule.rule_set.code,
        "point": item.rule.point,
        "title": item.title,
        "kind": item.rule.kind,
        "status": item.status,
        "status_label": item.status_label,
        "value": r.value if r else None,
        "target": r.target if r else None,
        "progress": item.progress,
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "records_url": item.records_url or None,
    }


def checklist_json(org: Organization, year: int, user: Any) -> dict[str, Any]:
    _check(user, org)
    return {"organization": _org(org), "year": year, "items": [item_json(i) for i in checklist(org, year)]}


def write_xlsx(
    target: str | Path | IO[bytes],
    org: Organization,
    year: int,
    user: Any,
    *,
    sector: str | None = None,
    kind: str | None = None,
) -> None:
    """The matrix as a workbook at `target` (a path or a binary stream): a sheet with the share
    met per organization and rule, a long sheet with every count, and the top lists."""
    _check(user, org)
    data = matrix(org, year, sector=sector, kind=kind)
    options = {**TEXT_ONLY, "in_memory": not isinstance(target, str | Path)}
    book = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, options)
    head = book.add_format(
        {"bold": True, "bg_color": "#F1F1F1", "border": 1, "text_wrap": True, "valign": "top"}
    )
    cell = book.add_format({"border": 1})
    title = book.add_format({"bold": True})
    heading = " · ".join((org.name, str(year), _("Work points: share of organizations met (%)")))

    sheet = book.add_worksheet(_("Matrix")[:31])
    sheet.write(0, 0, heading, title)
    fixed = [(_("Organization"), 28), (_("Code"), 16)]
    rule_heads = [(f"{c.rule.point or ''} {rule_title(c.rule)}".strip(), 14) for c in data.columns]
    tail = [(_("Applicable"), 10), *[(status_label(s), 10) for s in STORED_STATUSES], (_("Met (%)"), 10)]
    for col, (text, width) in enumerate([*fixed, *rule_heads, *tail]):
        sheet.write(1, col, text, head)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(2, 2)
    for i, row in enumerate(data.rows, start=2):
        values: list[Any] = [row.org.name, row.org.code]
        values += [c.percent if c.percent is not None else "" for c in row.cells]
        values += [row.total.applicable, *row.total.counts().values()]
        values.append(row.total.percent if row.total.percent is not None else "")
        for col, value in enumerate(values):
            sheet.write(i, col, value, cell)
    last = len(data.rows) + 2
    totals: list[Any] = [
        _("Whole subtree"),
        org.code,
        *[c.percent if c.percent is not None else "" for c in data.own],
    ]
    totals += [data.total.applicable, *data.total.counts().values()]
    totals.append(data.total.percent if data.total.percent is not None else "")
    for col, value in enumerate(totals):
        sheet.write(last, col, value, head)

    detail = book.add_worksheet(_("Counts")[:31])
    detail.write(0, 0, heading, title)
    heads = [
        (_("Organization"), 28),
        (_("Code"), 16),
        (_("Work point"), 8),
        (_("Rule"), 40),
        (_("Applicable"), 10),
        *[(status_label(s), 10) for s in STORED_STATUSES],
        (_("Met (%)"), 10),
    ]
    for col, (text, width) in enumerate(heads):
        detail.write(1, col, text, head)
        detail.set_column(col, col, width)
    line = 2
    for row in data.rows:
        for column, c in zip(data.columns, row.cells, strict=True):
            values = [
                row.org.name,
                row.org.code,
                column.rule.point or "",
                rule_title(column.rule),
                c.applicable,
            ]
            values += [*c.counts().values(), c.percent if c.percent is not None else ""]
            for col, value in enumerate(values):
                detail.write(line, col, value, cell)
            line += 1

    top = book.add_worksheet(_("Most overdue")[:31])
    top.write(0, 0, " · ".join((org.name, str(year), _("Organizations with the most overdue items"))), title)
    for col, (text, width) in enumerate([(_("Organization"), 28), (_("Code"), 16), (_("Overdue"), 10)]):
        top.write(1, col, text, head)
        top.set_column(col, col, width)
    for i, r in enumerate(data.most_overdue, start=2):
        for col, value in enumerate([r["name"], r["code"], r["overdue"]]):
            top.write(i, col, value, cell)
    book.close()


def xlsx_bytes(org: Organization, year: int, user: Any, **filters: Any) -> bytes:
    buffer = BytesIO()
    write_xlsx(buffer, org, year, user, **filters)
    return buffer.getvalue()
