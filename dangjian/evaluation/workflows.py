"""The evaluation campaign's workflow and the handling's (`core.workflow`).

A campaign is opened, rating is closed and the grades are proposed by the branch (change scope on
the branch); the level one up approves them or returns them to the branch (change scope on the
branch's parent), never whoever proposed. A handling of an unqualified member is closed once,
with its outcome, by the branch."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.tree import STEPLEN
from dangjian.core.workflow import Inputs, Transition, Workflow, by_stamp, in_reach, level_above
from dangjian.organizations.models import Organization

from .models import CampaignState, EvaluationCampaign, Handling, HandlingState, ProposedGrade
from .queries import participants

REVIEW_MAX = 500
TEXT_MAX = 2000


def approver_org(campaign: EvaluationCampaign) -> Organization:
    """The organization one level above the branch: the level that approves."""
    return Organization.objects.get(path=campaign.branch.path[:-STEPLEN])


def _approver_refusal(campaign: EvaluationCampaign) -> str:
    if campaign.branch.depth <= 1:
        return _("This branch has no committee above it to approve.")
    return _("The grades are approved or returned by the committee one level up (%(org)s).") % {
        "org": approver_org(campaign).name
    }


def _two_members(campaign: EvaluationCampaign, inputs: Inputs) -> None:
    if participants(campaign.branch).count() < 2:
        raise ValidationError(
            _("Members rate each other: the branch needs at least two members on the roll.")
        )


def _all_graded(campaign: EvaluationCampaign, inputs: Inputs) -> None:
    members = list(participants(campaign.branch))
    graded = set(ProposedGrade.objects.filter(campaign=campaign).values_list("member_id", flat=True))
    missing = [m.name for m in members if m.pk not in graded]
    if missing:
        raise ValidationError(
            _("Set a grade for every member first: %(names)s.") % {"names": "、".join(missing[:20])},
            code="incomplete",
        )


BRANCH = in_reach("change", label="the branch (change scope)")
ONE_LEVEL_UP = level_above(lambda c: c.branch, label="the committee one level up")
NOT_THE_PROPOSER = by_stamp(
    "proposed_by", gettext_lazy("Whoever proposed the grades cannot also approve or return them.")
)


def _branch_step(name: str, source: tuple[str, ...], target: str, done: Any, **kw: Any) -> Transition:
    return Transition(name=name, source=source, target=target, who=(BRANCH,), note="none", done=done, **kw)


def _review(name: str, target: str, note: str, done: Any, note_message: Any = "") -> Transition:
    return Transition(
        name=name,
        source=(CampaignState.PROPOSED,),
        target=target,
        who=(ONE_LEVEL_UP,),
        refusal=_approver_refusal,
        unless=(NOT_THE_PROPOSER,),
        note=note,
        note_required_message=note_message,
        stamp="decided",
        done=done,
    )


# The transition names are the audit actions' ("evaluation.open", "evaluation.rating_closed"…).
CAMPAIGN_FLOW = Workflow(
    model=EvaluationCampaign,
    states=CampaignState,
    transitions=(
        _branch_step(
            "open",
            (CampaignState.DRAFT,),
            CampaignState.OPEN,
            gettext_lazy("Campaign opened: members may self-assess and rate."),
            guards=(_two_members,),
        ),
        _branch_step(
            "rating_closed",
            (CampaignState.OPEN,),
            CampaignState.RATING_CLOSED,
            gettext_lazy("Rating closed: set the grades."),
        ),
        _branch_step(
            "proposed",
            (CampaignState.RATING_CLOSED, CampaignState.RETURNED),
            CampaignState.PROPOSED,
            gettext_lazy("Grades proposed to the committee above."),
            guards=(_all_graded,),
            stamp="proposed",
        ),
        _review("approved", CampaignState.APPROVED, "optional", gettext_lazy("Grades approved.")),
        _review(
            "returned",
            CampaignState.RETURNED,
            "required",
            gettext_lazy("Grades returned to the branch."),
            gettext_lazy("Say what the branch should change (at most 500 characters)."),
        ),
    ),
    org=lambda c: c.branch,
    audit="evaluation",
    gate="view",  # the level above sees the branch's campaign; each move's `who` says who acts
    related=("branch",),
    back=lambda c: f"/orgs/{c.branch_id}/evaluation/?year={c.year}",
    note_max=REVIEW_MAX,
    note_max_message=gettext_lazy("Keep the note to at most 500 characters."),
)


def _outcome_written(handling: Handling, inputs: Inputs) -> None:
    outcome = str(inputs.extra.get("outcome", ""))
    if not outcome or len(outcome) > TEXT_MAX:
        raise ValidationError({"outcome": _("Write the outcome (at most 2000 characters).")})


# The outcome (up to 2000 characters) is its own column; the history and audit keep its start.
HANDLING_FLOW = Workflow(
    model=Handling,
    states=HandlingState,
    transitions=(
        Transition(
            name="handling_close",
            source=(HandlingState.OPEN,),
            target=HandlingState.CLOSED,
            who=(BRANCH,),
            guards=(_outcome_written,),
            done=gettext_lazy("Handling closed."),
        ),
    ),
    org=lambda h: h.campaign.branch,
    audit="evaluation",
    event="evaluation.handling_close",
    note_field="",
    related=("campaign__branch", "member"),
    back=lambda h: f"/orgs/{h.campaign.branch_id}/evaluation/?year={h.campaign.year}",
)
