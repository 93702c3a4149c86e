"""Reads of the weak-organization lists: a county's (or any organization's subtree's) listings of
the year as the user may read them, with counts, and the rows the compliance engine measures."""

from datetime import date
from typing import Any

from django.db.models import QuerySet

from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization

from .models import OPEN, Listing, ListingState


def listings_under(user: Any, org: Organization, year: int) -> QuerySet[Listing]:
    """The year's listings of the organizations in `org`'s subtree that `user` may read."""
    return (
        Listing.objects.restrict(user, "view")
        .filter(subtree_q(org.path, "organization__path"), year=year)
        .select_related("organization")
    )


def counts(rows: list[Listing]) -> dict[str, int]:
    """Of a list already read for the page: candidates, listed, accepted, carried over."""
    on_list = [li for li in rows if li.state not in (ListingState.CANDIDATE, ListingState.REMOVED)]
    return {
        "candidates": sum(li.state == ListingState.CANDIDATE for li in rows),
        "listed": len(on_list),
        "accepted": sum(li.state == ListingState.ACCEPTED for li in rows),
        "carried_over": sum(li.state == ListingState.CARRIED_OVER for li in rows),
    }


def without_plan(year: int, today: date) -> QuerySet[Any]:
    """Listed and still without a plan after its 30 days (the compliance engine's rows)."""
    return Listing.objects.filter(year=year, state=ListingState.LISTED, plan_due__lt=today).values(
        "organization_id"
    )


def plan_due_soon(year: int, today: date, days: int = 7) -> QuerySet[Any]:
    return Listing.objects.filter(
        year=year,
        state=ListingState.LISTED,
        plan_due__gte=today,
        plan_due__lte=date.fromordinal(today.toordinal() + days),
    ).values("organization_id")


def still_open(year: int) -> QuerySet[Any]:
    """On the list and neither accepted nor carried over (year 0 matches nothing: the engine
    compiles these rows into its SQL, so "none" is a filter, not `.none()`)."""
    return Listing.objects.filter(year=year, state__in=OPEN).values("organization_id")
