"""Downloads of the compliance engine: the matrix as Excel (built in `report`) and an
organization's year-end report as PDF (WeasyPrint with the Noto CJK fonts, like the meeting
record): its checklist and, for a committee, the matrix of the organizations below it."""

from datetime import date
from typing import Any

from django.template.loader import render_to_string

from dangjian.organizations.models import Organization

from . import queries

PDF_CSS = """
@page { size: A4; margin: 16mm 14mm;
        @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; } }
@page wide { size: A4 landscape; margin: 12mm 10mm;
        @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 9.5pt; line-height: 1.4; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; }
.meta { text-align: center; color: #555; margin-bottom: 5mm; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.5pt solid #444; padding: 1.2mm 1.6mm; vertical-align: top; text-align: left; }
th { background: #f1f1f1; }
td.n { text-align: right; white-space: nowrap; }
.wide { page: wide; page-break-before: always; }
.wide th, .wide td { font-size: 7.5pt; padding: 0.8mm 1mm; }
.s-met { color: #146c43; } .s-on_track { color: #0a58ca; } .s-at_risk { color: #997404; }
.s-overdue { color: #b02a37; font-weight: bold; }
.s-not_applicable, .s-not_measured, .s-not_computed { color: #777; }
.dj-good { background: #d1e7dd; } .dj-fair { background: #e8f3d6; } .dj-weak { background: #fff3cd; }
.dj-bad { background: #f8d7da; } .dj-na { background: #f3f3f3; color: #888; }
.legend { font-size: 8pt; color: #333; }
"""


def year_report_pdf(org: Organization, year: int, today: date) -> bytes:
    from weasyprint import CSS, HTML  # imported here: loading Pango costs ~0.3 s at start-up

    context: dict[str, Any] = {
        "org": org,
        "year": year,
        "today": today,
        "items": queries.checklist(org, year),
        "matrix": queries.matrix(org, year) if org.numchild else None,
    }
    html = render_to_string("compliance/pdf/report.html", context)
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=PDF_CSS)]) or b""
