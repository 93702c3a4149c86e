"""Downloads of a development: the person's file (全程纪实) and the generated paperwork, each a PDF
for whoever may see the person's page (outsiders 404), each recorded in the audit log as an
export. A paper whose facts are not recorded yet is refused with the step it waits for."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from dangjian.core import audit
from dangjian.core.views import get_for_user

from .models import Applicant
from .paperwork import PAPERS, file_pdf, missing, paper_pdf
from .workflows import DEVELOPMENT_FLOW

PDF = "application/pdf"


def _download(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=PDF)
    response["Content-Disposition"] = f"attachment; filename={filename}"
    response["Cache-Control"] = "private, no-store"
    return response


def _export(request: HttpRequest, applicant: Applicant, name: str) -> None:
    audit.record(
        "development.export",
        actor=request.user,
        obj=applicant,
        org_path=applicant.organization.path,
        detail=name,
    )


@login_required
def person_file(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = get_for_user(request, Applicant, pk, DEVELOPMENT_FLOW.gate, select_related=["organization"])
    body = file_pdf(applicant)
    _export(request, applicant, "file.pdf")
    return _download(body, f"development-{applicant.pk}.pdf")


@login_required
def paper(request: HttpRequest, pk: int, paper: str) -> HttpResponse:
    applicant = get_for_user(request, Applicant, pk, DEVELOPMENT_FLOW.gate, select_related=["organization"])
    kind = PAPERS.get(paper)
    if kind is None:
        raise Http404
    why = missing(applicant, kind)
    if why:
        messages.error(request, why)
        return redirect("development_person", pk=applicant.pk)
    body = paper_pdf(applicant, kind)
    _export(request, applicant, f"{kind.slug}.pdf")
    return _download(body, f"development-{applicant.pk}-{kind.slug}.pdf")
