"""Reads of theme practice: what a branch's page and a member's page show, the hours confirmed
for a home branch's members, and the rows the compliance engine measures."""

from datetime import date
from typing import Any

from django.db.models import Exists, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from dangjian.organizations.models import BRANCH_KINDS, Organization, Sector

from .models import (
    Commitment,
    Pairing,
    Post,
    Registration,
    ServiceTask,
    TaskState,
)


def posts(user: Any, org: Organization) -> QuerySet[Post]:
    return Post.objects.filter(organization=org).restrict(user, "view").prefetch_related("holders__member")


def commitments(user: Any, org: Organization, year: int) -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(organization=org, year=year)
        .restrict(user, "view")
        .select_related("member")
        .order_by("member__name", "id")
    )


def confirmed_hours(year: int | None = None) -> Coalesce:
    """A registration's confirmed hours (of `year` when given), as an annotation."""
    tasks = ServiceTask.objects.filter(registration=OuterRef("pk"), state=TaskState.CONFIRMED)
    if year is not None:
        tasks = tasks.filter(on__gte=date(year, 1, 1), on__lt=date(year + 1, 1, 1))
    summed = tasks.order_by().values("registration").annotate(n=Sum("hours")).values("n")
    return Coalesce(Subquery(summed, output_field=IntegerField()), Value(0))


def registrations(
    user: Any, *, home: Organization | None = None, community: Organization | None = None
) -> QuerySet[Registration]:
    rows = Registration.objects.all()
    if home is not None:
        rows = rows.filter(home=home)
    if community is not None:
        rows = rows.filter(community=community)
    return (
        rows.restrict(user, "view")
        .select_related("member", "home", "community")
        .annotate(hours_confirmed=confirmed_hours())
        .order_by("state", "-created_at", "-id")
    )


def pairings(user: Any, org: Organization) -> QuerySet[Pairing]:
    return Pairing.objects.filter(organization=org).restrict(user, "view").select_related("member")


# --- compliance ----------------------------------------------------------------------------


def community_branches_idle(year: int) -> QuerySet[Any]:
    """Community branches where no service task was confirmed in `year` (year 0: none; the
    engine compiles these rows into its SQL, so "none" is a filter, not `.none()`)."""
    confirmed = ServiceTask.objects.filter(
        registration__community=OuterRef("pk"),
        state=TaskState.CONFIRMED,
        on__gte=date(max(year, 1), 1, 1),
        on__lt=date(max(year, 1) + 1, 1, 1),
    )
    branches = Organization.objects.filter(kind__in=BRANCH_KINDS, sector=Sector.COMMUNITY)
    branches = branches.filter(pk__gt=0) if year else branches.filter(pk__lt=0)
    return branches.filter(~Exists(confirmed)).values("id")
