"""The branch member assembly's decision on a probationary member, and its approval by the Party
committee above (Party Constitution art. 7: 预备党员转正须经上级党委审批).

`record_decision` records what the assembly decided (state `decided`); nothing about the member
changes yet. `approve_decision` — by a user with the change scope on the committee above the
branch, and not whoever recorded the decision — puts it into effect: conversion (category full),
extension (the new end of probation) or cancellation (the member leaves the roll).
`reject_decision` refuses it with a reason; the branch may decide again at another assembly.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.core import audit, events
from dangjian.core.dates import add_months
from dangjian.core.services import account_of as account
from dangjian.core.services import require_scope, write_service
from dangjian.identity.models import RevokeReason
from dangjian.identity.services import revoke_card
from dangjian.members.models import Member, MemberCategory, MemberStatus
from dangjian.notifications.services import Message, notify_many
from dangjian.orglife.models import Meeting, MeetingKind, MeetingStatus

from ..models import (
    EXTENSION_MONTHS,
    DecisionState,
    ProbationDecision,
    ProbationOutcome,
)
from ..probation import member_probation_end
from ..workflows import DECISION_FLOW, approver_org
from .common import keepers, lock_member, set_status

NOTE_MAX = 200


def _check_meeting(member: Member, meeting: Meeting | None) -> None:
    """Only the member's own branch, in a branch member assembly that was held and closed, decides."""
    if (
        meeting is None
        or meeting.kind != MeetingKind.BRANCH_ASSEMBLY
        or meeting.status != MeetingStatus.CLOSED
        or meeting.organization_id != member.organization_id
    ):
        raise ValidationError(
            {
                "meeting": _(
                    "The decision must be taken by a closed branch member assembly of the member's branch."
                )
            }
        )


def _clean_note(note: str, field: str = "note") -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({field: _("Keep the note to at most 200 characters.")})
    return note


def _tell_approvers(decision: ProbationDecision, member: Member) -> None:
    """The committee staff of the approving committee learn that a decision awaits them."""
    org = approver_org(member.organization)
    if org is None:
        return
    users = keepers([org.pk], roles=(Role.COMMITTEE_STAFF,)).get(org.pk, [])
    if users:
        notify_many(
            [
                Message(
                    users,
                    kind="probation.approval",
                    key=f"probation-approval:{decision.pk}",
                    title=_("Probation decision to approve: %(name)s") % {"name": member.name},
                    body=_("%(branch)s decided: %(outcome)s.")
                    % {"branch": member.organization.name, "outcome": decision.get_outcome_display()},  # type: ignore[attr-defined]
                    url=reverse("member_membership", args=[member.pk]),
                )
            ]
        )


