"""Weak and lax organizations (point 11): every listed organization has its rectification plan
within 30 days of listing, and is accepted or carried over to next year once the year has ended
(at risk: in December). Counted on the listed organization."""

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.weakorgs import queries

from ..metrics import State, register

TOPICS = ("weakorgs.listing",)


def _link(org: Any, year: int) -> str:
    return reverse("org_weak", args=[org.pk]) + f"?year={year}"


def _open_after_year(year: int, as_of: date) -> Any:
    # The engine judges a past year on its last day (`Clock.as_of`): still open then is overdue.
    # It compiles these rows into its SQL, so "none" is year 0, a filter no row meets.
    return queries.still_open(year if as_of >= date(year, 12, 31) else 0)


def _open_in_december(year: int, as_of: date) -> Any:
    return queries.still_open(year if date(year, 12, 1) <= as_of < date(year, 12, 31) else 0)


register(
    State(
        "weakorgs.without_plan",
        _("Listed weak organizations without a plan 30 days after listing (at risk: due within 7 days)"),
        queries.without_plan,
        org="organization_id",
        warn=queries.plan_due_soon,
        topics=TOPICS,
        records=_link,
    ),
    State(
        "weakorgs.unfinished_at_year_end",
        _("Listed weak organizations neither accepted nor carried over at the year's end"),
        _open_after_year,
        org="organization_id",
        warn=_open_in_december,
        topics=TOPICS,
        records=_link,
    ),
)
