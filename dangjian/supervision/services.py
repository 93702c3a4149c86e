"""The 五化 assessment's life (work point 7): the branch fills in its self-rating on the five
dimensions and attaches evidence, then submits; the level above decides that it meets the
standard or does not (final), or returns it with a reason, after which the branch edits and
submits again. The moves are `workflows.ASSESSMENT_FLOW`; who may act is in `access`.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.services import account_of, write_service
from dangjian.core.uploads import check_upload, display_name
from dangjian.organizations.models import Organization

from .access import require_own
from .common import check_version, clean_year, store_upload, year_end
from .models import (
    ASSESSMENT_EDITABLE,
    ASSESSMENT_FINAL,
    NOTE_MAX,
    Dimension,
    FiveStandardsAssessment,
    FiveStandardsEvidence,
    Rating,
)
from .workflows import ASSESSMENT_FLOW

TOPIC = "supervision.five_standards"
UPLOAD_PREFIX = "five_standards"
EVIDENCE_MAX = 30
FIELDS = [f"{code}_{part}" for code in Dimension.values for part in ("rating", "note")]


def _not_own() -> str:
    return _("Only the branch's own secretary or organizer fills in and submits its assessment.")


def locked(assessment: FiveStandardsAssessment) -> FiveStandardsAssessment:
    """The assessment re-read under a row lock."""
    return ASSESSMENT_FLOW.lock(assessment)


def _clean_ratings(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for code in Dimension.values:
        rating = str(data.get(f"{code}_rating") or "")
        note = str(data.get(f"{code}_note") or "").strip()
        if rating and rating not in Rating.values:
            errors[f"{code}_rating"] = _("Choose meets, partly meets or does not meet.")
        if len(note) > NOTE_MAX:
            errors[f"{code}_note"] = _("Keep the note to at most %(max)s characters.") % {"max": NOTE_MAX}
        clean[f"{code}_rating"], clean[f"{code}_note"] = rating, note
    if errors:
        raise ValidationError(errors)
    return clean


def _emit(assessment: FiveStandardsAssessment) -> None:
    events.changed(TOPIC, assessment.organization_id, year_end(assessment.year))


@write_service("five_standards.save")
def save_assessment(
    branch: Organization,
    year: int,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    acting_user: Any,
) -> FiveStandardsAssessment:
    """Create the branch's assessment for `year` or change its draft (or returned) ratings and
    notes. A rating may stay empty until submission."""
    require_own(acting_user, branch, _not_own())
    if not branch.is_branch:
        raise ValidationError(_("The five-standards assessment is made by a branch."), code="not_branch")
    year = clean_year(year)
    clean = _clean_ratings(data)
    assessment = (
        FiveStandardsAssessment.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(organization=branch, year=year)
        .first()
    )
    if assessment is None:
        try:
            with transaction.atomic():
                assessment = FiveStandardsAssessment.objects.create(
                    organization=branch, year=year, created_by=account_of(acting_user), **clean
                )
        except IntegrityError as exc:  # created at the same moment by someone else
            raise ValidationError(
                _("The branch's assessment for this year was just created by someone else; reload the page."),
                code="stale",
            ) from exc
        ASSESSMENT_FLOW.started(assessment, acting_user)
        changes = audit.diff({}, clean)
        action = "five_standards.create"
    else:
        check_version(assessment, expected_version)
        if assessment.state not in ASSESSMENT_EDITABLE:
            raise ValidationError(
                _("The assessment is “%(state)s”; it can no longer be changed.")
                % {"state": assessment.get_state_display()},  # type: ignore[attr-defined]
                code="transition",
            )
        before = audit.snapshot(assessment, FIELDS)
        for key, value in clean.items():
            setattr(assessment, key, value)
        assessment.version += 1
        assessment.save(update_fields=[*FIELDS, "version", "updated_at"])
        changes = audit.diff(before, clean)
        action = "five_standards.update"
    audit.record(action, actor=acting_user, obj=assessment, org_path=branch.path, changes=changes)
    _emit(assessment)
    return assessment


@write_service("five_standards.submit")
def submit_assessment(
    assessment: FiveStandardsAssessment, *, expected_version: int | None = None, acting_user: Any
) -> FiveStandardsAssessment:
    """Send the self-rating to the level above: every dimension rated, and a note on each one not
    fully met saying what is missing."""
    return ASSESSMENT_FLOW.move(
        assessment, "submit", expected_version=expected_version, acting_user=acting_user
    )


@write_service("five_standards.decide")
def decide_assessment(
    assessment: FiveStandardsAssessment,
    outcome: str,
    *,
    comment: str = "",
    expected_version: int | None = None,
    acting_user: Any,
) -> FiveStandardsAssessment:
    """The final decision of the level above: `meets_standard` or `below_standard`."""
    if outcome not in ASSESSMENT_FINAL:
        raise ValidationError(_("Choose whether the branch meets the standard."), code="outcome")
    return ASSESSMENT_FLOW.move(
        assessment, str(outcome), note=comment, expected_version=expected_version, acting_user=acting_user
    )


@write_service("five_standards.return")
def return_assessment(
    assessment: FiveStandardsAssessment,
    *,
    reason: str,
    expected_version: int | None = None,
    acting_user: Any,
) -> FiveStandardsAssessment:
    """Send the assessment back to the branch with the reason; the branch revises and resubmits."""
    return ASSESSMENT_FLOW.move(
        assessment, "returned", note=reason, expected_version=expected_version, acting_user=acting_user
    )


@write_service("five_standards.evidence_add")
def add_evidence(
    assessment: FiveStandardsAssessment,
    upload: UploadedFile,
    *,
    dimension: str = "",
    acting_user: Any,
) -> FiveStandardsEvidence:
    """Attach a file (PDF, DOCX, JPEG or PNG, checked by its content) while the assessment can
    still be changed. A refused file stores nothing."""
    assessment = locked(assessment)
    require_own(acting_user, assessment.organization, _not_own())
    if assessment.state not in ASSESSMENT_EDITABLE:
        raise ValidationError(
            _("Evidence is attached before the assessment is submitted."), code="transition"
        )
    errors: dict[str, Any] = {}
    if dimension and dimension not in Dimension.values:
        errors["dimension"] = _("Choose one of the five dimensions, or none.")
    if assessment.evidence.count() >= EVIDENCE_MAX:  # type: ignore[attr-defined]
        errors["file"] = _("At most %(max)s files per assessment.") % {"max": EVIDENCE_MAX}
    try:
        kind = check_upload(upload)
    except ValidationError as exc:
        errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)
    evidence = FiveStandardsEvidence(
        assessment=assessment,
        dimension=dimension,
        file_name=display_name(upload),
        uploaded_by=account_of(acting_user),
    )
    store_upload(evidence.file, UPLOAD_PREFIX, kind, upload)
    try:
        evidence.save()
        assessment.version += 1
        assessment.save(update_fields=["version", "updated_at"])
        audit.record(
            "five_standards.evidence_add",
            actor=acting_user,
            obj=assessment,
            org_path=assessment.organization.path,
            changes={"evidence": [None, evidence.file_name]},
        )
    except Exception:
        # The file is written before the row; a row that fails to save must not leave it behind.
        default_storage.delete(str(evidence.file.name))
        raise
    return evidence


@write_service("five_standards.evidence_remove")
def remove_evidence(evidence: FiveStandardsEvidence, *, acting_user: Any) -> None:
    """Withdraw a file while the assessment can still be changed; it is deleted after commit."""
    assessment = locked(evidence.assessment)
    require_own(acting_user, assessment.organization, _not_own())
    if assessment.state not in ASSESSMENT_EDITABLE:
        raise ValidationError(_("Evidence of a submitted assessment stays on record."), code="transition")
    name = str(evidence.file.name)
    audit.record(
        "five_standards.evidence_remove",
        actor=acting_user,
        obj=assessment,
        org_path=assessment.organization.path,
        changes={"evidence": [evidence.file_name, None]},
    )
    evidence.delete()
    assessment.version += 1
    assessment.save(update_fields=["version", "updated_at"])
    transaction.on_commit(lambda: default_storage.delete(name))
