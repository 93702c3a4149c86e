"""The workflow of a request between administrators (`core.workflow`, 三员分立):

pending ──confirm──▶ done        (an administrator of another role, neither the requester nor
   │                              the account's holder; the action is carried out by the service)
   ├──reject───▶ rejected        (the same confirmers)
   └──cancel───▶ cancelled       (the requester withdraws it)

Every move needs the review right (`review_admin`) over the account concerned; without it the
request is not found.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Transition, Unless, Who, Workflow

from .models import AdminRequest
from .roles import ADMIN_REVIEW

State = AdminRequest.State
_NOT_ALONE = gettext_lazy(
    "Only an administrator of another role, other than the account's holder, can confirm this."
)


def _admin_role(user: Any) -> str | None:
    from .services import admin_role_of  # the services import the models this module is loaded with

    return admin_role_of(user) if getattr(user, "pk", None) is not None else None


def _other_role(user: Any, req: AdminRequest) -> bool:
    role = _admin_role(user)
    return role is not None and role != req.requested_role


OTHER_ROLE = Who("an administrator of another role than the requester's", _other_role)
# Two people, never one: the requester does not confirm their own request, nor does the holder
# of the account confirm what is done to it.
NOT_THE_SAME = Unless(
    "neither the requester nor the account's holder",
    lambda user, req: getattr(user, "pk", None) in (req.requested_by_id, req.target_id),
    _NOT_ALONE,
)
REQUESTER = Who(
    "the administrator who filed it", lambda user, req: getattr(user, "pk", None) == req.requested_by_id
)


def _decided(req: AdminRequest) -> str:
    return _("This request has already been decided.")


def _decide(
    name: str, target: str, done: Any, who: Who, unless: tuple[Unless, ...], refusal: Any
) -> Transition:
    return Transition(
        name=name,
        source=(State.PENDING,),
        target=target,
        who=(who,),
        refusal=refusal,
        unless=unless,
        note="none",
        stamp="decided",
        done=done,
    )


REQUEST_FLOW = Workflow(
    model=AdminRequest,
    states=State,
    transitions=(
        _decide(
            "confirm",
            State.DONE,
            gettext_lazy("Request confirmed and carried out."),
            OTHER_ROLE,
            (NOT_THE_SAME,),
            _NOT_ALONE,
        ),
        _decide(
            "reject",
            State.REJECTED,
            gettext_lazy("Request rejected."),
            OTHER_ROLE,
            (NOT_THE_SAME,),
            _NOT_ALONE,
        ),
        _decide(
            "cancel",
            State.CANCELLED,
            gettext_lazy("Request withdrawn."),
            REQUESTER,
            (),
            gettext_lazy("Only the administrator who filed a request can withdraw it."),
        ),
    ),
    org=lambda req: req.target.home_org,
    audit="admin_request",
    gate=ADMIN_REVIEW,
    note_field="",
    related=("target__home_org",),
    view_related=("target",),
    back=lambda req: "/admin-requests/",
    state_refusal=_decided,
)
