"""Printable and spreadsheet outputs: a meeting's record and sign-in sheet as PDF (WeasyPrint with
the Noto CJK fonts), and an organization's meetings of a period as an Excel sheet."""

import base64
from datetime import datetime
from io import BytesIO

import xlsxwriter
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.excel import TEXT_ONLY
from dangjian.organizations.models import Organization

from . import richtext
from .models import AttendanceStatus, Meeting, MeetingAttachment
from .records import open_attachment

PDF_CSS = """
@page { size: A4; margin: 18mm 16mm;
        @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; } }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 11pt; line-height: 1.5; }
h1 { font-size: 17pt; text-align: center; margin: 0 0 8mm; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.6pt solid #333; padding: 2mm 2.5mm; vertical-align: top; text-align: left; }
th { background: #f1f1f1; width: 22%; }
.sign td { height: 11mm; }
.minutes { white-space: pre-wrap; min-height: 60mm; }
.richtext { min-height: 60mm; }
.richtext p, .richtext ul, .richtext ol, .richtext h3, .richtext h4 { margin: 0 0 2mm; }
.richtext table td, .richtext table th { width: auto; background: none; }
.photos img { max-width: 78mm; max-height: 60mm; margin: 0 2mm 2mm 0; }
"""
# Photos up to this size are printed in the record; larger ones are listed by name only (a
# phone's full-size photos would make the PDF slow to build and to send).
EMBED_MAX_BYTES = 2 * 1024 * 1024
EMBED_MAX_COUNT = 12


def _pdf(template: str, context: dict[str, object]) -> bytes:
    from weasyprint import CSS, HTML  # imported here: loading Pango costs ~0.3 s at start-up

    html = render_to_string(template, context)
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=PDF_CSS)]) or b""


def _data_uri(row: MeetingAttachment) -> str | None:
    """The photo inline as a data: URI, so WeasyPrint fetches nothing from the file system or
    the network; None if it is missing."""
    stored = open_attachment(row)
    if stored is None:
        return None
    with stored:
        data = stored.read(EMBED_MAX_BYTES + 1)
    return f"data:{row.content_type};base64,{base64.b64encode(data).decode()}"


def meeting_record_pdf(meeting: Meeting) -> bytes:
    rows = list(meeting.attendances.select_related("member").order_by("id"))
    counts = {s: sum(1 for r in rows if r.status == s) for s in AttendanceStatus.values}
    attachments = list(meeting.attachments.all())
    small = [a for a in attachments if a.is_image and a.size <= EMBED_MAX_BYTES][:EMBED_MAX_COUNT]
    photos = [(a, uri) for a in small if (uri := _data_uri(a))]
    context = {
        "meeting": meeting,
        "rows": rows,
        "counts": counts,
        "minutes_html": richtext.render(meeting.minutes),
        "attachments": attachments,
        "photos": photos,
        "revisions": list(meeting.revisions.select_related("created_by").order_by("number")),
    }
    return _pdf("orglife/pdf/record.html", context)


def signin_sheet_pdf(meeting: Meeting) -> bytes:
    rows = list(meeting.attendances.select_related("member").order_by("id"))
    return _pdf("orglife/pdf/signin.html", {"meeting": meeting, "rows": rows})


def meetings_xlsx(org: Organization, start: datetime, end: datetime) -> bytes:
    """One row per meeting of `org` that started in [start, end), with attendance counts (one query)."""
    per_status = {
        f"n_{s}": Count("attendances", filter=Q(attendances__status=s)) for s in AttendanceStatus.values
    }
    meetings = (
        Meeting.objects.filter(organization=org, starts_at__gte=start, starts_at__lt=end)
        .select_related("host", "recorder")
        .annotate(n_all=Count("attendances"), **per_status)
        .order_by("starts_at")
    )
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {**TEXT_ONLY, "in_memory": True})
    sheet = book.add_worksheet(_("Meetings")[:31])
    bold = book.add_format({"bold": True, "bg_color": "#F1F1F1", "border": 1})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    when = book.add_format({"border": 1, "num_format": "yyyy-mm-dd hh:mm", "valign": "top"})
    headers = [
        _("Starts at"),
        _("Kind of meeting"),
        _("Topic"),
        _("Place"),
        _("Host"),
        _("Recorder"),
        _("Expected"),
        _("Present"),
        _("On leave"),
        _("Absent"),
        _("Status"),
    ]
    widths = [17, 16, 36, 20, 10, 10, 8, 8, 8, 8, 10]
    sheet.write(0, 0, f"{org.name} · {start:%Y-%m-%d} — {end:%Y-%m-%d}", book.add_format({"bold": True}))
    for col, (title, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.write(1, col, title, bold)
        sheet.set_column(col, col, width)
    for row, m in enumerate(meetings, start=2):
        values = [
            m.get_kind_display(),
            m.topic,
            m.place or (_("Online") if m.online else ""),
            m.host.name if m.host else "",
            m.recorder.name if m.recorder else "",
            m.n_all,  # type: ignore[attr-defined]
            m.n_present,  # type: ignore[attr-defined]
            m.n_leave,  # type: ignore[attr-defined]
            m.n_absent,  # type: ignore[attr-defined]
            m.display_status_label,
        ]
        sheet.write_datetime(row, 0, timezone.localtime(m.starts_at).replace(tzinfo=None), when)
        for col, value in enumerate(values, start=1):
            sheet.write(row, col, value, cell)
    sheet.freeze_panes(2, 0)
    book.close()
    return buffer.getvalue()
