"""Reads for supervision: who has a plan, and how much of it is done."""

from django.db.models import Exists, OuterRef

from dangjian.core.tree import subtree_q
from dangjian.orglife.models import MeetingStatus

from .models import StudyItem, StudyPlan


def organizations_with_plan(org_path: str, year: int) -> set[int]:
    """Ids of the organizations in the subtree that have a study plan for `year`."""
    plans = StudyPlan.objects.filter(subtree_q(org_path, "organization__path"), year=year)
    return set(plans.order_by().values_list("organization_id", flat=True))


def plan_progress(plan: StudyPlan) -> list[tuple[StudyItem, bool]]:
    """Each item with whether a closed meeting carried it out (one query)."""
    done = StudyItem.meetings.through.objects.filter(
        studyitem_id=OuterRef("pk"), meeting__status=MeetingStatus.CLOSED
    )
    return [(item, bool(item.done)) for item in plan.items.annotate(done=Exists(done))]  # type: ignore[attr-defined]
