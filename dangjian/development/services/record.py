"""Recording steps 2–22 and 25: by whoever the step names, in order, with its rule checked; a
step that decides a stage makes the workflow's move in the same transaction. Stage 5 (after the
approval) reads the member and the probation decisions of `transfers`."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.dates import add_months
from dangjian.core.exceptions import OutOfScope
from dangjian.core.services import account_of, write_service
from dangjian.core.tree import STEPLEN
from dangjian.members.models import Member
from dangjian.members.services import update_member
from dangjian.organizations.models import Organization, PartyGroup
from dangjian.transfers.models import DecisionState, ProbationDecision, ProbationOutcome
from dangjian.transfers.probation import member_probation_end

from .. import rules
from ..models import Applicant, Stage, Step
from ..plans import committee_of
from ..steps import (
    APPROVAL,
    ARCHIVED,
    ASSESSMENT,
    FULL_APPLICATION,
    LAST,
    PROBATION_ASSESSMENT,
    STEPS,
    next_numbers,
)
from ..workflows import DEVELOPMENT_FLOW, WHO, above_refusal, branch_refusal
from .admission import admit, check_admission, check_vote
from .application import store_files
from .plan import check_within_plan

NOTE_MAX = 2000
TEXT_FIELDS = ("actor", "recommendation", "conclusion", "form_number", "reason", "place")


def _check_order(applicant: Applicant, number: int, done: set[int]) -> None:
    if applicant.stage == Stage.ENDED:
        raise rules.fail(_("This development has ended: no further step can be recorded."), code="transition")
    allowed = next_numbers(applicant, done)
    if number not in allowed:
        title = STEPS[allowed[-1]].title if allowed else "—"
        raise rules.fail(
            _("Steps are taken in order: step %(number)s cannot be recorded now; the next step is %(next)s.")
            % {"number": number, "next": title},
            code="transition",
        )


def _check_actor(applicant: Applicant, number: int, acting_user: Any) -> None:
    kind = STEPS[number]
    if kind.move:
        DEVELOPMENT_FLOW.check(DEVELOPMENT_FLOW.by_name[kind.move], acting_user, applicant)
    elif not WHO[kind.by](acting_user, applicant):
        refusal = branch_refusal if kind.by == "branch" else above_refusal
        raise ValidationError(refusal(applicant), code="actor")


def _people(data: dict[str, Any]) -> list[Member]:
    return list(data.get("people") or [])


def _check_step(applicant: Applicant, number: int, on: date, data: dict[str, Any], steps: list[Step]) -> None:
    """The rule of step `number` (the order, the actor and the dates are checked already)."""
    branch_id = applicant.organization_id
    if number == 3 and not data.get("recommendation"):
        raise rules.fail(_("Say how the activist was recommended (by members or 推优)."), "recommendation")
    if number == 5:
        rules.check_full_members(
            _people(data), branch_id, 1, 2, _("Appoint one or two full members of the branch as contacts.")
        )
    if number == ASSESSMENT and not (data.get("note") or "").strip() and not data.get("files"):
        raise rules.fail(_("Write the assessment or attach it."), "note")
    if number == 7:
        assert applicant.activist_on is not None
        rules.check_candidate_interval(applicant.activist_on, on)
        rules.check_assessments(applicant.activist_on, on, [s.on for s in steps if s.number == ASSESSMENT])
    if number == 9:
        rules.check_full_members(
            _people(data), branch_id, 2, 2, _("Two full members of the branch are the introducers.")
        )
    if number == 10 and not (data.get("conclusion") or "").strip():
        raise rules.fail(
            _("Without the political review's written conclusion there is no admission."), "conclusion"
        )
    if number == 11:
        rules.check_training(data.get("training_days"), data.get("training_hours"))
    if number == 12:
        check_admission(steps)
    if number == 13:
        review = next(s for s in steps if s.number == 12)
        rules.check_notice(data.get("notice_from"), data.get("notice_until"), on, review.on)
        if applicant.objections.filter(answered_on__isnull=True).exists():
            raise rules.fail(
                _("Answer every objection raised during the public notice before the pre-review.")
            )
    if number == 14 and not (data.get("form_number") or "").strip():
        raise rules.fail(_("Enter the application form's number."), "form_number")
    if number == 16 and not (data.get("actor") or "").strip():
        raise rules.fail(_("Name the committee member or organizer who talked with the candidate."), "actor")
    if number == 17:
        assert applicant.voted_on is not None
        rules.check_approval_date(applicant.voted_on, on, data.get("reason") or "")
        check_within_plan(applicant, on)
    if number >= LAST:
        _check_probation_step(applicant, number, on, data, steps)


def conversion_approved_on(member: Member) -> date | None:
    """The day the committee above approved the member's conversion (step 24), if it has."""
    at = (
        ProbationDecision.objects.filter(
            member=member, outcome=ProbationOutcome.CONVERT, state=DecisionState.APPROVED
        )
        .order_by("-reviewed_at")
        .values_list("reviewed_at", flat=True)
        .first()
    )
    return timezone.localdate(at) if at else None


