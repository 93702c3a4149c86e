"""The secretary's report page of an organization, `/orgs/<pk>/secretary-report/?year=`.

The organization's own report (written and submitted by its secretary, graded or returned by the
level above), and, for an organization with others below it, their reports to it with the state
of each, those awaiting this user's grade first. Routes are keyed by the organization, so one
outside the user's reach answers 404 before anything else is read.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.core.exceptions import OutOfScope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.organizations.models import BRANCH_KINDS, Organization

from . import report_services
from .access import holds_own_grant, may_review, own_grant_paths
from .common import this_year, year_param
from .files import file_response
from .forms import ReportForm, ReportReviewForm
from .models import REPORT_EDITABLE, ReportGrade, ReportState, SecretaryReport
from .queries import children_with_report


def _page_url(org: Organization, year: int) -> str:
    return f"/orgs/{org.pk}/secretary-report/?year={year}"


def _report(org: Organization, year: int) -> SecretaryReport | None:
    return SecretaryReport.objects.filter(organization=org, year=year).select_related("organization").first()


def _save(request: HttpRequest, org: Organization, year: int, form: ReportForm) -> bool:
    data = form.cleaned_data
    try:
        report = report_services.save_report(
            org,
            year,
            data["text"],
            data.get("attachment"),
            remove_attachment=bool(data.get("remove_attachment")),
            expected_version=data.get("version"),
            acting_user=request.user,
        )
        if "submit" in request.POST:
            report_services.submit_report(report, expected_version=report.version, acting_user=request.user)
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    messages.success(
        request, _("Report submitted to the level above.") if "submit" in request.POST else _("Draft saved.")
    )
    return True


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def org_secretary_report(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(request.GET.get("year", "") or request.POST.get("year", ""))
    report = _report(org, year)
    own = holds_own_grant(request.user, org)
    editable = own and org.depth > 1 and (report is None or report.state in REPORT_EDITABLE)
    status = 200
    form = None
    if editable:
        initial: dict[str, Any] = {"version": report.version, "text": report.text} if report else {}
        form = ReportForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST":
            if form.is_valid() and _save(request, org, year, form):
                return redirect(_page_url(org, year))
            status = 400
            report = _report(org, year)
    elif request.method == "POST":
        messages.error(request, _("The report can no longer be changed here."))
        return redirect(_page_url(org, year))
    if report is not None:
        attach_steps([report])
    context: dict[str, Any] = {
        "org": org,
        "year": year,
        "this_year": this_year(),
        "tab": "secretary_report",
        "report": report,
        "own": own,
        "form": form,
        "can_review": report is not None
        and report.state == ReportState.SUBMITTED
        and may_review(request.user, org, report.submitted_by_id),
        "review_form": ReportReviewForm(initial={"version": report.version}) if report else None,
        "grades": ReportGrade,
    }
    if org.kind not in BRANCH_KINDS:
        below = children_with_report(org, year)
        own_paths = own_grant_paths(request.user)
        context |= {
            "below": below,
            "awaiting": [
                (o, r)
                for o, r in below
                if r
                and r.state == ReportState.SUBMITTED
                and may_review(request.user, o, r.submitted_by_id, own_paths)
            ],
            "states": ReportState,
        }
    return render(request, "supervision/secretary_report.html", context, status=status)


@login_required
@require_POST
def secretary_report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The level above grades the report (`grade` set), or returns it (`return` button)."""
    org = get_for_user(request, Organization, pk)
    report = _report(org, year_param(request.POST.get("year", "")))
    if report is None:
        raise Http404
    form = ReportReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; reload the page and try again."))
        return redirect(_page_url(org, report.year))
    data = form.cleaned_data
    try:
        if "return" in request.POST:
            report_services.return_report(
                report, reason=data["comment"], expected_version=data["version"], acting_user=request.user
            )
            done = _("Report returned for revision.")
        else:
            report_services.evaluate_report(
                report,
                data["grade"],
                comment=data["comment"],
                expected_version=data["version"],
                acting_user=request.user,
            )
            done = _("Report evaluated.")
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(_page_url(org, report.year))


@login_required
def secretary_report_file(request: HttpRequest, pk: int) -> FileResponse:
    """`?year=`: the report's attached file, to whoever may see the organization."""
    org = get_for_user(request, Organization, pk)
    report = _report(org, year_param(request.GET.get("year", "")))
    if report is None:
        raise Http404
    return file_response(
        request.user,
        report.attachment,
        report.attachment_name,
        action="secretary_report.download",
        obj=report,
        org_path=org.path,
    )
