"""Registering an application (step 1), the public notice's objections, ending a development."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.core import attachments, audit, events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.idnumber import check_id_consistency, normalize_id_number, parse_id_number
from dangjian.core.masking import birth_year_month, mask_id_number, mask_phone
from dangjian.core.phone import validate_phone
from dangjian.core.services import account_of, write_service
from dangjian.core.workflow import reaches
from dangjian.members.models import Education, Gender, Member
from dangjian.members.validation import id_bidx, phone_bidx
from dangjian.organizations.models import Organization

from .. import rules
from ..models import Applicant, Objection, Occupation, Stage, Step, StepFile
from ..steps import STEPS
from ..workflows import BRANCH_OFFICERS, DEVELOPMENT_FLOW, LEVEL_ABOVE, branch_refusal

FILE_MAX_BYTES = 10 * 1024 * 1024
NAME_MAX = 50
MASKS = {"id_number": mask_id_number, "phone": mask_phone, "birth_date": birth_year_month}
PERSON_FIELDS = ["name", "gender", "birth_date", "ethnicity", "education", "occupation", "id_number", "phone"]


def store_files(step: Step, files: Sequence[UploadedFile], acting_user: Any) -> list[str]:
    return [
        row.original_name
        for row in attachments.store(
            files,
            max_bytes=FILE_MAX_BYTES,
            folder="development",
            create=lambda fields: StepFile.objects.create(
                step=step, uploaded_by=account_of(acting_user), **fields
            ),
        )
    ]


def _clean_person(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    clean: dict[str, Any] = {"name": str(data.get("name") or "").strip()}
    if not clean["name"] or len(clean["name"]) > NAME_MAX:
        bad("name", _("Enter the applicant's name (at most 50 characters)."))
    for field, choices in (("education", Education), ("occupation", Occupation)):
        clean[field] = data.get(field) or ""
        if clean[field] not in choices.values:
            bad(field, _("Choose a valid option."))
    clean["ethnicity"] = str(data.get("ethnicity") or "汉族").strip()[:20]
    gender = data.get("gender") or ""
    if gender and gender not in Gender.values:
        bad("gender", _("Choose a valid option."))
    try:
        info = parse_id_number(str(data.get("id_number") or ""))
    except ValidationError as exc:
        bad("id_number", exc.messages[0])
    else:
        for err in check_id_consistency(info, data.get("birth_date"), gender or None):
            bad("birth_date" if err.code == "birth_mismatch" else "gender", err.messages[0])
        clean["id_number"] = normalize_id_number(str(data["id_number"]))
        clean["birth_date"] = info.birth_date
        clean["gender"] = gender or info.gender
    phone = str(data.get("phone") or "").strip()
    clean["phone"] = ""
    if phone:
        try:
            clean["phone"] = validate_phone(phone)
        except ValidationError as exc:
            bad("phone", exc.messages[0])
    if errors:
        raise ValidationError(errors)
    return clean


def _not_taken(bidx: str) -> None:
    """One ID number is one person: not a member anywhere on the platform, not in another open
    development (the branch is not named: it may be outside the user's reach)."""
    if Member.objects.filter(id_number_bidx=bidx).exists():
        raise rules.fail(
            _("A member with this ID number is already registered on the platform."), "id_number"
        )
    if Applicant.objects.open().filter(id_number_bidx=bidx).exists():
        raise rules.fail(
            _(
                "A person with this ID number is already in development (an open application) "
                "on the platform."
            ),
            "id_number",
        )


@write_service("development.register")
def register_application(
    branch: Organization,
    data: dict[str, Any],
    *,
    applied_on: date,
    files: Sequence[UploadedFile] = (),
    note: str = "",
    acting_user: Any,
) -> Applicant:
    """Step 1: the written application received by the branch; the talk is due within a month."""
    probe = Applicant(organization=branch)
    if not reaches(acting_user, branch, DEVELOPMENT_FLOW.gate):
        raise OutOfScope(f"organization {branch.pk}")
    if not BRANCH_OFFICERS(acting_user, probe):
        raise ValidationError(branch_refusal(probe), code="actor")
    if not branch.holds_members:
        raise rules.fail(_("Applications are received by a branch."))
    clean = _clean_person(data)
    rules.check_date(applied_on, None, "applied_on")
    rules.check_age(clean["birth_date"], applied_on)
    applicant = Applicant(
        organization=branch,
        applied_on=applied_on,
        talk_due=rules.talk_due(applied_on),
        created_by=account_of(acting_user),
        **clean,
    )
    applicant.id_number_bidx = id_bidx(applicant.id_number)
    applicant.phone_bidx = phone_bidx(applicant.phone) if applicant.phone else ""
    _not_taken(applicant.id_number_bidx)
    try:
        with transaction.atomic():
            applicant.save()
    except IntegrityError:  # the same person registered twice at once
        _not_taken(applicant.id_number_bidx)
        raise
    step = Step.objects.create(
        applicant=applicant, number=1, on=applied_on, note=note.strip(), recorded_by=account_of(acting_user)
    )
    names = store_files(step, files, acting_user)
    DEVELOPMENT_FLOW.started(applicant, acting_user)
    audit.record(
        "development.register",
        actor=acting_user,
        obj=applicant,
        org_path=branch.path,
        changes={
            **{k: [None, v] for k, v in audit.snapshot(applicant, PERSON_FIELDS, MASKS).items()},
            "files": names,
        },
    )
    events.changed("development.register", branch.pk, applied_on)
    return applicant


def _writer(acting_user: Any, applicant: Applicant) -> None:
    if not DEVELOPMENT_FLOW.admits(acting_user, applicant):
        raise OutOfScope(f"applicant {applicant.pk}")
    if not (BRANCH_OFFICERS(acting_user, applicant) or LEVEL_ABOVE(acting_user, applicant)):
        raise ValidationError(branch_refusal(applicant), code="actor")


@write_service("development.objection")
def record_objection(
    applicant: Applicant, *, text: str, received_on: date, answer: str = "", acting_user: Any
) -> Objection:
    """An objection received during the public notice (after the branch committee's review,
    before the pre-review), with its answer when already given."""
    applicant = DEVELOPMENT_FLOW.lock(applicant)
    _writer(acting_user, applicant)
    if applicant.stage != Stage.ADMISSION or applicant.last_step != 12:
        raise rules.fail(_("Objections are recorded during the public notice, before the pre-review."))
    text = (text or "").strip()
    if not text:
        raise rules.fail(_("Enter the objection."), "text")
    review = Step.objects.get(applicant=applicant, number=12)
    rules.check_date(received_on, review.on, "received_on")
    answer = (answer or "").strip()
    objection = Objection.objects.create(
        applicant=applicant,
        received_on=received_on,
        text=text,
        answer=answer,
        answered_on=received_on if answer else None,
        recorded_by=account_of(acting_user),
        answered_by=account_of(acting_user) if answer else None,
    )
    audit.record(
        "development.objection",
        actor=acting_user,
        obj=applicant,
        org_path=applicant.organization.path,
        changes={"objection": [None, objection.pk], "answered": [None, bool(answer)]},
    )
    return objection


@write_service("development.answer")
def answer_objection(objection: Objection, *, answer: str, answered_on: date, acting_user: Any) -> Objection:
    applicant = DEVELOPMENT_FLOW.lock(objection.applicant)
    _writer(acting_user, applicant)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.answered_on is not None:
        raise rules.fail(_("This objection is already answered."))
    answer = (answer or "").strip()
    if not answer:
        raise rules.fail(_("Enter the answer."), "answer")
    rules.check_date(answered_on, objection.received_on, "answered_on")
    objection.answer, objection.answered_on = answer, answered_on
    objection.answered_by = account_of(acting_user)
    objection.save(update_fields=["answer", "answered_on", "answered_by"])
    audit.record(
        "development.answer",
        actor=acting_user,
        obj=applicant,
        org_path=applicant.organization.path,
        changes={"objection": [objection.pk, objection.pk], "answered": [False, True]},
    )
    return objection


@write_service("development.end")
def end_development(
    applicant: Applicant, *, note: str, expected_version: int | None = None, acting_user: Any
) -> Applicant:
    """The development ends at any open stage, with the reason (withdrawn, not assessed well…)."""
    return DEVELOPMENT_FLOW.move(
        applicant, "end", note=note, expected_version=expected_version, acting_user=acting_user
    )


def step_title(number: int) -> str:
    return str(STEPS[number].title)
