"""The roster's files at rest: uploads and reports sealed (`core.sealed`), deleted after the
retention period.

Both hold full ID numbers (an upload is a member list; a report repeats the refused rows' cells),
so neither is ever written to the media folder in the clear. They are kept only as long as a
user may need them — to start the import, to download the report — then deleted with their
preview by `purge` (a daily Huey task, and `dangjian import purge`), one audit entry per job.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, sealed
from dangjian.core.fields import SealedFileField
from dangjian.core.scoping import SYSTEM, in_scope

from .models import ImportJob, ImportState

UPLOADS = "imports"
REPORTS = "imports/reports"


def _context(job_field: str) -> str:
    field = ImportJob._meta.get_field(job_field)
    assert isinstance(field, SealedFileField)
    return field.context


def new_name(prefix: str) -> str:
    # A random name that says nothing of the content (no .xlsx: the bytes are not a workbook).
    return f"{prefix}/{timezone.now():%Y/%m}/{os.urandom(16).hex()}.sealed"


def store_upload(source: IO[bytes]) -> str:
    source.seek(0)
    return sealed.store(new_name(UPLOADS), source, context=_context("file"))


def store_report(path: Path) -> str:
    with path.open("rb") as source:
        return sealed.store(new_name(REPORTS), source, context=_context("report"))


@contextmanager
def opened_upload(job: ImportJob) -> Iterator[Path]:
    """The job's file unsealed in a private temporary directory, for the length of the block."""
    with sealed.opened(job.file.name or "", context=_context("file"), suffix=f".{job.file_format}") as path:
        yield path


def report_stream(job: ImportJob) -> IO[bytes]:
    return sealed.opened_stream(job.report.name or "", context=_context("report"))


def open_report(job: ImportJob, user: Any) -> IO[bytes]:
    """The report, unsealed, for the page and the API alike: only for the uploader and for those
    who may see full values there (404 otherwise); every reading is audited, a damaged file too
    (`SealedFileError` is raised on after its entry)."""
    if not job.report or not (job.user_id == user.pk or in_scope(user, job.organization, "reveal_pii")):
        raise Http404
    path = job.organization.path
    try:
        stream = report_stream(job)
    except sealed.SealedFileError as exc:
        detail = f"{job.original_name}: {exc}"
        audit.record("roster.report", actor=user, obj=job, org_path=path, success=False, detail=detail)
        raise
    audit.record("roster.report", actor=user, obj=job, org_path=path, detail=job.original_name)
    return stream


def damaged_message() -> str:
    return _("The stored file is damaged or was altered and cannot be opened; nothing was read from it.")


# --- Retention ---------------------------------------------------------------------------------


def retention_days() -> int:
    return int(getattr(settings, "DANGJIAN_IMPORT_RETENTION_DAYS", 7))


def purge(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete the files, reports and previews of jobs older than the retention period (a job
    still running is left alone), and stray files under imports/ as old; returns the number of
    jobs purged. One audit entry per job (under its organization, so its auditors see it)."""
    now = now or timezone.now()
    days = retention_days() if days is None else days
    cutoff = now - timedelta(days=days)
    purged = 0
    expired = (
        ImportJob.objects.filter(created_at__lt=cutoff, files_deleted_at__isnull=True)
        .exclude(state=ImportState.RUNNING, started_at__gte=cutoff)
        .select_related("organization")
        .order_by("pk")
    )
    for job in list(expired):  # read first: the loop writes to the same table
        names = [n for n in (job.file.name, job.report.name) if n]
        for name in names:
            default_storage.delete(name)
        changes: dict[str, object] = {"files": len(names), "retention_days": days}
        if job.state in (ImportState.UPLOADED, ImportState.PREVIEWED):
            job.move_to(ImportState.FAILED)
            job.message = _("The file was deleted after %(days)s days; upload it again.") % {"days": days}
            changes["state"] = ImportState.FAILED
        ImportJob.objects.filter(pk=job.pk).update(
            file="", report="", preview="", files_deleted_at=now, state=job.state, message=job.message
        )
        audit.record(
            "roster.purge",
            actor=SYSTEM,
            obj=job,
            org_path=job.organization.path,
            changes=changes,
            detail=job.original_name,
        )
        purged += 1
    strays = _purge_strays(cutoff)
    if strays:
        audit.record("roster.purge", actor=SYSTEM, changes={"stray_files": strays, "retention_days": days})
    return purged


def _purge_strays(cutoff: datetime) -> int:
    """Files under imports/ that no job names (left by a crash, or stored before files were
    sealed and since unlinked), older than the cutoff."""
    try:
        root = Path(default_storage.path(UPLOADS))
    except NotImplementedError:
        return 0
    if not root.is_dir():
        return 0
    names = {n for pair in ImportJob.objects.values_list("file", "report") for n in pair if n}
    base = Path(default_storage.path(""))
    deleted = 0
    for path in root.rglob("*"):
        if not path.is_file() or path.stat().st_mtime >= cutoff.timestamp():
            continue
        if path.relative_to(base).as_posix() not in names:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
