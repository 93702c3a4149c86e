"""Reads of problem lists: one organization's list for a year, the counts the compliance engine
measures, and a member's problems for the evaluation page."""

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from .models import EDITABLE, Problem, ProblemState


def org_list(org_id: int, year: int) -> QuerySet[Problem]:
    """The organization's own problems for the year (its members' own problems not included)."""
    return Problem.objects.filter(organization_id=org_id, year=year, member__isnull=True)


def member_problems(org_id: int, year: int) -> QuerySet[Problem]:
    return Problem.objects.filter(organization_id=org_id, year=year, member__isnull=False).select_related(
        "member"
    )


def counts(rows: list[Problem], today: date) -> dict[str, int]:
    """How many, how many accepted, and how many past their deadline while still being worked on
    (of a list already read for the page)."""
    return {
        "total": len(rows),
        "accepted": sum(p.state == ProblemState.ACCEPTED for p in rows),
        "overdue": sum(p.state in EDITABLE and p.deadline < today for p in rows),
    }


def lists_of(year: int) -> QuerySet[Any]:
    """Every problem of organizations' lists (not members' own) for the year: one row each, for the
    compliance engine (an organization has a list by a date when a problem was entered by then)."""
    return Problem.objects.filter(year=year, member__isnull=True).values("organization_id", "created_at")


def overdue_of(year: int, today: date) -> QuerySet[Any]:
    return Problem.objects.filter(year=year, state__in=EDITABLE, deadline__lt=today).values(
        "organization_id", "deadline"
    )


def accepted_of(year: int) -> QuerySet[Any]:
    return Problem.objects.filter(year=year, state=ProblemState.ACCEPTED).values(
        "organization_id", "decided_at"
    )


def member_statuses(member_ids: list[int], year: int) -> dict[int, str]:
    """{member id: "problems: 2, accepted: 1"} for the evaluation page's rectification column."""
    rows = (
        Problem.objects.filter(member_id__in=member_ids, year=year)
        .values("member_id")
        .annotate(total=Count("pk"), accepted=Count("pk", filter=Q(state=ProblemState.ACCEPTED)))
    )
    return {
        r["member_id"]: _("problems: %(total)s, accepted: %(accepted)s")
        % {"total": r["total"], "accepted": r["accepted"]}
        for r in rows
    }
