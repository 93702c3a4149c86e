"""Reads of honours: the calls an organization may answer (its own committees above), the counts
per state of a call, the published honours of a committee, and what the compliance engine
measures."""

from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from dangjian.core.tree import STEPLEN
from dangjian.organizations.models import Organization

from .models import Call, CallState, Nomination, NominationState, Objection

UNFINISHED = (CallState.OPEN, CallState.REVIEWING, CallState.PUBLICITY)


def ancestor_paths(path: str) -> list[str]:
    """The paths of the organizations above `path` (not itself), nearest last."""
    return [path[:i] for i in range(STEPLEN, len(path), STEPLEN)]


def calls_from_above(org: Organization, states: tuple[str, ...]) -> QuerySet[Call]:
    """Calls of the committees above `org` in `states`: what `org` may nominate for, or what its
    members see on public notice. A call is addressed to its whole subtree, so these are read
    for whoever may view `org`, without a grant on the committee above."""
    return (
        Call.objects.filter(organization__path__in=ancestor_paths(org.path), state__in=states)
        .select_related("organization")
        .order_by("nominations_due", "id")
    )


def state_counts(rows: list[Nomination]) -> dict[str, int]:
    counts = Counter(n.state for n in rows)
    return {str(label): counts.get(value, 0) for value, label in NominationState.choices}


def published_honours(org: Organization) -> QuerySet[Nomination]:
    """The honours published by `org`'s calls, newest call first."""
    return (
        Nomination.objects.filter(call__organization=org, published_at__isnull=False)
        .select_related("call", "nominee_member__organization", "nominee_organization")
        .order_by("-call__year", "-call_id", "category", "id")
    )


def on_notice(call_ids: list[int]) -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(call_id__in=call_ids, state=NominationState.APPROVED)
        .select_related("nominee_member__organization", "nominee_organization")
        .order_by("call_id", "category", "id")
    )


def unpublished_of(year: int, today: date) -> QuerySet[Any]:
    """Calls of the year past their publication date and still not published (nor cancelled)."""
    return Call.objects.filter(
        year=year, state__in=(CallState.DRAFT, *UNFINISHED), publish_by__lt=today
    ).values("organization_id")


def due_soon_of(year: int, today: date, days: int = 14) -> QuerySet[Any]:
    return Call.objects.filter(
        year=year,
        state__in=(CallState.DRAFT, *UNFINISHED),
        publish_by__gte=today,
        publish_by__lte=today + timedelta(days=days),
    ).values("organization_id")


def objections_of(user: Any, org: Organization) -> QuerySet[Objection]:
    """The objections `user` raised to calls of `org` or of the committees above it, with their
    answers: shown to their author on the organization's honours page (nobody else's)."""
    if not getattr(user, "is_authenticated", False):
        return Objection.objects.none()
    paths = [*ancestor_paths(org.path), org.path]
    return (
        Objection.objects.filter(raised_by=user, nomination__call__organization__path__in=paths)
        .select_related("nomination__nominee_member", "nomination__nominee_organization", "nomination__call")
        .order_by("-raised_at", "-id")[:20]
    )
