"""Every report of a campaign under one organization as an Excel workbook (XlsxWriter in
constant memory, to a temporary file: a province's campaign has some 190,000 rows). Cells are
always text: answers are typed by users."""

import tempfile
from collections.abc import Iterable
from pathlib import Path

import xlsxwriter
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.excel import TEXT_ONLY

from .models import Assignment, AssignmentState, Campaign, CaseState

CHUNK = 2000


def xlsx_file(campaign: Campaign, rows: Iterable[Assignment]) -> tuple[Path, int]:
    handle = tempfile.NamedTemporaryFile(prefix="dj-campaign-", suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    book = xlsxwriter.Workbook(str(path), {**TEXT_ONLY, "constant_memory": True})
    sheet = book.add_worksheet(_("Reports")[:31])
    head = book.add_format({"bold": True, "bg_color": "#F1F1F1", "border": 1})
    sheet.write_string(0, 0, f"{campaign.title} · {timezone.localdate().isoformat()}")
    headers = [
        _("Organization"),
        _("Code"),
        _("State"),
        _("Submitted at"),
        *[f["label"] for f in campaign.fields],
        _("Files"),
        _("Cases"),
        _("Cases concluded"),
        _("Note"),
    ]
    for col, text in enumerate(headers):
        sheet.write_string(1, col, str(text), head)
        sheet.set_column(col, col, 24 if col == 0 else 14)
    labels = dict(AssignmentState.choices)
    count = 0
    for count, a in enumerate(rows, start=1):
        submitted = timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") if a.submitted_at else ""
        values = [
            a.organization.name,
            a.organization.code,
            str(labels[a.state]),
            submitted,
            *[str(a.answers.get(f["key"], "")) for f in campaign.fields],
            str(a.n_files),  # type: ignore[attr-defined]
            str(a.n_cases),  # type: ignore[attr-defined]
            str(a.n_concluded),  # type: ignore[attr-defined]
            a.review_note,
        ]
        for col, value in enumerate(values):
            if value:
                sheet.write_string(count + 1, col, value)
    sheet.freeze_panes(2, 0)
    book.close()
    return path, count


def rows_of(assignments: QuerySet[Assignment]) -> Iterable[Assignment]:
    """The rows of the workbook, with their counts of files and cases, read in chunks."""
    return (
        assignments.select_related("organization")
        .annotate(
            n_files=Count("files", distinct=True),
            n_cases=Count("cases", distinct=True),
            n_concluded=Count("cases", filter=Q(cases__state=CaseState.CONCLUDED), distinct=True),
        )
        .order_by("organization__path")
        .iterator(chunk_size=CHUNK)
    )