@write_service("probation.decide")
def record_decision(
    member: Member,
    *,
    outcome: str,
    meeting: Meeting | None,
    extension_months: int | None = None,
    note: str = "",
    acting_user: Any,
) -> ProbationDecision:
    """Record the assembly's decision to convert (full member from the day probation ended),
    extend (6–12 months, once) or cancel. Conversion and extension are decided once the probation
    is up; a cancellation may be decided at any time during it. The decision takes effect only
    when the committee above approves it (`approve_decision`)."""
    member = lock_member(member.pk)
    require_scope(acting_user, member, "change")
    if member.category != MemberCategory.PROBATIONARY or member.status == MemberStatus.LEFT:
        raise ValidationError(
            _("Only a probationary member on the roll has a probation to decide."), code="category"
        )
    if outcome not in ProbationOutcome.values:
        raise ValidationError({"outcome": _("Choose the decision.")})
    note = _clean_note(note)
    _check_meeting(member, meeting)
    assert meeting is not None
    if ProbationDecision.objects.filter(member=member, meeting=meeting).exists():
        raise ValidationError({"meeting": _("This meeting's decision on the member is already recorded.")})
    if ProbationDecision.objects.filter(member=member, state=DecisionState.DECIDED).exists():
        raise ValidationError(
            _("A decision on this member awaits the approval of the committee above."), code="pending"
        )
    decided_on = timezone.localdate(meeting.starts_at)
    ends = member_probation_end(member)
    if outcome != ProbationOutcome.CANCEL and decided_on < ends:
        raise ValidationError(
            {
                "meeting": _("The probation ends on %(date)s: the assembly decides on or after that day.")
                % {"date": ends}
            }
        )
    extended_until = None
    if outcome == ProbationOutcome.EXTEND:
        low, high = EXTENSION_MONTHS
        if extension_months is None or not low <= extension_months <= high:
            raise ValidationError({"extension_months": _("An extension is 6 to 12 months.")})
        if ProbationDecision.objects.filter(
            member=member, outcome=ProbationOutcome.EXTEND, state=DecisionState.APPROVED
        ).exists():
            raise ValidationError({"outcome": _("A probation can be extended only once.")})
        extended_until = add_months(ends, extension_months)
    else:
        extension_months = None
    try:
        with transaction.atomic():
            decision = ProbationDecision.objects.create(
                member=member,
                outcome=outcome,
                extension_months=extension_months,
                extended_until=extended_until,
                meeting=meeting,
                decided_on=decided_on,
                note=note,
                recorded_by=account(acting_user),
            )
    except IntegrityError as exc:  # the same decision sent twice at once
        raise ValidationError(
            {"meeting": _("This meeting's decision on the member is already recorded.")}
        ) from exc
    audit.record(
        "probation.decide",
        actor=acting_user,
        obj=decision,
        org_path=member.organization.path,
        changes={
            "outcome": [None, outcome],
            "meeting": [None, meeting.pk],
            "extended_until": [None, str(extended_until or "")],
            "state": [None, DecisionState.DECIDED],
        },
    )
    events.changed("probation.decide", member.organization.pk)
    DECISION_FLOW.started(decision, acting_user, note)
    _tell_approvers(decision, member)
    return decision


def may_review(user: Any, decision: ProbationDecision) -> bool:
    """Whether `user` is at the level that approves (pages show the buttons; the services check
    again, with the reasons)."""
    return bool(DECISION_FLOW.allowed(user, decision))


@write_service("probation.approve")
def approve_decision(
    decision: ProbationDecision, *, note: str = "", expected_version: int | None = None, acting_user: Any
) -> ProbationDecision:
    """The committee above approves: the decision takes effect on the member now."""
    decision = DECISION_FLOW.lock(decision)
    member = lock_member(decision.member_id)
    ends = member_probation_end(member)  # before the move: an approved extension moves it
    decision = DECISION_FLOW.move(
        decision,
        "approve",
        note=note,
        expected_version=expected_version,
        extra={"member": member},
        acting_user=acting_user,
        locked=True,
    )
    _apply(member, decision, ends, acting_user)
    return decision


@write_service("probation.reject")
def reject_decision(
    decision: ProbationDecision, *, note: str, expected_version: int | None = None, acting_user: Any
) -> ProbationDecision:
    """The committee above does not approve, saying why; the member stays as they were and the
    branch may decide again at another assembly."""
    return DECISION_FLOW.move(
        decision, "reject", note=note, expected_version=expected_version, acting_user=acting_user
    )


def _apply(member: Member, decision: ProbationDecision, ends: date, acting_user: Any) -> None:
    why = f"probation decision {decision.pk}"
    if decision.outcome == ProbationOutcome.CONVERT:
        # Full membership counts from the day probation ended, not from the meeting or approval.
        member.category = MemberCategory.FULL
        member.full_date = ends
        member.version += 1
        member.save(update_fields=["category", "full_date", "version", "updated_at"])
        audit.record(
            "member.convert",
            actor=acting_user,
            obj=member,
            org_path=member.organization.path,
            changes={
                "category": [MemberCategory.PROBATIONARY, MemberCategory.FULL],
                "full_date": [None, str(ends)],
            },
            detail=why,
        )
        events.changed("member.convert", member.organization.pk)
    elif decision.outcome == ProbationOutcome.CANCEL:
        set_status(member, MemberStatus.LEFT, acting_user=acting_user, why=why)
        revoke_card(member, RevokeReason.LEFT, acting_user=acting_user)
    # An extension needs no change to the member: lists and reminders read the approved
    # decision's `extended_until` from now on.
