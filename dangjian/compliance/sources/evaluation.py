"""Democratic evaluation of members (point 15): the branch's campaign of the year is approved by
the committee above, and every member graded unqualified has a handling decision.

Both follow `evaluation.queries` (`campaign_status`, `unqualified_without_handling`): a campaign
is complete only in state `approved` (there is no later state), and only grades of an approved
campaign count — a proposed grade may still change.
"""

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.evaluation.models import CampaignState, EvaluationCampaign, Grade, Handling, ProposedGrade

from ..metrics import Events, State, register

TOPICS = ("evaluation.campaign",)


def _evaluation_link(org: Any, year: int) -> str:
    return reverse("org_evaluation", args=[org.pk]) + f"?year={year}"


def _unhandled(year: int, as_of: date) -> Any:
    handled = Handling.objects.filter(campaign=OuterRef("campaign"), member=OuterRef("member"))
    return ProposedGrade.objects.filter(
        campaign__year=year, campaign__state=CampaignState.APPROVED, grade=Grade.UNQUALIFIED
    ).exclude(Exists(handled))


register(
    Events(
        "evaluation.completed",
        _("Democratic evaluation of members approved"),
        # decided_at: the approval (a return sets it too, but then the state is not approved).
        lambda year: EvaluationCampaign.objects.filter(year=year, state=CampaignState.APPROVED),
        org="branch_id",
        on="decided_at",
        topics=TOPICS,
        records=_evaluation_link,
    ),
    State(
        "evaluation.unqualified_unhandled",
        _("Members graded unqualified without a handling decision"),
        _unhandled,
        org="campaign__branch_id",
        topics=TOPICS,
        records=_evaluation_link,
    ),
)
