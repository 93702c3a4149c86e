"""Single-object access for transfers (the member sees their own), and which actions a user may
take on one — so pages show only the buttons that will work."""

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest

from dangjian.core.scoping import in_scope

from .models import Transfer, TransferState
from .transfer_workflows import TRANSFER_FLOW


def get_transfer_for_user(request: HttpRequest, pk: int) -> Transfer:
    """A transfer either side may view, or the requesting user's own; 404 otherwise."""
    user = request.user
    rows = Transfer.objects.select_related("member", "from_org", "to_org")
    transfer = rows.restrict(user, "view").filter(pk=pk).first()
    own: int | None = getattr(user, "member_id", None)
    if transfer is None and own:
        transfer = rows.filter(pk=pk, member_id=own).first()
    if transfer is None:
        raise Http404
    return transfer


@dataclass(frozen=True)
class Actions:
    approve: bool = False
    accept: bool = False
    reject: bool = False
    cancel: bool = False
    letter: bool = False

    @property
    def any(self) -> bool:
        return self.approve or self.accept or self.reject or self.cancel


def actions_for(user: Any, t: Transfer) -> Actions:
    """The buttons: the moves `TRANSFER_FLOW` allows `user` now, by the rules the move applies."""
    moves = {move.name for move in TRANSFER_FLOW.allowed(user, t)}
    sender = in_scope(user, t.from_org, "change")
    receiver = t.to_org is not None and in_scope(user, t.to_org, "change")
    own = getattr(user, "member_id", None) == t.member_id
    return Actions(
        approve="approve" in moves,
        accept="accept" in moves,
        reject="reject" in moves,
        cancel="cancel" in moves,
        # Traditionally the member carries the letter: they may print their own.
        letter=t.state in (TransferState.SENT, TransferState.ACCEPTED) and (sender or receiver or own),
    )
