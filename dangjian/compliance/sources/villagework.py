"""First secretaries (point 22): every village flagged as a poverty-alleviation village has a
current first secretary whose last ended quarter is assessed by the county (a first secretary
who began after that quarter is not yet due). At risk: in the last 15 days before a quarter's
last day, the quarter not yet assessed; from its last day on, it is overdue. Counted on the
village."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.villagework import queries

from ..metrics import State, register

TOPICS = ("villagework.assignment",)


def _link(org: Any, year: int) -> str:
    return reverse("villagework:village", args=[org.pk])


register(
    State(
        "villagework.first_secretary_unassessed",
        _(
            "Poverty-alleviation villages without a first secretary, or whose first secretary's "
            "last quarter is not assessed (at risk: the quarter's last 15 days)"
        ),
        queries.without_assessed_first_secretary,
        org="village_id",
        warn=queries.assessment_due_soon,
        topics=TOPICS,
        records=_link,
    ),
)
