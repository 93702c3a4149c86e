"""Shared set-up for the evaluation tests (also used by the scope matrix for out-of-reach rows)."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from dangjian.core.scoping import SYSTEM
from dangjian.evaluation import services
from dangjian.evaluation.handling import create_handling
from dangjian.evaluation.models import EvaluationCampaign, Handling
from dangjian.evaluation.queries import participants
from dangjian.organizations.models import Organization
from dangjian.testing.world import make_member


def today() -> date:
    return timezone.localdate()


def new_campaign(branch: Organization, *, by: Any = SYSTEM, open_: bool = True) -> EvaluationCampaign:
    """This year's campaign of `branch`, open from today for two weeks."""
    campaign = services.create_campaign(
        branch, today().year, today(), today() + timedelta(days=14), acting_user=by
    )
    return services.open_campaign(campaign, acting_user=by) if open_ else campaign


def graded(campaign: EvaluationCampaign, grades: dict[int, str], *, by: Any = SYSTEM) -> EvaluationCampaign:
    """Rating closed and the given grades set (member id → grade; unqualified with a reason)."""
    services.close_rating(campaign, acting_user=by)
    items = [
        {"member": pk, "grade": g, "note": "长期不参加组织生活" if g == "unqualified" else ""}
        for pk, g in grades.items()
    ]
    services.set_grades(campaign, items, acting_user=by)
    return campaign


def handled_campaign(branch: Organization) -> Handling:
    """An approved campaign of `branch` (given a second member) whose first member was graded
    unqualified and handled: one of every evaluation row, for the scope matrix."""
    make_member(branch, f"评议{branch.code}")  # a name of its own: the matrix looks for names
    members = list(participants(branch))
    campaign = new_campaign(branch)
    graded(campaign, {m.pk: ("unqualified" if i == 0 else "qualified") for i, m in enumerate(members)})
    services.propose(campaign, acting_user=SYSTEM)
    services.approve(campaign, acting_user=SYSTEM)
    return create_handling(
        campaign,
        members[0],
        "correct_within_deadline",
        deadline=today() + timedelta(days=90),
        acting_user=SYSTEM,
    )
