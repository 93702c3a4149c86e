"""Problem lists and rectification (points 19 and 13): every committee and branch has its list
by a date (a problem entered by then), no measure is past its deadline while still with its
organization, and every problem of the year is accepted or carried over once the year has ended."""

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.rectification import queries
from dangjian.rectification.models import EDITABLE, UNFINISHED, Problem

from ..metrics import Events, State, by_year_end, register

TOPICS = ("rectification.problem",)
SOON = timedelta(days=14)


def _link(org: Any, year: int) -> str:
    return reverse("org_problems", args=[org.pk]) + f"?year={year}"


def _soon(year: int, today: date) -> Any:
    return Problem.objects.filter(
        year=year, state__in=EDITABLE, deadline__gte=today, deadline__lte=today + SOON
    ).values("organization_id")


def _unfinished(year: int) -> Any:
    return Problem.objects.filter(year=year, state__in=UNFINISHED).values("organization_id")


AFTER_YEAR, IN_DECEMBER = by_year_end(_unfinished)


register(
    Events(
        "rectification.problem_list",
        _("Problem list of the organization"),
        queries.lists_of,
        org="organization_id",
        on="created_at",
        topics=TOPICS,
        records=_link,
    ),
    State(
        "rectification.overdue",
        _("Rectification measures past their deadline"),
        lambda year, today: queries.overdue_of(year, today),
        org="organization_id",
        warn=_soon,
        topics=TOPICS,
        records=_link,
    ),
    State(
        "rectification.unfinished_at_year_end",
        _("Problems neither accepted nor carried over at the year's end"),
        AFTER_YEAR,
        org="organization_id",
        warn=IN_DECEMBER,
        topics=TOPICS,
        records=_link,
    ),
)
