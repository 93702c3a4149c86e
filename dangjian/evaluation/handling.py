"""Handling unqualified members (不合格党员处置): the branch's decision, its follow-up, its close.

Per 湘组发〔2016〕1号 a member graded unqualified is given a deadline to correct (限期改正, at most
twelve months), persuaded to leave (劝其退党), or removed (除名). Decisions are recorded once the
committee above has approved the grades; who may write: change scope on the branch.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit, events
from dangjian.core.dates import add_months
from dangjian.core.services import require_scope, write_service
from dangjian.members.models import Member

from .models import (
    CampaignState,
    EvaluationCampaign,
    Grade,
    Handling,
    HandlingFollowUp,
    HandlingMeasure,
    HandlingState,
    ProposedGrade,
)
from .services import account, locked
from .workflows import HANDLING_FLOW, TEXT_MAX

MAX_CORRECTION_MONTHS = 12


ALREADY_HANDLED = gettext_lazy("This member's handling is already recorded; add follow-ups to it.")


def already_handled(campaign: EvaluationCampaign, member: Member) -> bool:
    return Handling.objects.filter(campaign=campaign, member=member).exists()


def unqualified_member(campaign: EvaluationCampaign, member_id: object) -> Member | None:
    """The member graded unqualified in `campaign` with this id, or None — the same answer for
    an id that does not exist and one outside the campaign (no lookup confirms a member)."""
    if not isinstance(member_id, int):
        return None
    return Member.objects.filter(
        pk=member_id, evaluation_grades__campaign=campaign, evaluation_grades__grade=Grade.UNQUALIFIED
    ).first()


@write_service("evaluation.handling")
def create_handling(
    campaign: EvaluationCampaign,
    member: Member,
    measure: str,
    *,
    deadline: date | None = None,
    decided_on: date | None = None,
    note: str = "",
    acting_user: Any,
) -> Handling:
    # Locked: two submissions of the same decision (a double click, a retried request) are
    # serialized, and the second finds the first.
    campaign = locked(campaign)
    require_scope(acting_user, campaign, "change")
    today = timezone.localdate()
    decided_on = decided_on or today
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if campaign.state != CampaignState.APPROVED:
        raise ValidationError(_("A handling decision follows the approval of the grades."), code="transition")
    graded = ProposedGrade.objects.filter(campaign=campaign, member=member, grade=Grade.UNQUALIFIED).exists()
    if not graded:
        raise ValidationError({"member": _("Only a member graded unqualified in this campaign is handled.")})
    if already_handled(campaign, member):
        raise ValidationError({"member": str(ALREADY_HANDLED)})
    if measure not in HandlingMeasure.values:
        errors["measure"] = _("Choose the measure.")
    if not isinstance(decided_on, date) or decided_on > today:
        errors["decided_on"] = _("Enter the date of the decision; it cannot be in the future.")
    elif measure == HandlingMeasure.CORRECT_WITHIN_DEADLINE:
        if deadline is None or deadline <= decided_on:
            errors["deadline"] = _("Set the deadline to correct, after the decision.")
        elif deadline > add_months(decided_on, MAX_CORRECTION_MONTHS):
            errors["deadline"] = _("The deadline to correct is at most twelve months.")
    elif deadline is not None and deadline < decided_on:
        errors["deadline"] = _("The deadline cannot be before the decision.")
    if len(note) > TEXT_MAX:
        errors["note"] = _("Keep the note to at most 2000 characters.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            handling = Handling.objects.create(
                campaign=campaign,
                member=member,
                measure=measure,
                deadline=deadline,
                decided_on=decided_on,
                note=note,
                created_by=account(acting_user),
            )
    except IntegrityError as exc:  # the unique constraint, should the check above be raced
        raise ValidationError({"member": str(ALREADY_HANDLED)}) from exc
    audit.record(
        "evaluation.handling",
        actor=acting_user,
        obj=handling,
        org_path=campaign.branch.path,
        changes={"member": [None, member.pk], "measure": [None, measure], "deadline": [None, str(deadline)]},
    )
    events.changed("evaluation.handling", campaign.branch.pk)
    HANDLING_FLOW.started(handling, acting_user, note[:200])
    return handling


def _locked(handling: Handling, acting_user: Any) -> Handling:
    handling = HANDLING_FLOW.lock(handling)
    require_scope(acting_user, handling, "change")
    return handling


@write_service("evaluation.follow_up")
def add_follow_up(
    handling: Handling, text: str, *, on: date | None = None, acting_user: Any
) -> HandlingFollowUp:
    """A talk, a check on progress, a step of the procedure — while the handling is open."""
    handling = _locked(handling, acting_user)
    if handling.state != HandlingState.OPEN:
        raise ValidationError(_("This handling is closed; it takes no more follow-ups."), code="transition")
    on = on or timezone.localdate()
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if not text or len(text) > TEXT_MAX:
        errors["text"] = _("Write the follow-up (at most 2000 characters).")
    if not isinstance(on, date) or on > timezone.localdate() or on < handling.decided_on:
        errors["on"] = _("Enter a date between the decision and today.")
    if errors:
        raise ValidationError(errors)
    row = HandlingFollowUp.objects.create(
        handling=handling, on=on, text=text, created_by=account(acting_user)
    )
    audit.record(
        "evaluation.follow_up",
        actor=acting_user,
        obj=handling,
        org_path=handling.campaign.branch.path,
        changes={"follow_up": [None, str(on)]},
    )
    events.changed("evaluation.follow_up", handling.campaign.branch.pk)
    return row


@write_service("evaluation.handling_close")
def close_handling(
    handling: Handling, outcome: str, *, expected_version: int | None = None, acting_user: Any
) -> Handling:
    """The handling ends (corrected, left the Party, removed…), with the outcome in words."""
    handling = _locked(handling, acting_user)
    outcome = (outcome or "").strip()
    return HANDLING_FLOW.move(
        handling,
        "handling_close",
        note=outcome[:200],  # the history's and the audit entry's note: the outcome's start
        expected_version=expected_version,
        fields={"outcome": outcome, "closed_on": timezone.localdate()},
        extra={"outcome": outcome},
        acting_user=acting_user,
        locked=True,
    )
