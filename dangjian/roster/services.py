"""All writes of the roster: upload a file, start its import, run it (task and CLI alike).

Scope: importing needs "change" on the target organization, checked at upload, at start and
again when the job runs (a grant may have been withdrawn meanwhile) and after the insert. The
audit log gets one entry per upload and one per import run with its counts, never one per row.
"""

import json
import logging
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.core import audit, sealed, uploads
from dangjian.core.exceptions import OutOfScope
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.organizations.models import Organization

from . import limits, storage
from .importer import Progress, Result, insert, no_progress, validate_file
from .models import ImportJob, ImportOutcome, ImportState
from .progress import JobProgress
from .reading import Column, open_table, sniff_format
from .spool import Spool

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 300 * 1024 * 1024  # a province-scale CSV of a million members is ~150 MB
EXTENSIONS = (".xlsx", ".xls", ".csv")
PREVIEW_ROWS = 10
QUEUED = "queued"  # the phase of a started job no worker has claimed yet


def check_roster_upload(upload: UploadedFile) -> str:
    """The file's format, read from its content. The name need only be a spreadsheet's: offices
    save CSV as .xls and old workbooks as .xlsx, and the content decides how it is read (the
    file is never served back, so a name that lies cannot mislead a browser)."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > MAX_IMPORT_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(size / 1048576, 1), "limit": MAX_IMPORT_BYTES // 1048576},
            code="too_large",
        )
    if PurePath(upload.name or "").suffix.lower() not in EXTENSIONS:
        raise ValidationError(
            _("Upload an Excel workbook (.xlsx, .xls) or a CSV file."),
            code="kind",
        )
    fmt = sniff_format(upload)  # type: ignore[arg-type]
    if fmt is None:
        raise ValidationError(
            _("This is not a roster file: upload an Excel workbook (.xlsx, .xls) or a CSV file."),
            code="format",
        )
    limits.check_file(upload, fmt, size)  # type: ignore[arg-type]
    return fmt


@write_service("roster.upload")
def upload_roster(
    organization: Organization,
    upload: UploadedFile,
    *,
    acting_user: Any,
    partial: bool = False,
    dry_run: bool = False,
    language: str = "",
) -> ImportJob:
    require_scope(acting_user, organization, "change")
    fmt = check_roster_upload(upload)
    name = storage.store_upload(upload)  # type: ignore[arg-type]
    try:
        job = ImportJob.objects.create(
            organization=organization,
            user=account_of(acting_user),
            file=name,
            original_name=uploads.display_name(upload),
            file_format=fmt,
            size=upload.size or 0,
            partial=partial,
            dry_run=dry_run,
            language=language or translation.get_language() or "zh-hans",
        )
    except BaseException:
        default_storage.delete(name)  # the row rolls back with the transaction; the file would not
        raise
    audit.record(
        "roster.upload", actor=acting_user, obj=job, org_path=organization.path, detail=job.original_name
    )
    return job


@dataclass
class PreviewTable:
    """What the job page shows of the file's layout (a `reading.Table` without its rows)."""

    format: str = ""
    columns: list[Column] = field(default_factory=list)
    header_row: int = 0
    sheet: str = ""
    encoding: str = ""


@dataclass
class Preview:
    table: PreviewTable | None = None
    rows: list[list[str]] = field(default_factory=list)  # ID numbers and phones masked
    error: str = ""

    def dump(self) -> str:
        return json.dumps(
            {"table": asdict(self.table) if self.table else None, "rows": self.rows, "error": self.error},
            ensure_ascii=False,
        )

    @classmethod
    def load(cls, text: str) -> "Preview":
        data = json.loads(text)
        table = data["table"]
        if table is not None:
            table = PreviewTable(**{**table, "columns": [Column(**c) for c in table["columns"]]})
        return cls(table=table, rows=data["rows"], error=data["error"])


def preview_job(job: ImportJob) -> Preview:
    """The detected columns and the first rows, as the import will read them, ID numbers and
    phones masked. Read from the file once and kept on the job (sealed, like the file): the
    page is polled and revisited, and a workbook is parsed whole to give its first rows. A file
    that cannot be read is kept as such (its message), and cannot be started."""
    if job.preview:
        return Preview.load(job.preview)
    if not job.file:
        gone = _("The file was deleted after the retention period; upload it again.")
        return Preview(error=job.message or gone)
    try:
        preview = _read_preview(job)
    except sealed.SealedFileError:
        return Preview(error=storage.damaged_message())  # not kept: the file is what is wrong
    job.preview = preview.dump()
    fields = ["preview"]
    if job.state == ImportState.UPLOADED and not preview.error:
        job.move_to(ImportState.PREVIEWED)
        fields.append("state")
    job.save(update_fields=fields)
    return preview


def _read_preview(job: ImportJob) -> Preview:
    try:
        with storage.opened_upload(job) as path:
            table = open_table(path, job.file_format, checked=True)
            rows = []
            for _number, cells in table.rows:
                rows.append([_show(c) for c in cells])
                if len(rows) >= PREVIEW_ROWS:
                    break
            table.close()
    except ValidationError as exc:
        return Preview(error=" ".join(exc.messages))
    layout = PreviewTable(table.format, table.columns, table.header_row, table.sheet, table.encoding)
    return Preview(table=layout, rows=_masked(table.fields, rows))


def _birth_year_only(value: str) -> str:
    """A birth-date cell of the preview as its year: the cell beside a masked ID number would
    otherwise rebuild it (the preview is for checking columns, which the year shows)."""
    found = re.search(r"(?<!\d)(1[89]|20)\d{2}(?!\d)", value or "")
    return found.group(0) if found else "*" * len(value or "")


