"""The term change's workflow (`core.workflow`):

    requested ──approve──▶ approved ──report──▶ elected ──confirm──▶ confirmed
        │  ▲                  ▲                    │
     return│ resubmit          └──return-results───┘
        ▼  │
      returned          (withdraw: requested, returned or approved ──▶ withdrawn)

The organization — its officers, or a level above acting for it (a change grant covering it) —
requests, resubmits, reports the results and withdraws. The committee one level up (a change
grant covering the parent) approves, returns, confirms or returns the results; never someone
who writes on or inside the organization itself, nor whoever filed what is being decided.
Confirming writes the new term and committee (the service, after the move).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import (
    Deadline,
    Inputs,
    Transition,
    Unless,
    Workflow,
    by_stamp,
    in_reach,
    level_above,
    not_inside,
)
from dangjian.members.models import CommitteePost, MemberCategory, MemberStatus

from .models import TermChange, TermChangeState

S = TermChangeState


def _org(tc: TermChange) -> Any:
    return tc.organization


ORGANIZATION = in_reach("change", of=_org, label="the organization (a change grant covering it)")
ABOVE = level_above(_org, label="the committee one level up")
NOT_INSIDE = not_inside(
    _org, gettext_lazy("An organization's term change is decided by the committee above, not by itself.")
)
NOT_REQUESTER = by_stamp("requested_by", gettext_lazy("Whoever filed the request cannot also decide on it."))
NOT_REPORTER = by_stamp("reported_by", gettext_lazy("Whoever reported the results cannot also confirm them."))


def _above_refusal(tc: TermChange) -> str:
    return _("This is decided by the committee one level up from %(org)s.") % {"org": tc.organization.name}


def _results_complete(tc: TermChange, inputs: Inputs) -> None:
    if tc.held_on is None:
        raise ValidationError({"held_on": _("Enter the day the election was held.")})
    posts = list(tc.elected.values_list("post", flat=True))
    if not posts:
        raise ValidationError(_("Record who was elected before reporting the results."))
    if posts.count(CommitteePost.SECRETARY) != 1:
        raise ValidationError(_("Exactly one secretary must be elected."))


def _still_on_roll(tc: TermChange, inputs: Inputs) -> None:
    """The elected are still full members of the organization when the results are confirmed
    (a member transferred away meanwhile is not written into another organization's committee)."""
    gone = tc.elected.exclude(
        member__organization_id=tc.organization_id,
        member__status=MemberStatus.ACTIVE,
        member__category=MemberCategory.FULL,
    ).values_list("member__name", flat=True)
    if gone:
        raise ValidationError(
            _("%(names)s is no longer a full member of the organization: return the results for correction.")
            % {"names": "、".join(gone)}
        )


def _decide(
    name: str,
    source: tuple[str, ...],
    target: str,
    note: str,
    done: Promise,
    *,
    stamp: str = "",
    unless: Unless = NOT_REQUESTER,
    guards: tuple[Callable[[TermChange, Inputs], None], ...] = (),
) -> Transition:
    """A decision of the committee one level up."""
    return Transition(
        name=name,
        source=source,
        target=target,
        who=(ABOVE,),
        refusal=_above_refusal,
        unless=(NOT_INSIDE, unless),
        guards=guards,
        note=note,
        note_required_message=gettext_lazy("Say what must change."),
        stamp=stamp,
        done=done,
    )


def _officers(tc: TermChange) -> list[int]:
    from dangjian.transfers.services.common import keepers

    return keepers([tc.organization_id]).get(tc.organization_id, [])


TERM_FLOW = Workflow(
    model=TermChange,
    states=TermChangeState,
    transitions=(
        _decide(
            "approve",
            (S.REQUESTED,),
            S.APPROVED,
            "optional",
            gettext_lazy("Term change approved."),
            stamp="decided",
        ),
        _decide(
            "return",
            (S.REQUESTED,),
            S.RETURNED,
            "required",
            gettext_lazy("Request returned."),
            stamp="decided",
        ),
        Transition(
            name="resubmit",
            source=(S.RETURNED,),
            target=S.REQUESTED,
            who=(ORGANIZATION,),
            note="none",
            stamp="requested",
            done=gettext_lazy("Request filed again."),
        ),
        Transition(
            name="report",
            source=(S.APPROVED,),
            target=S.ELECTED,
            who=(ORGANIZATION,),
            guards=(_results_complete,),
            note="none",
            stamp="reported",
            done=gettext_lazy("Results reported to the committee above."),
        ),
        _decide(
            "confirm",
            (S.ELECTED,),
            S.CONFIRMED,
            "optional",
            gettext_lazy("Results confirmed: the new term and committee are recorded."),
            stamp="confirmed",
            unless=NOT_REPORTER,
            guards=(_still_on_roll,),
        ),
        _decide(
            "return_results",
            (S.ELECTED,),
            S.APPROVED,
            "required",
            gettext_lazy("Results returned for correction."),
            unless=NOT_REPORTER,
        ),
        Transition(
            name="withdraw",
            source=(S.REQUESTED, S.RETURNED, S.APPROVED),
            target=S.WITHDRAWN,
            who=(ORGANIZATION,),
            note="required",
            note_required_message=gettext_lazy("Say why the term change is withdrawn."),
            done=gettext_lazy("Term change withdrawn."),
        ),
    ),
    org=lambda tc: tc.organization,
    audit="term_change",
    # The organization's term is measured (term-change rule); what it records changed.
    event="organizations.organization",
    related=("organization",),
    back=lambda tc: reverse("term_change", args=[tc.pk]),
    deadlines=(
        Deadline(
            states=(S.APPROVED,),
            column="planned_on",
            notify=_officers,
            title=lambda tc: (
                _("The election of %(org)s is planned for %(day)s.")
                % {"org": tc.organization.name, "day": tc.planned_on.isoformat()}
            ),
            url=lambda tc: reverse("term_change", args=[tc.pk]),
        ),
    ),
)
