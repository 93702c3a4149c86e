"""The workflow of a transfer (`core.workflow`): two-sided, each move belonging to one side.

* The sending branch (a change grant over `from_org`, any level above included) approves a
  member's request, which issues the letter, and withdraws a transfer before it is accepted.
* The receiving branch (a change grant over `to_org`) accepts, the member moving in the same
  transaction, or rejects with a reason; for a transfer out of the platform, which has no
  receiving branch here, the sending branch records the returned receipt as the acceptance.
* The member may withdraw their own request while it is a request, not a letter already sent.

Whoever sees the transfer from the other side is told which side acts (code "side", as the
callers always knew it); whoever sees neither gets a 404. What a move sets off (the letter's
number, the member's move, notices) is the service's, after the move's checks (`services`).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Inputs, Transition, Unless, Who, Workflow, reaches, the_member
from dangjian.members.models import MemberStatus

from .models import Transfer, TransferState

# A member who has lost contact, is suspended or has left is not transferred: the case, the
# suspension or the departure is dealt with first.
MOVABLE = (MemberStatus.ACTIVE, MemberStatus.FLOATING_OUT)


def _sender(user: Any, t: Transfer) -> bool:
    return reaches(user, t.from_org, "change")


def _receiver(user: Any, t: Transfer) -> bool:
    return t.to_org is not None and reaches(user, t.to_org, "change")


SENDER = Who("the sending branch", _sender)
# The receipt of a transfer out of the platform comes back to the sending branch.
ACCEPTOR = Who(
    "the receiving branch (the sending branch for a transfer out of the platform)",
    lambda user, t: _receiver(user, t) if t.to_org is not None else _sender(user, t),
)
# A request is declined by the member's own branch; a sent letter rejected by the receiving one.
REJECTOR = Who(
    "the sending branch for a request, the receiving branch for a sent letter",
    lambda user, t: _sender(user, t) if t.state == TransferState.REQUESTED else _receiver(user, t),
)
MEMBER = the_member(lambda t: t.member_id, "the member, for their own request")


def _accept_refusal(t: Transfer) -> str:
    if t.to_org is None:
        return _("The sending branch completes a transfer out of the platform when the receipt returns.")
    return _("Only the receiving branch can accept this transfer.")


def _reject_refusal(t: Transfer) -> str:
    if t.state == TransferState.REQUESTED:
        return _("Only the member's own branch can decline the request.")
    if t.to_org is None:
        return _("A transfer out of the platform is withdrawn by the sending branch, not rejected.")
    return _("Only the receiving branch can reject this transfer.")


def _state_refusal(t: Transfer) -> str:
    return _("This transfer is already %(state)s; it cannot change that way.") % {
        "state": t.get_state_display().lower()  # type: ignore[attr-defined]
    }


def _movable(t: Transfer, inputs: Inputs) -> None:
    """The member (locked by the service first) is still one that can be transferred."""
    member = t.member
    if member.status in MOVABLE:
        return
    status = member.get_status_display()  # type: ignore[attr-defined]
    message = _("Only an active or floating member can be transferred; this member's status is %(status)s.")
    raise ValidationError({"member": message % {"status": status}})


def _still_in_sending_branch(t: Transfer, inputs: Inputs) -> None:
    if t.member.organization_id != t.from_org_id:
        raise ValidationError(
            _("The member is no longer in the sending branch; this transfer cannot be accepted."),
            code="moved",
        )


_sent_letter = Unless(
    "not the member once the letter is sent",
    lambda user, t: t.state == TransferState.SENT and MEMBER(user, t) and not _sender(user, t),
    gettext_lazy("The letter has been sent; ask your branch to withdraw it."),
)

TRANSFER_FLOW = Workflow(
    model=Transfer,
    states=TransferState,
    transitions=(
        Transition(
            name="approve",
            source=(TransferState.REQUESTED,),
            target=TransferState.SENT,
            who=(SENDER,),
            refusal=gettext_lazy("Only the member's own branch can approve the request."),
            guards=(_movable,),
            note="none",
            stamp="sent",
            done=gettext_lazy("Request approved; the letter is issued."),
        ),
        Transition(
            name="accept",
            source=(TransferState.SENT,),
            target=TransferState.ACCEPTED,
            who=(ACCEPTOR,),
            refusal=_accept_refusal,
            guards=(_still_in_sending_branch, _movable),
            stamp="decided",
            done=gettext_lazy("Transfer accepted."),
        ),
        Transition(
            name="reject",
            source=(TransferState.REQUESTED, TransferState.SENT),
            target=TransferState.REJECTED,
            who=(REJECTOR,),
            refusal=_reject_refusal,
            note="required",
            note_required_message=gettext_lazy("Give the reason for the rejection."),
            stamp="decided",
            done=gettext_lazy("Transfer rejected."),
        ),
        Transition(
            name="cancel",
            source=(TransferState.REQUESTED, TransferState.SENT),
            target=TransferState.CANCELLED,
            who=(SENDER, MEMBER),
            refusal=gettext_lazy("Only the sending branch can withdraw this transfer."),
            unless=(_sent_letter,),
            stamp="decided",
            done=gettext_lazy("Transfer withdrawn."),
        ),
    ),
    org=lambda t: t.from_org,
    audit="transfer",
    gate="view",  # either side sees it; which side moves it is `who`
    admit=MEMBER,  # the member reaches their own transfer without a grant over it
    note_field="note",
    note_max_message=gettext_lazy("Keep the note to at most 200 characters."),
    related=("member", "from_org", "to_org"),
    view_related=("member", "from_org", "to_org"),
    back=lambda t: f"/transfers/{t.pk}/",
    state_refusal=_state_refusal,
    codes={"actor": "side", "excluded": "side"},
)