def _check_probation_step(
    applicant: Applicant, number: int, on: date, data: dict[str, Any], steps: list[Step]
) -> None:
    """Stage 5: placement, the oath and the assessments after the approval; the application for
    full membership once the year is up, after the placement, the oath and an assessment; the
    archiving once the member is full."""
    approved_on = next(s.on for s in steps if s.number == APPROVAL)
    rules.check_after_approval(on, approved_on)
    if number == 19:
        group: PartyGroup | None = data.get("party_group")
        rules.check_party_group(
            group.organization_id if group else None,
            applicant.organization_id,
            PartyGroup.objects.filter(organization_id=applicant.organization_id).count(),
        )
    if number == 20:
        if not (data.get("actor") or "").strip():
            raise rules.fail(_("Name who led the oath."), "actor")
        if not (data.get("place") or "").strip():
            raise rules.fail(_("Say where the oath was taken."), "place")
    if number == PROBATION_ASSESSMENT and not (data.get("note") or "").strip() and not data.get("files"):
        raise rules.fail(_("Write the assessment or attach it."), "note")
    if number == FULL_APPLICATION:
        done = {s.number for s in steps}
        if not {19, 20} <= done:
            raise rules.fail(
                _("The application for full membership follows the placement and the oath (steps 19, 20)."),
                code="transition",
            )
        if PROBATION_ASSESSMENT not in done:
            raise rules.fail(
                _("Record at least one assessment during the probation (step 21) before the application."),
                code="transition",
            )
        assert applicant.member is not None
        rules.check_full_application(member_probation_end(applicant.member), on)
    if number == ARCHIVED:
        assert applicant.member is not None
        rules.check_archiving(conversion_approved_on(applicant.member), on)
        if not (data.get("place") or "").strip():
            raise rules.fail(_("Say where the file went (the personnel archive that keeps it)."), "place")


def _previous(number: int, steps: list[Step]) -> date:
    """The date a step may not precede: the approval for the filing, placement, oath and the
    assessments (recorded in any order after it), else the latest step."""
    if LAST <= number <= PROBATION_ASSESSMENT:
        return next(s.on for s in steps if s.number == APPROVAL)
    return max(s.on for s in steps)


