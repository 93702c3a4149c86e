"""Problem lists and rectification (points 19 and 13): every committee and branch has its list
by a date (a problem entered by then), no measure is past its deadline while still with its
organization, and every problem of the year is accepted or carried over once the year has ended."""

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.rectification import queries
from dangjian.rectification.models import EDITABLE, UNFINISHED, Problem

from ..metrics import Events, State, register

TOPICS = ("rectification.problem",)
SOON = timedelta(days=14)


def _link(org: Any, year: int) -> str:
    return reverse("org_problems", args=[org.pk]) + f"?year={year}"


def _soon(year: int, today: date) -> Any:
    return Problem.objects.filter(
        year=year, state__in=EDITABLE, deadline__gte=today, deadline__lte=today + SOON
    ).values("organization_id")


def _unfinished(year: int, when: bool) -> Any:
    # The engine compiles these rows into its SQL, so "none" is a filter no row meets (no problem
    # has year 0), not `.none()`, which has no SQL.
    return Problem.objects.filter(year=year if when else 0, state__in=UNFINISHED).values("organization_id")


def _open_after_year(year: int, today: date) -> Any:
    return _unfinished(year, today > date(year, 12, 31))


def _open_in_december(year: int, today: date) -> Any:
    return _unfinished(year, date(year, 12, 1) <= today <= date(year, 12, 31))


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
        _open_after_year,
        org="organization_id",
        warn=_open_in_december,
        topics=TOPICS,
        records=_link,
    ),
)
