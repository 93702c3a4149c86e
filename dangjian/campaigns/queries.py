"""Reading campaigns: completion per child of any organization in the sender's subtree (from the
stored rollups, three index lookups whatever the campaign's size), what an organization has
received, and the rows of the compliance rules."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from dangjian.core.tree import path_successor
from dangjian.organizations.models import Organization

from .models import COUNTED, TO_SUBMIT, Assignment, AssignmentState, CampaignState, Case, CaseState, Rollup

CHILDREN_SHOWN = 500
AWAITING_SHOWN = 50
RUNNING = (CampaignState.LAUNCHED, CampaignState.CLOSED)


@dataclass
class ChildRow:
    org: Organization
    total: int
    pending: int
    submitted: int
    accepted: int
    returned: int
    cases_open: int
    cases_concluded: int
    assignment: Assignment | None = None  # a child with nothing assigned below it

    @property
    def done(self) -> int:
        return self.submitted + self.accepted

    @property
    def share(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def children(campaign_id: int, node: Organization) -> list[ChildRow]:
    """Every child of `node` with something assigned in its subtree, with its counts."""
    kids = list(
        Organization.objects.filter(
            path__gt=node.path, path__lt=path_successor(node.path), depth=node.depth + 1
        ).order_by("path")[:CHILDREN_SHOWN]
    )
    ids = [k.pk for k in kids]
    held = {
        r.organization_id: r for r in Rollup.objects.filter(campaign_id=campaign_id, organization_id__in=ids)
    }
    # No ordering: the children are in order already, and sorting by path would join them again.
    mine = Assignment.objects.filter(campaign_id=campaign_id, organization_id__in=ids).order_by()
    own = {a.organization_id: a for a in mine}
    rows = []
    for kid in kids:
        if kid.pk in held:
            r = held[kid.pk]
            counts = {name: getattr(r, name) for name in (*COUNTED, "cases_open", "cases_concluded")}
            rows.append(ChildRow(kid, r.total, **counts))
        elif kid.pk in own:
            a = own[kid.pk]
            counts = {name: int(a.state == name) for name in COUNTED}
            rows.append(ChildRow(kid, 1, cases_open=0, cases_concluded=0, assignment=a, **counts))
    return rows


def awaiting(campaign: Any, node: Organization, user: Any) -> list[Assignment]:
    """Reports under `node` submitted and waiting for the sender (the oldest first)."""
    return list(
        Assignment.objects.restrict(user, "view")
        .filter(campaign=campaign, state=AssignmentState.SUBMITTED)
        .filter(organization__path__gte=node.path, organization__path__lt=path_successor(node.path))
        .select_related("organization")
        .order_by("submitted_at", "id")[:AWAITING_SHOWN]
    )


def node_total(campaign_id: int, node: Organization) -> Rollup | None:
    return Rollup.objects.filter(campaign_id=campaign_id, organization=node).first()


def received(org: Organization, user: Any) -> QuerySet[Assignment]:
    return (
        Assignment.objects.restrict(user, "view")
        .filter(organization=org, campaign__state__in=RUNNING)
        .select_related("campaign", "campaign__organization")
        .order_by("-campaign__launched_at", "-id")
    )


# --- compliance ----------------------------------------------------------------------------------


def late_tasks(year: int, today: date) -> QuerySet[Any]:
    """Reports still with their organization after the deadline, of the year's campaigns."""
    return Assignment.objects.filter(
        deadline__year=year, deadline__lt=today, state__in=TO_SUBMIT, campaign__state__in=RUNNING
    ).values("organization_id")


def tasks_due_soon(year: int, today: date, days: int) -> QuerySet[Any]:
    return Assignment.objects.filter(
        deadline__year=year,
        deadline__gte=today,
        deadline__lte=date.fromordinal(today.toordinal() + days),
        state__in=TO_SUBMIT,
        campaign__state__in=RUNNING,
    ).values("organization_id")


def open_cases(year: int, today: date, within_days: int = 0) -> QuerySet[Any]:
    """Cases not concluded although their campaign ends before `today` + `within_days`."""
    ends = date.fromordinal(today.toordinal() + within_days)
    q = Q(assignment__campaign__ends_on__year=year, state=CaseState.OPEN)
    q &= Q(assignment__campaign__state__in=RUNNING)
    if within_days:
        q &= Q(assignment__campaign__ends_on__gte=today, assignment__campaign__ends_on__lte=ends)
    else:
        q &= Q(assignment__campaign__ends_on__lt=today)
    return Case.objects.filter(q).values("assignment__organization_id")