def _masked(fields: dict[str, int], rows: list[list[str]]) -> list[list[str]]:
    """The preview is for checking columns: it never needs a full ID number or phone, and shows
    birth dates as their year (the disclosure policy in docs/architecture.md)."""
    masks = [
        (fields[f], m)
        for f, m in (("id_number", mask_id_number), ("phone", mask_phone), ("birth_date", _birth_year_only))
        if f in fields
    ]
    for row in rows:
        for index, mask in masks:
            if index < len(row):
                row[index] = mask(row[index])
    return rows


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


@write_service("roster.start")
def start_import(job: ImportJob, *, acting_user: Any) -> ImportJob:
    job = ImportJob.objects.select_for_update().select_related("organization").get(pk=job.pk)
    require_scope(acting_user, job.organization, "change")
    if not job.file:
        gone = _("The file was deleted after the retention period; upload it again.")
        raise ValidationError(gone, code="deleted")
    job.move_to(ImportState.RUNNING)
    job.phase = QUEUED
    job.progress = 0
    job.started_at = timezone.now()
    job.save(update_fields=["state", "phase", "progress", "started_at"])
    from .tasks import run_import_job  # the task module imports this one

    pk = job.pk
    transaction.on_commit(lambda: run_import_job(pk))
    return job


def import_roster(
    path: Path,
    organization: Organization,
    *,
    acting_user: Any,
    report_path: Path,
    partial: bool = False,
    dry_run: bool = False,
    progress: Progress = no_progress,
    checked: bool = False,
) -> Result:
    """Validate the whole file (report written to `report_path`), then insert it in one
    transaction unless rows were refused (and `partial` is off) or it is a dry run."""
    try:
        require_scope(acting_user, organization, "change")
        result, spool = validate_file(
            path, organization, report_path, progress=progress, checked=checked
        )
    except (ValidationError, OutOfScope) as exc:
        detail = " ".join(exc.messages) if isinstance(exc, ValidationError) else "OutOfScope"
        audit.record("roster.import", actor=acting_user, success=False, detail=f"{path.name}: {detail}")
        raise
    result.partial, result.dry_run = partial, dry_run
    try:
        if (result.refused and not partial) or dry_run:
            audit.record(
                "roster.import",
                actor=acting_user,
                obj=organization,
                org_path=organization.path,
                changes=result.counts(),
                success=result.outcome == "dry_run",
                detail=f"{path.name}: {result.outcome}",
            )
            return result
        insert_members(
            organization, spool, result, acting_user=acting_user, name=path.name, progress=progress
        )
    finally:
        spool.close()
    result.imported = True
    return result


@write_service("roster.import")
def insert_members(
    organization: Organization,
    spool: Spool,
    result: Result,
    *,
    acting_user: Any,
    name: str,
    progress: Progress = no_progress,
) -> None:
    require_scope(acting_user, organization, "change")
    try:
        with transaction.atomic():
            insert(spool, progress)
    except IntegrityError as exc:
        # Validation found these ID numbers free; someone registered one since.
        raise ValidationError(
            _("Some of these ID numbers were registered while the file was being checked; import it again."),
            code="race",
        ) from exc
    require_scope(acting_user, organization, "change")
    audit.record(
        "roster.import",
        actor=acting_user,
        obj=organization,
        org_path=organization.path,
        changes=result.counts(),
        detail=f"{name}: imported{' (partial)' if result.partial else ''}",
    )


def run_job(job_pk: int) -> ImportJob | None:
    """Run a started job (the Huey task). The job is claimed first, by moving its phase on from
    `queued` in one UPDATE: a task delivered twice, even to two workers at once, runs once."""
    claimed = ImportJob.objects.filter(pk=job_pk, state=ImportState.RUNNING, phase=QUEUED).update(
        phase="validating"
    )
    job = ImportJob.objects.select_related("organization", "user").filter(pk=job_pk).first()
    if job is None or not claimed:
        return job
    progress = JobProgress(job.pk)
    with translation.override(job.language), tempfile.TemporaryDirectory(prefix="dj-report-") as tmp:
        report_path = Path(tmp) / "report.xlsx"
        try:
            if job.user is None or not job.user.is_active:
                raise OutOfScope("uploader gone")
            with storage.opened_upload(job) as path:
                result = import_roster(
                    path,
                    job.organization,
                    acting_user=job.user,
                    report_path=report_path,
                    partial=job.partial,
                    dry_run=job.dry_run,
                    progress=progress,
                    checked=True,
                )
        except sealed.SealedFileError:
            logger.error("import job %s: the stored file does not open", job.pk)
            return _finish(job, None, storage.damaged_message(), report_path)
        except (ValidationError, OutOfScope) as exc:
            return _finish(job, None, _message(exc), report_path)
        except Exception:
            logger.exception("import job %s failed", job.pk)
            return _finish(job, None, _("The import failed unexpectedly; nothing was imported."), report_path)
        finally:
            progress.close()
        return _finish(job, result, "", report_path)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("You may no longer import members into this organization.")


def _finish(job: ImportJob, result: Result | None, message: str, report_path: Path) -> ImportJob:
    job.refresh_from_db(fields=["state"])
    job.move_to(ImportState.DONE if result is not None else ImportState.FAILED)
    job.finished_at = timezone.now()
    job.message = message
    job.phase = ""
    if result is not None:
        job.outcome = ImportOutcome(result.outcome)
        job.progress = 100
        job.total_rows, job.new_rows = result.total, result.new
        job.unchanged_rows, job.refused_rows = result.unchanged, result.refused
        if report_path.exists():
            job.report = storage.store_report(report_path)
    job.save()
    return job
