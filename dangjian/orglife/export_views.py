"""Downloads: a meeting's record and sign-in sheet (PDF), an organization's meetings (Excel).
Each download is recorded in the audit log."""

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date

from dangjian.core import audit
from dangjian.core.views import get_for_user
from dangjian.organizations.models import Organization

from .exports import meeting_record_pdf, meetings_xlsx, signin_sheet_pdf
from .models import Meeting

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename={filename}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, Meeting, pk, select_related=["organization", "host", "recorder"])
    audit.record(
        "meeting.export",
        actor=request.user,
        obj=meeting,
        org_path=meeting.organization.path,
        detail="record.pdf",
    )
    return _download(meeting_record_pdf(meeting), "application/pdf", f"meeting-{meeting.pk}.pdf")


@login_required
def signin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, Meeting, pk, select_related=["organization"])
    audit.record(
        "meeting.export",
        actor=request.user,
        obj=meeting,
        org_path=meeting.organization.path,
        detail="signin.pdf",
    )
    return _download(signin_sheet_pdf(meeting), "application/pdf", f"signin-{meeting.pk}.pdf")


@login_required
def meetings_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD` (inclusive); the current year by default."""
    org = get_for_user(request, Organization, pk)
    today = timezone.localdate()
    first = parse_date(request.GET.get("from") or "") or today.replace(month=1, day=1)
    last = parse_date(request.GET.get("to") or "") or today.replace(month=12, day=31)
    if last < first:
        first, last = last, first
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tz)
    audit.record(
        "meeting.export",
        actor=request.user,
        obj=org,
        org_path=org.path,
        detail=f"meetings.xlsx {first}..{last}",
    )
    return _download(meetings_xlsx(org, start, end), XLSX, f"meetings-{org.code}-{first}-{last}.xlsx")
