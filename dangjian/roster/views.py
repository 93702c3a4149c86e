"""Import pages: upload, preview and start, a progress bar polled by HTMX, the report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from dangjian.core import uploads
from dangjian.core.exceptions import OutOfScope
from dangjian.core.sealed import SealedFileError
from dangjian.core.views import apply_errors, get_for_user
from dangjian.organizations.models import Organization

from . import services, storage
from .forms import ImportForm
from .models import ImportJob, ImportState
from .spool import CHUNK_BYTES


@login_required
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "change")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.upload_roster(
                org,
                form.cleaned_data["file"],
                acting_user=request.user,
                partial=form.cleaned_data["partial"],
                dry_run=form.cleaned_data["dry_run"],
                language=get_language() or "",
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("import_detail", pk=job.pk)
    recent = ImportJob.objects.filter(organization=org).select_related("user")[:10]
    return render(request, "roster/upload.html", {"org": org, "form": form, "recent": recent})


def _job(request: HttpRequest, pk: int) -> ImportJob:
    # Seeing a job shows (masked) cells of its file: only for those who may import there.
    return get_for_user(request, ImportJob, pk, "change", select_related=["organization", "user"])


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context: dict[str, object] = {"job": job, "org": job.organization}
    if job.state in (ImportState.UPLOADED, ImportState.PREVIEWED):
        preview = services.preview_job(job)
        context.update(preview=preview, preview_rows=preview.rows)
    return render(request, "roster/job.html", context)


@login_required
@require_POST
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.start_import(job, acting_user=request.user)
    except (ValidationError, OutOfScope) as exc:
        if isinstance(exc, OutOfScope):
            raise Http404 from exc
        messages.error(request, " ".join(exc.messages))
    return redirect("import_detail", pk=job.pk)


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "roster/_progress.html", {"job": job})


@login_required
def import_report(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The refused rows hold the file's own cells, full ID numbers included: for the uploader and
    for those who may see full values there. Unsealed whole before the first byte is sent."""
    job = _job(request, pk)
    try:
        stream = storage.open_report(job, request.user)
    except SealedFileError:
        messages.error(request, storage.damaged_message())
        return redirect("import_detail", pk=job.pk)
    name = f"import-report-{job.pk}.xlsx"
    response = uploads.download_response(stream, name, uploads.KINDS["xlsx"].content_type)
    response.block_size = CHUNK_BYTES
    return response
