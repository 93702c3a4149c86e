"""The 五化 page of an organization, `/orgs/<pk>/five-standards/?year=`, and its actions.

For a branch: its assessment — the form for its own secretary or organizer while it can be
changed, the evidence files, and the decision form for the level above. For any other
organization: the branches of its subtree with the state of their assessment, those awaiting
this user's decision first.

Every route is keyed by the organization (the record is "the branch's assessment of the year"),
so an organization outside the user's reach answers 404 before anything else is read.
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
from dangjian.organizations.models import Organization

from . import services
from .access import holds_own_grant, may_review, own_grant_paths
from .common import int_param, this_year, year_param
from .files import file_response
from .forms import AssessmentForm, AssessmentReviewForm, EvidenceForm
from .models import (
    ASSESSMENT_EDITABLE,
    AssessmentState,
    Dimension,
    FiveStandardsAssessment,
    FiveStandardsEvidence,
)
from .queries import branches_with_assessment


def _page_url(org: Organization, year: int) -> str:
    return f"/orgs/{org.pk}/five-standards/?year={year}"


def _assessment(org: Organization, year: int) -> FiveStandardsAssessment | None:
    return (
        FiveStandardsAssessment.objects.filter(organization=org, year=year)
        .select_related("organization")
        .first()
    )


def _save(request: HttpRequest, org: Organization, year: int, form: AssessmentForm) -> bool:
    """Save the draft and, for the submit button, submit it. A refused submission keeps the
    saved draft (the secretary's typing is not lost) and shows what is missing."""
    data = form.cleaned_data
    try:
        assessment = services.save_assessment(
            org, year, data, expected_version=data.get("version"), acting_user=request.user
        )
        if "submit" in request.POST:
            services.submit_assessment(
                assessment, expected_version=assessment.version, acting_user=request.user
            )
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    messages.success(
        request,
        _("Assessment submitted to the level above.") if "submit" in request.POST else _("Draft saved."),
    )
    return True


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def org_five_standards(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(request.GET.get("year", "") or request.POST.get("year", ""))
    context: dict[str, Any] = {"org": org, "year": year, "this_year": this_year(), "tab": "five_standards"}
    status = 200
    if org.is_branch:
        assessment = _assessment(org, year)
        own = holds_own_grant(request.user, org)
        editable = own and (assessment is None or assessment.state in ASSESSMENT_EDITABLE)
        form = None
        if editable:
            initial: dict[str, Any] = {"version": assessment.version} if assessment else {}
            if assessment:
                initial |= {f: getattr(assessment, f) for f in services.FIELDS}
            form = AssessmentForm(request.POST if request.method == "POST" else None, initial=initial)
            if request.method == "POST":
                if form.is_valid() and _save(request, org, year, form):
                    return redirect(_page_url(org, year))
                status = 400
                assessment = _assessment(org, year)  # a refused submission still saved the draft
        elif request.method == "POST":
            messages.error(request, _("The assessment can no longer be changed here."))
            return redirect(_page_url(org, year))
        if assessment is not None:
            attach_steps([assessment])
        context |= {
            "assessment": assessment,
            "form": form,
            "own": own,
            "evidence": list(assessment.evidence.all()) if assessment else [],  # type: ignore[attr-defined]
            "evidence_form": EvidenceForm() if editable and assessment else None,
            "can_review": assessment is not None
            and assessment.state == AssessmentState.SUBMITTED
            and may_review(request.user, org, assessment.submitted_by_id),
            "review_form": AssessmentReviewForm(initial={"version": assessment.version})
            if assessment
            else None,
            "dimensions": Dimension,
        }
    elif request.method == "POST":
        raise Http404
    else:
        below = branches_with_assessment(org, year)
        own_paths = own_grant_paths(request.user)
        awaiting = [
            (b, a)
            for b, a in below
            if a
            and a.state == AssessmentState.SUBMITTED
            and may_review(request.user, b, a.submitted_by_id, own_paths)
        ]
        counts = [
            (value, label, sum(1 for _b, a in below if a and a.state == value))
            for value, label in AssessmentState.choices
        ]
        context |= {
            "below": below,
            "awaiting": awaiting,
            "counts": counts,
            "not_started": sum(1 for _b, a in below if a is None),
        }
    return render(request, "supervision/five_standards.html", context, status=status)


def _posted_assessment(request: HttpRequest, pk: int) -> tuple[Organization, FiveStandardsAssessment]:
    org = get_for_user(request, Organization, pk)
    year = year_param(request.POST.get("year", ""))
    assessment = _assessment(org, year)
    if assessment is None:
        raise Http404
    return org, assessment


@login_required
@require_POST
def five_standards_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The level above decides: meets the standard, does not, or returned with a reason."""
    org, assessment = _posted_assessment(request, pk)
    form = AssessmentReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect(_page_url(org, assessment.year))
    data = form.cleaned_data
    try:
        if data["decision"] == AssessmentState.RETURNED:
            services.return_assessment(
                assessment, reason=data["comment"], expected_version=data["version"], acting_user=request.user
            )
        else:
            services.decide_assessment(
                assessment,
                data["decision"],
                comment=data["comment"],
                expected_version=data["version"],
                acting_user=request.user,
            )
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect(_page_url(org, assessment.year))


@login_required
@require_POST
def five_standards_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    org, assessment = _posted_assessment(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            services.add_evidence(
                assessment,
                form.cleaned_data["file"],
                dimension=form.cleaned_data["dimension"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("File attached."))
    return redirect(_page_url(org, assessment.year))


def _evidence(request: HttpRequest, pk: int, raw_id: Any) -> tuple[Organization, FiveStandardsEvidence]:
    org = get_for_user(request, Organization, pk)
    evidence_id = int_param(raw_id)
    evidence = (
        FiveStandardsEvidence.objects.filter(pk=evidence_id, assessment__organization=org)
        .select_related("assessment")
        .first()
        if evidence_id
        else None
    )
    if evidence is None:
        raise Http404
    return org, evidence


@login_required
@require_POST
def five_standards_evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    org, evidence = _evidence(request, pk, request.POST.get("id"))
    try:
        services.remove_evidence(evidence, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("File removed."))
    return redirect(_page_url(org, evidence.assessment.year))


@login_required
def five_standards_evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """`?id=`: an evidence file, to whoever may see the branch."""
    org, evidence = _evidence(request, pk, request.GET.get("id"))
    return file_response(
        request.user,
        evidence.file,
        evidence.file_name,
        action="five_standards.evidence_download",
        obj=evidence.assessment,
        org_path=org.path,
    )
