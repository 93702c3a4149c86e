"""Reads of the weak-organization lists: a county's (or any organization's subtree's) listings of
the year as the user may read them — the candidates filtered by reason, sorted and paged — with
counts, and the rows the compliance engine measures."""

from datetime import date
from typing import Any

from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, TextField
from django.db.models.functions import Cast

from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization

from .models import OPEN, Listing, ListingState, Reason

# How the county's candidates may be sorted (`?sort=`): by the tree, or the most reasons first.
SORTS = ("org", "reasons")


class ReasonCount(Func):
    """How many reasons a listing has (the length of its JSON list)."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra)


def listings_under(user: Any, org: Organization, year: int) -> QuerySet[Listing]:
    """The year's listings of the organizations in `org`'s subtree that `user` may read."""
    return (
        Listing.objects.restrict(user, "view")
        .filter(subtree_q(org.path, "organization__path"), year=year)
        .select_related("organization", "county")
    )


def candidates(rows: QuerySet[Listing], reason: str = "", sort: str = "org") -> QuerySet[Listing]:
    """The candidates of `rows` (already scoped), showing `reason` when given (a `Reason` code;
    anything else is ignored), sorted by the tree or by the number of reasons (most first)."""
    rows = rows.filter(state=ListingState.CANDIDATE)
    if reason in Reason.values:
        # The list's text holds each code in quotes on every database: a code is never a part of
        # another's quoted form.
        rows = rows.alias(reason_text=Cast("reasons", TextField())).filter(
            reason_text__contains=f'"{reason}"'
        )
    if sort == "reasons":
        return rows.alias(n=ReasonCount("reasons")).order_by(F("n").desc(), "organization__path", "id")
    return rows.order_by("organization__path", "id")


def counts(rows: QuerySet[Listing]) -> dict[str, int]:
    """Of the listings the page reads (already scoped), in one query: candidates, listed, accepted,
    carried over."""
    return rows.aggregate(
        candidates=Count("pk", filter=Q(state=ListingState.CANDIDATE)),
        listed=Count("pk", filter=~Q(state__in=(ListingState.CANDIDATE, ListingState.REMOVED))),
        accepted=Count("pk", filter=Q(state=ListingState.ACCEPTED)),
        carried_over=Count("pk", filter=Q(state=ListingState.CARRIED_OVER)),
    )


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
