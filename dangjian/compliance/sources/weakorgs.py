"""Weak and lax organizations (point 11): every listed organization has its rectification plan
within 30 days of listing, and is accepted or carried over to next year once the year has ended
(at risk: in December). Counted on the listed organization."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.weakorgs import queries

from ..metrics import State, by_year_end, register

TOPICS = ("weakorgs.listing",)


def _link(org: Any, year: int) -> str:
    return reverse("org_weak", args=[org.pk]) + f"?year={year}"


AFTER_YEAR, IN_DECEMBER = by_year_end(queries.still_open)


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
        AFTER_YEAR,
        org="organization_id",
        warn=IN_DECEMBER,
        topics=TOPICS,
        records=_link,
    ),
)
