"""Special campaigns and tasks sent down (point 18): every case reaches a conclusion by its
campaign's end; every task is submitted by its deadline."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.campaigns import queries

from ..metrics import State, register

SOON = 3  # days


def _link(org: Any, year: int) -> str:
    return reverse("org_campaigns", args=[org.pk])


register(
    State(
        "campaigns.late_tasks",
        _("Tasks not submitted by their deadline"),
        queries.late_tasks,
        org="organization_id",
        warn=lambda year, today: queries.tasks_due_soon(year, today, SOON),
        topics=("campaigns.assignment",),
        records=_link,
    ),
    State(
        "campaigns.open_cases",
        _("Cases without a conclusion at their campaign's end"),
        queries.open_cases,
        org="assignment__organization_id",
        warn=lambda year, today: queries.open_cases(year, today, 14),
        topics=("campaigns.case",),
        records=_link,
    ),
)
