"""Compliance pages: an organization's checklist of the year's work points, a committee's
supervision dashboard (children × rules, top lists, trend), and their downloads.

Every view reaches the organization through `get_for_user`, so one outside the user's reach is
a 404. The pages read stored results and rollups only; the one live computation is the
per-period detail of a monthly or quarterly rule on a single organization's checklist.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.views import get_for_user, htmx_partial
from dangjian.organizations.models import Organization, OrgKind, Sector

from . import queries, report
from .exports import year_report_pdf
from .models import STORED_STATUSES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEARS_BACK = 4


def year_param(request: HttpRequest) -> int:
    """`?year=`; this year when absent or out of range (pages do not fail on a bad link)."""
    raw = request.GET.get("year", "")
    return int(raw) if is_int(raw) and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def _choice(request: HttpRequest, name: str, choices: Any) -> str | None:
    value = request.GET.get(name, "")
    return value if value in choices.values else None


def _years(year: int) -> list[int]:
    this = timezone.localdate().year
    return sorted({*range(this - YEARS_BACK, this + 1), year}, reverse=True)


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename={filename}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def org_compliance(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(request)
    today = timezone.localdate()
    items = queries.checklist(org, year)
    details = {i.rule.pk: queries.periods(i, org, year, today) for i in items if i.periodic}
    rows = [(item, details.get(item.rule.pk)) for item in items]
    summary = [
        (queries.status_label(s), sum(1 for i in items if i.status == s), *queries.BADGES[s])
        for s in STORED_STATUSES
    ]
    context = {
        "org": org,
        "year": year,
        "years": _years(year),
        "rows": rows,
        "summary": summary,
        "is_committee": queries.is_committee_view(org),
        "can_export": in_scope(request.user, org, "export"),
    }
    template = "compliance/_checklist.html" if htmx_partial(request) else "compliance/checklist.html"
    return render(request, template, context)


def _axis_month(month: int) -> str:
    """A month on a chart axis: 2月 in Chinese (Django's 二月 reads poorly on a narrow axis), the
    three-letter abbreviation otherwise."""
    return f"{month}月" if get_language().startswith("zh") else str(MONTHS_3[month]).title()


def _trend(data: queries.Matrix) -> dict[str, Any]:
    """The trend chart's data, with its labels already translated."""
    months = [s.month for s in data.trend]
    series = [
        {"name": queries.status_label(s), "key": s.value, "data": [getattr(t, s.value) for t in data.trend]}
        for s in STORED_STATUSES
    ]
    share = [round(t.met * 100 / t.applicable) if t.applicable else None for t in data.trend]
    return {
        "months": [_axis_month(m) for m in months],
        "series": series,
        "share": {"name": _("Met (%)"), "data": share},
        # Axis names, so the chart reads without the legend: what is counted, and in what unit.
        "axes": {"x": _("Month"), "y": _("Number of organizations"), "share": _("Met (%)")},
        "empty": _(
            "No monthly figures stored for this year yet. "
            "They appear here once this year's work points are loaded."
        ),
    }


@login_required
def org_supervision(request: HttpRequest, pk: int) -> HttpResponse:
    """`?year=&sector=&kind=`; `&format=xlsx` downloads the matrix (needs the export scope)."""
    wants_xlsx = request.GET.get("format") == "xlsx"
    org = get_for_user(request, Organization, pk, "export" if wants_xlsx else "view")
    if not queries.is_committee_view(org):
        raise Http404  # nothing below to supervise: the checklist is the page for a leaf
    year = year_param(request)
    sector, kind = _choice(request, "sector", Sector), _choice(request, "kind", OrgKind)
    if wants_xlsx:
        body = report.xlsx_bytes(org, year, request.user, sector=sector, kind=kind)
        audit.record(
            "compliance.export",
            actor=request.user,
            obj=org,
            org_path=org.path,
            detail=f"compliance.xlsx {year} sector={sector or ''} kind={kind or ''}",
        )
        return _download(body, XLSX, f"compliance-{org.code}-{year}.xlsx")
    data = queries.matrix(org, year, sector=sector, kind=kind)
    query = request.GET.copy()
    query["format"] = "xlsx"
    context = {
        "org": org,
        "year": year,
        "years": _years(year),
        "data": data,
        "sector": sector or "",
        "kind": kind or "",
        "sectors": Sector.choices,
        "kinds": OrgKind.choices,
        "total_counts": [(queries.status_label(s), getattr(data.total, s.value)) for s in STORED_STATUSES],
        "keep": [("sector", sector), ("kind", kind)],
        "trend": _trend(data),
        "xlsx_query": query.urlencode(),
        "can_export": in_scope(request.user, org, "export"),
    }
    template = "compliance/_dashboard.html" if htmx_partial(request) else "compliance/supervision.html"
    return render(request, template, context)


@login_required
def org_compliance_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "export")
    year = year_param(request)
    body = year_report_pdf(org, year, timezone.localdate())
    audit.record(
        "compliance.export", actor=request.user, obj=org, org_path=org.path, detail=f"compliance.pdf {year}"
    )
    return _download(body, "application/pdf", f"compliance-{org.code}-{year}.pdf")
