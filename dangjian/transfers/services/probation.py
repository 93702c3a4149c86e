"""Recording the branch member assembly's decision on a probationary member."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.dates import add_months
from dangjian.core.services import account_of as account
from dangjian.core.services import require_scope, write_service
from dangjian.identity.models import RevokeReason
from dangjian.identity.services import revoke_card
from dangjian.members.models import Member, MemberCategory, MemberStatus
from dangjian.orglife.models import Meeting, MeetingKind, MeetingStatus

from ..models import EXTENSION_MONTHS, ProbationDecision, ProbationOutcome
from ..probation import member_probation_end
from .common import lock_member, set_status


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
    """Convert (full member from the day probation ended), extend (6–12 months, once) or cancel
    (the member leaves the roll). Conversion and extension are decided once the probation is
    up; a cancellation may be decided at any time during it."""
    member = lock_member(member.pk)
    require_scope(acting_user, member, "change")
    if member.category != MemberCategory.PROBATIONARY or member.status == MemberStatus.LEFT:
        raise ValidationError(
            _("Only a probationary member on the roll has a probation to decide."), code="category"
        )
    if outcome not in ProbationOutcome.values:
        raise ValidationError({"outcome": _("Choose the decision.")})
    _check_meeting(member, meeting)
    assert meeting is not None
    if ProbationDecision.objects.filter(member=member, meeting=meeting).exists():
        raise ValidationError({"meeting": _("This meeting's decision on the member is already recorded.")})
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
        if ProbationDecision.objects.filter(member=member, outcome=ProbationOutcome.EXTEND).exists():
            raise ValidationError({"outcome": _("A probation can be extended only once.")})
        extended_until = add_months(ends, extension_months)
    else:
        extension_months = None
    decision = ProbationDecision.objects.create(
        member=member,
        outcome=outcome,
        extension_months=extension_months,
        extended_until=extended_until,
        meeting=meeting,
        decided_on=decided_on,
        note=note.strip()[:200],
        recorded_by=account(acting_user),
    )
    _apply(member, decision, ends, acting_user)
    audit.record(
        "probation.decide",
        actor=acting_user,
        obj=decision,
        org_path=member.organization.path,
        changes={
            "outcome": [None, outcome],
            "meeting": [None, meeting.pk],
            "extended_until": [None, str(extended_until or "")],
        },
    )
    return decision


def _apply(member: Member, decision: ProbationDecision, ends: Any, acting_user: Any) -> None:
    why = f"probation decision {decision.pk}"
    if decision.outcome == ProbationOutcome.CONVERT:
        # Full membership counts from the day probation ended, not from the meeting.
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
    elif decision.outcome == ProbationOutcome.CANCEL:
        set_status(member, MemberStatus.LEFT, acting_user=acting_user, why=why)
        revoke_card(member, RevokeReason.LEFT, acting_user=acting_user)
