"""The secretary's yearly report (述职评议, work point 23): the secretary of an organization
writes the report (plain text, optionally a file), submits it to the level above, which grades it
(好 / 较好 / 一般 / 差) with comments, or returns it for revision first. The moves are
`workflows.REPORT_FLOW`; who may act is in `access`.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.services import account_of, write_service
from dangjian.core.uploads import FileKind, check_upload, display_name
from dangjian.organizations.models import Organization

from .access import require_own
from .common import check_version, clean_year, store_upload, year_end
from .models import REPORT_EDITABLE, REPORT_TEXT_MAX, SecretaryReport
from .workflows import REPORT_FLOW

TOPIC = "supervision.secretary_report"
UPLOAD_PREFIX = "secretary_reports"


def _not_own() -> str:
    return _("Only the organization's own secretary writes and submits its report.")


def _clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > REPORT_TEXT_MAX:
        raise ValidationError(
            {"text": _("Keep the report to at most %(max)s characters.") % {"max": REPORT_TEXT_MAX}}
        )
    return text


def _emit(report: SecretaryReport) -> None:
    events.changed(TOPIC, report.organization_id, year_end(report.year))


@write_service("secretary_report.save")
def save_report(
    org: Organization,
    year: int,
    text: str,
    attachment: UploadedFile | None = None,
    *,
    remove_attachment: bool = False,
    expected_version: int | None = None,
    acting_user: Any,
) -> SecretaryReport:
    """Create the organization's report for `year` or change its draft (or returned) text and
    file. A new file replaces the old one, which is deleted after commit."""
    require_own(acting_user, org, _not_own())
    if org.depth <= 1:
        raise ValidationError(_("This organization has no level above it to report to."), code="top")
    year = clean_year(year)
    text = _clean_text(text)
    kind: FileKind | None = None
    if attachment is not None:
        try:
            kind = check_upload(attachment)
        except ValidationError as exc:
            raise ValidationError({"attachment": exc.messages}) from exc
    report = (
        SecretaryReport.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(organization=org, year=year)
        .first()
    )
    created = report is None
    if report is None:
        report = SecretaryReport(organization=org, year=year, created_by=account_of(acting_user))
        before = {"text": "", "attachment": ""}
    else:
        check_version(report, expected_version)
        if report.state not in REPORT_EDITABLE:
            raise ValidationError(
                _("The report is “%(state)s”; it can no longer be changed.")
                % {"state": report.get_state_display()},  # type: ignore[attr-defined]
                code="transition",
            )
        before = {"text": report.text, "attachment": report.attachment_name}
        report.version += 1
    old_file = report.attachment.name if (remove_attachment or kind) and report.attachment else ""
    report.text = text
    if remove_attachment:
        report.attachment, report.attachment_name = None, ""  # type: ignore[assignment]
    if attachment is not None and kind is not None:
        store_upload(report.attachment, UPLOAD_PREFIX, kind, attachment)
        report.attachment_name = display_name(attachment)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:  # created at the same moment by someone else
        if kind is not None:
            default_storage.delete(str(report.attachment.name))
        raise ValidationError(
            _("The report for this year was just created by someone else; reload the page."), code="stale"
        ) from exc
    except Exception:
        if kind is not None:
            default_storage.delete(str(report.attachment.name))
        raise
    if old_file:
        transaction.on_commit(lambda: default_storage.delete(old_file))
    if created:
        REPORT_FLOW.started(report, acting_user)
    after = {"text": report.text, "attachment": report.attachment_name}
    audit.record(
        "secretary_report.create" if created else "secretary_report.update",
        actor=acting_user,
        obj=report,
        org_path=org.path,
        # The text itself is on the record; the log notes only its length.
        changes={
            k: [len(before[k]), len(after[k])] if k == "text" else [before[k], after[k]]
            for k in audit.diff(before, after)
        },
    )
    _emit(report)
    return report


@write_service("secretary_report.submit")
def submit_report(
    report: SecretaryReport, *, expected_version: int | None = None, acting_user: Any
) -> SecretaryReport:
    return REPORT_FLOW.move(report, "submit", expected_version=expected_version, acting_user=acting_user)


@write_service("secretary_report.evaluate")
def evaluate_report(
    report: SecretaryReport,
    grade: str,
    *,
    comment: str = "",
    expected_version: int | None = None,
    acting_user: Any,
) -> SecretaryReport:
    """The level above grades the report (final)."""
    return REPORT_FLOW.move(
        report,
        "evaluated",
        note=comment,
        expected_version=expected_version,
        fields={"grade": grade},
        changes={"grade": [None, grade]} if grade else None,
        extra={"grade": grade},
        acting_user=acting_user,
    )


@write_service("secretary_report.return")
def return_report(
    report: SecretaryReport, *, reason: str, expected_version: int | None = None, acting_user: Any
) -> SecretaryReport:
    """Before grading, the level above may send the report back for revision, saying what."""
    return REPORT_FLOW.move(
        report,
        "returned",
        note=reason,
        expected_version=expected_version,
        fields={"grade": ""},
        acting_user=acting_user,
    )
