"""The workflows of campaigns (`core.workflow`).

- A campaign: its sender (a writing grant covering the sending committee) launches the draft,
  closes it when the work is done, or cancels it with a reason.
- An assignment: the receiving organization's officers submit it (again, once returned); the
  sender accepts it or returns it with what is missing — never whoever submitted it, nor anyone
  writing inside the receiving organization (it does not judge its own report).
- A case: the receiving organization's officers conclude it; the sender may reopen a conclusion
  it does not accept, saying why.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import (
    Inputs,
    Transition,
    Workflow,
    by_stamp,
    in_reach,
    not_inside,
    role_on,
)

from . import rollups
from .models import (
    TO_SUBMIT,
    Assignment,
    AssignmentState,
    Campaign,
    CampaignState,
    Case,
    CaseState,
)
from .reminders import DEADLINE, OFFICERS

SENDER = in_reach("change", of=lambda c: c.organization, label="the sender (change on the sending committee)")
RECEIVER = role_on(OFFICERS, lambda a: a.organization, "the receiving organization's officers")
SENDER_OF = in_reach(
    "change", of=lambda a: a.campaign.organization, label="the sender (change on the sending committee)"
)
CASE_RECEIVER = role_on(OFFICERS, lambda c: c.assignment.organization, "the organization's officers")
CASE_SENDER = in_reach(
    "change",
    of=lambda c: c.assignment.campaign.organization,
    label="the sender (change on the sending committee)",
)
NOT_SUBMITTER = by_stamp(
    "submitted_by", gettext_lazy("Whoever submitted a report cannot also accept or return it.")
)
NOT_INSIDE = not_inside(
    lambda a: a.organization,
    gettext_lazy("An organization's report is accepted by the sender, not by the organization itself."),
)
CASE_NOT_INSIDE = not_inside(
    lambda c: c.assignment.organization,
    gettext_lazy("A case's conclusion is reopened by the sender, not by the organization itself."),
)


def _launchable(campaign: Campaign, inputs: Inputs) -> None:
    if campaign.deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline has passed; set a later one before launching.")})
    if not campaign.target_kinds:
        raise ValidationError({"target_kinds": _("Choose which kinds of organization it goes to.")})


def _open_campaign(assignment: Assignment, inputs: Inputs) -> None:
    if assignment.campaign.state != CampaignState.LAUNCHED:
        raise ValidationError(_("The campaign is no longer running; nothing more is submitted or decided."))


def _case_open_campaign(case: Case, inputs: Inputs) -> None:
    _open_campaign(case.assignment, inputs)


def _answered(assignment: Assignment, inputs: Inputs) -> None:
    missing = [
        f["label"]
        for f in assignment.campaign.fields
        if f.get("required") and not assignment.answers.get(f["key"])
    ]
    if missing:
        raise ValidationError(
            {"answers": _("Fill in before submitting: %(fields)s.") % {"fields": "、".join(missing)}}
        )


def _concluded(case: Case, inputs: Inputs) -> None:
    if not str(inputs.extra.get("conclusion", "")).strip():
        raise ValidationError({"conclusion": _("Write how the case was concluded.")})


def _shift_assignment(assignment: Assignment, before: str, move: Transition) -> None:
    rollups.shift(assignment.campaign, assignment.organization, **{before: -1, move.target: 1})


def _shift_case(case: Case, before: str, move: Transition) -> None:
    change = 1 if move.target == CaseState.CONCLUDED else -1
    assignment = case.assignment
    rollups.shift(assignment.campaign, assignment.organization, cases_open=-change, cases_concluded=change)


def _sender_refusal(obj: Any) -> str:
    return _("Only the sending committee decides on this.")


def _receiver_refusal(obj: Any) -> str:
    return _("This is done by the receiving organization's officers.")


CAMPAIGN_FLOW = Workflow(
    model=Campaign,
    states=CampaignState,
    transitions=(
        Transition(
            "launch",
            (CampaignState.DRAFT,),
            CampaignState.LAUNCHED,
            who=(SENDER,),
            refusal=_sender_refusal,
            guards=(_launchable,),
            stamp="launched",
            note="none",
            done=gettext_lazy("Launched: every organization in scope has received it."),
        ),
        Transition(
            "close",
            (CampaignState.LAUNCHED,),
            CampaignState.CLOSED,
            who=(SENDER,),
            refusal=_sender_refusal,
            stamp="closed",
            done=gettext_lazy("Closed."),
        ),
        Transition(
            "cancel",
            (CampaignState.DRAFT, CampaignState.LAUNCHED),
            CampaignState.CANCELLED,
            who=(SENDER,),
            refusal=_sender_refusal,
            stamp="closed",
            note="required",
            note_required_message=gettext_lazy("Give the reason for cancelling it."),
            done=gettext_lazy("Cancelled."),
        ),
    ),
    org=lambda c: c.organization,
    audit="campaign",
    event="campaigns.campaign",
    event_on=lambda c: c.ends_on,
    related=("organization",),
    view_related=("organization",),
    back=lambda c: f"/campaigns/{c.pk}/",
)


def _by_sender(name: str, target: str, done: Any, **kw: Any) -> Transition:
    return Transition(
        name,
        (AssignmentState.SUBMITTED,),
        target,
        who=(SENDER_OF,),
        refusal=_sender_refusal,
        unless=(NOT_SUBMITTER, NOT_INSIDE),
        guards=(_open_campaign,),
        stamp="decided",
        done=done,
        **kw,
    )


ASSIGNMENT_FLOW = Workflow(
    model=Assignment,
    states=AssignmentState,
    transitions=(
        Transition(
            "submit",
            TO_SUBMIT,
            AssignmentState.SUBMITTED,
            who=(RECEIVER,),
            refusal=_receiver_refusal,
            guards=(_open_campaign, _answered),
            stamp="submitted",
            note="none",
            done=gettext_lazy("Submitted to the sender."),
        ),
        _by_sender("accept", AssignmentState.ACCEPTED, gettext_lazy("Report accepted.")),
        _by_sender(
            "return",
            AssignmentState.RETURNED,
            gettext_lazy("Report returned to the organization."),
            note="required",
            note_required_message=gettext_lazy("Say what is still missing."),
        ),
    ),
    org=lambda a: a.organization,
    audit="assignment",
    event="campaigns.assignment",
    event_on=lambda a: a.deadline,
    gate="view",
    related=("organization", "campaign", "campaign__organization"),
    view_related=("organization", "campaign", "campaign__organization"),
    back=lambda a: f"/assignments/{a.pk}/",
    deadlines=(DEADLINE,),
    after=_shift_assignment,
)

CASE_FLOW = Workflow(
    model=Case,
    states=CaseState,
    transitions=(
        Transition(
            "conclude",
            (CaseState.OPEN,),
            CaseState.CONCLUDED,
            who=(CASE_RECEIVER,),
            refusal=_receiver_refusal,
            guards=(_case_open_campaign, _concluded),
            stamp="concluded",
            note="none",
            done=gettext_lazy("Case concluded."),
        ),
        Transition(
            "reopen",
            (CaseState.CONCLUDED,),
            CaseState.OPEN,
            who=(CASE_SENDER,),
            refusal=_sender_refusal,
            unless=(CASE_NOT_INSIDE,),
            guards=(_case_open_campaign,),
            note="required",
            note_required_message=gettext_lazy("Say why the conclusion is not accepted."),
            done=gettext_lazy("Case reopened."),
        ),
    ),
    org=lambda c: c.assignment.organization,
    audit="campaign_case",
    event="campaigns.case",
    event_on=lambda c: c.assignment.campaign.ends_on,
    gate="view",
    related=("assignment__organization", "assignment__campaign__organization"),
    view_related=("assignment__organization", "assignment__campaign__organization"),
    back=lambda c: f"/assignments/{c.assignment_id}/#case-{c.pk}",
    after=_shift_case,
)