@write_service("development.step")
def record_step(
    applicant: Applicant,
    number: int,
    data: dict[str, Any],
    *,
    files: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
    acting_user: Any,
) -> Step:
    """Record step `number` with `data` (`on`, `note` and the step's own fields, `steps.STEPS`)."""
    applicant = DEVELOPMENT_FLOW.lock(applicant)
    if applicant.member_id is not None:
        applicant.member = Member.objects.get(pk=applicant.member_id)
    if not DEVELOPMENT_FLOW.admits(acting_user, applicant):
        raise OutOfScope(f"applicant {applicant.pk}")
    DEVELOPMENT_FLOW.check_version(applicant, expected_version)
    if number not in STEPS or number == 1:
        raise rules.fail(_("There is no such step to record."), code="transition")
    steps = list(applicant.records.all())
    _check_order(applicant, number, {s.number for s in steps})
    _check_actor(applicant, number, acting_user)
    previous = _previous(number, steps)
    meeting = None
    if number == 15:
        meeting = check_vote(applicant, data)
        on = timezone.localdate(meeting.starts_at)
    else:
        given: date | None = data.get("on") or None
        if given is None:
            raise rules.fail(_("Enter the date of the step."), "on")
        on = given
    rules.check_date(on, previous)
    data = {**data, "files": files}
    _check_step(applicant, number, on, data, steps)
    note = (data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        raise rules.fail(_("Keep the note to at most 2000 characters."), "note")
    kind = STEPS[number]
    values = {f: (data.get(f) or "").strip() for f in TEXT_FIELDS if f in kind.fields}
    for f in ("training_days", "training_hours", "notice_from", "notice_until", "party_group"):
        if f in kind.fields:
            values[f] = data.get(f)
    if number == 15:
        values.update(
            meeting=meeting,
            should_attend=data["should_attend"],
            present=data["present"],
            votes_for=data["votes_for"],
        )
    step = Step.objects.create(
        applicant=applicant, number=number, on=on, note=note, recorded_by=account_of(acting_user), **values
    )
    if "people" in kind.fields:
        step.people.set(_people(data))
    member = applicant.member
    if (
        number == 19
        and values.get("party_group")
        and member
        and member.organization_id == applicant.organization_id
    ):
        # Placement puts the member in the group on the roll too (through the members service).
        update_member(member, {"party_group": values["party_group"]}, acting_user=acting_user)
    names = store_files(step, files, acting_user)
    _advance(applicant, step, acting_user, names)
    return step


def _advance(applicant: Applicant, step: Step, acting_user: Any, names: list[str]) -> None:
    """Keep the record's own columns (last step, dates, what is due) and make the stage move."""
    number, on = step.number, step.on
    fields: dict[str, Any] = {"last_step": max(number, applicant.last_step)}
    if number == 3:
        fields.update(activist_on=on, assessment_due=add_months(on, 6))
    elif number == ASSESSMENT:
        fields["assessment_due"] = add_months(on, 6)
    elif number == 7:
        fields.update(candidate_on=on, assessment_due=None)
    elif number == 15:
        fields.update(voted_on=on, approval_due=add_months(on, 3))
    changes: dict[str, list[Any]] = {"step": [None, number], "on": [None, on.isoformat()], "files": names}
    move = STEPS[number].move
    if move == "admit":
        # `approval_due` stays: the date the approval was due (its reminder ends with the stage).
        fields["member"] = admit(applicant, step, acting_user)
    if number in (15, APPROVAL):
        # The approval's timeliness counts on the committee above (compliance): tell it too.
        _tell_above(applicant, on)
    if move:
        DEVELOPMENT_FLOW.move(
            applicant, move, acting_user=acting_user, fields=fields, changes=changes, locked=True
        )
        return
    for name, value in fields.items():
        setattr(applicant, name, value)
    applicant.version += 1
    applicant.save(update_fields=[*fields, "version", "updated_at"])
    audit.record(
        "development.step",
        actor=acting_user,
        obj=applicant,
        org_path=applicant.organization.path,
        changes=changes,
    )
    events.changed("development.step", applicant.organization_id, on)


def _tell_above(applicant: Applicant, on: date) -> None:
    """The vote and the approval are measured on the level above (the approval's deadline) and
    on the grassroots committee (its plan); where a general branch sits between, they differ."""
    parent = applicant.organization.path[:-STEPLEN]
    above = Organization.objects.filter(path=parent).values_list("pk", flat=True).first() if parent else None
    committee = committee_of(applicant.organization)
    for org_id in {above, committee.pk if committee else None}:
        if org_id is not None:
            events.changed("development.approval", org_id, on)
