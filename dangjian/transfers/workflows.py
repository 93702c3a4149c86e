"""The probation decision's workflow: the branch member assembly decides (`record_decision`), the
nearest Party committee above the branch approves or rejects it once (`core.workflow`). What an
approved decision does to the member stays in `services.probation._apply`."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.tree import ancestor_paths
from dangjian.core.workflow import Inputs, Transition, Who, Workflow, by_stamp, reaches
from dangjian.members.models import MemberCategory, MemberStatus
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from . import (
    lost_floating_workflows,  # noqa: F401  (registered with core.workflow on start-up, as this module is)
    transfer_workflows,  # noqa: F401  (registered with core.workflow on start-up, as this module is)
)
from .models import DecisionState, ProbationDecision


def approver_org(branch: Organization) -> Organization | None:
    """The Party committee above the branch that approves: the nearest committee or working
    committee among its ancestors (a general branch in between does not approve); the parent
    when no ancestor is a committee; None for a root."""
    paths = ancestor_paths(branch.path)
    if not paths:
        return None
    above = {o.path: o for o in Organization.objects.filter(path__in=paths)}
    for path in reversed(paths):
        org = above.get(path)
        if org is not None and org.kind in COMMITTEE_KINDS:
            return org
    return above.get(paths[-1])


def committee_above(branch_of: Callable[[Any], Organization], action: str = "change", label: str = "") -> Who:
    """Generic: a grant allowing `action` that covers the nearest committee above the record's
    branch (`approver_org`), not merely its parent; nobody when the branch has none above."""

    def check(user: Any, obj: Any) -> bool:
        org = approver_org(branch_of(obj))
        return org is not None and reaches(user, org, action)

    return Who(label or f"{action} on the nearest committee above", check)


def _decided(decision: ProbationDecision) -> str:
    return _("This decision is already “%(state)s”; it cannot change that way.") % {
        "state": DecisionState(decision.state).label
    }


def _refusal(decision: ProbationDecision) -> str:
    org = approver_org(decision.member.organization)
    if org is None:
        return _("This branch has no committee above it to approve.")
    return _("The decision is approved by the Party committee above the branch (%(org)s).") % {
        "org": org.name
    }


def _still_probationary(decision: ProbationDecision, inputs: Inputs) -> None:
    """The member (locked by the caller, `inputs.extra["member"]`) is still a probationary
    member of the branch that decided."""
    member = inputs.extra.get("member") or decision.member
    if (
        member.category != MemberCategory.PROBATIONARY
        or member.status == MemberStatus.LEFT
        or member.organization_id != decision.meeting.organization_id
    ):
        raise ValidationError(
            _("The member is no longer a probationary member of the branch that decided."), code="moved"
        )


def _decide(
    name: str, target: str, note: str, done: Any, guards: tuple[Any, ...] = (), note_message: Any = ""
) -> Transition:
    return Transition(
        name=name,
        source=(DecisionState.DECIDED,),
        target=target,
        who=(committee_above(lambda d: d.member.organization, label="the Party committee above the branch"),),
        refusal=_refusal,
        unless=(
            by_stamp(
                "recorded_by", gettext_lazy("Whoever recorded the decision cannot also approve or reject it.")
            ),
        ),
        guards=guards,
        note=note,
        note_required_message=note_message,
        stamp="reviewed",
        done=done,
    )


DECISION_FLOW = Workflow(
    model=ProbationDecision,
    states=DecisionState,
    transitions=(
        _decide(
            "approve",
            DecisionState.APPROVED,
            "optional",
            gettext_lazy("Decision approved."),
            guards=(_still_probationary,),
        ),
        _decide(
            "reject",
            DecisionState.REJECTED,
            "required",
            gettext_lazy("Decision not approved."),
            note_message=gettext_lazy("Say why the decision is not approved."),
        ),
    ),
    org=lambda d: d.member.organization,
    audit="probation",
    gate="view",  # the committee above sees the branch's records; who may decide is `who`
    related=("member__organization", "meeting"),
    back=lambda d: f"/members/{d.member_id}/membership/",
    # The words and codes its callers always had: whoever is not the approver is refused as such.
    state_refusal=_decided,
    codes={"actor": "approver", "excluded": "approver"},
)
