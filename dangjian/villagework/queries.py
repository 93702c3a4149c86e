"""Reads of the village work: what a user may read, the county's overview of its flagged villages
in one query, and the rows the compliance engine measures (`compliance/sources/villagework.py`)."""

from datetime import date, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization

from .models import Assessment, Assignment, PovertyVillage, TeamRole, WorkLog
from .quarters import last_ended, quarter_bounds, quarter_of

# The county's last 15 days of a quarter: an assessment not yet done is at risk.
AT_RISK_DAYS = 15
READ = "change"  # the officers' reach: a member's "view" grant reads none of it


def _own(user: Any) -> Q:
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    return Q(member_id=member.pk) if member is not None else Q(pk__in=[])


def readable_q(user: Any) -> Q:
    """Assignments within the user's officers' reach, and the user's own (as the assigned person)."""
    return Q(pk__in=Assignment.objects.restrict(user, READ).values("pk")) | _own(user)


def readable_assignments(user: Any) -> QuerySet[Assignment]:
    return Assignment.objects.filter(readable_q(user))


def get_assignment(user: Any, pk: int) -> Assignment | None:
    return readable_assignments(user).select_related("village", "county", "member").filter(pk=pk).first()


def _covering(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start__lte": day}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": day})
    )


def current_first_secretary(day: date) -> QuerySet[Assignment]:
    """The first secretary of `OuterRef("village_id")` on `day` (for a subquery)."""
    return Assignment.objects.filter(
        _covering(day), village_id=OuterRef("village_id"), role=TeamRole.FIRST_SECRETARY
    ).order_by("-start")


def overview(user: Any, county: Organization, day: date) -> QuerySet[PovertyVillage]:
    """The villages flagged on `day` below `county` that the user may read, each with its first
    secretary (name, unit, id), the size of the work team, the first secretary's last assessment
    and whether it is missing (`missing`: no first secretary, or the last ended quarter they
    served not assessed) — one query."""
    year, quarter = last_ended(day)
    due_end = quarter_bounds(year, quarter)[1]
    fs = current_first_secretary(day)
    last = Assessment.objects.filter(assignment_id=OuterRef("fs_id")).order_by("-year", "-quarter")
    team = (
        Assignment.objects.filter(_covering(day), village_id=OuterRef("village_id"))
        .exclude(role=TeamRole.FIRST_SECRETARY)
        .order_by()
        .values("village_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    assessed = Assessment.objects.filter(assignment_id=OuterRef("fs_id"), year=year, quarter=quarter)
    return (
        PovertyVillage.objects.restrict(user, READ)
        .filter(subtree_q(county.path, "village__path"), _covering(day))
        .select_related("village")
        .annotate(
            fs_id=Subquery(fs.values("pk")[:1]),
            fs_name=Subquery(fs.values("name")[:1]),
            fs_unit=Subquery(fs.values("sending_unit")[:1]),
            fs_start=Subquery(fs.values("start")[:1]),
            team_size=Coalesce(Subquery(team, output_field=IntegerField()), Value(0)),
            last_grade=Subquery(last.values("grade")[:1]),
            last_year=Subquery(last.values("year")[:1]),
            last_quarter=Subquery(last.values("quarter")[:1]),
            assessed=Exists(assessed),
        )
        .order_by("village__path", "id")
        .annotate(
            missing=ExpressionWrapper(
                Q(fs_id__isnull=True) | (Q(fs_start__lte=due_end) & Q(assessed=False)),
                output_field=BooleanField(),
            ),
        )
    )


def village_assignments(user: Any, village: Organization) -> QuerySet[Assignment]:
    return (
        readable_assignments(user)
        .filter(village=village)
        .order_by(F("end").desc(nulls_first=True), "-start", "id")
    )


def logs_of(assignment: Assignment) -> QuerySet[WorkLog]:
    return assignment.logs.select_related("author").prefetch_related("photos")


# --- compliance ------------------------------------------------------------------------------------


def _flagged(day: date) -> QuerySet[PovertyVillage]:
    return PovertyVillage.objects.filter(_covering(day))


def without_assessed_first_secretary(year: int, as_of: date) -> QuerySet[Any]:
    """Villages flagged on `as_of` without a first secretary then, or whose first secretary's
    last ended quarter (on a quarter's last day: that quarter) is not assessed — unless they
    began after it. The engine compiles these rows into its SQL."""
    y, q = last_ended(as_of)
    last_day = quarter_bounds(y, q)[1]
    assessed = Assessment.objects.filter(assignment_id=OuterRef("pk"), year=y, quarter=q)
    fine = current_first_secretary(as_of).filter(Q(start__gt=last_day) | Exists(assessed))
    return _flagged(as_of).filter(~Exists(fine)).values("village_id")


def assessment_due_soon(year: int, as_of: date) -> QuerySet[Any]:
    """In the last days of a quarter (`AT_RISK_DAYS` before its last day): flagged villages whose
    first secretary's quarter is not assessed yet."""
    y, q = quarter_of(as_of)
    last_day = quarter_bounds(y, q)[1]
    if not last_day - timedelta(days=AT_RISK_DAYS) <= as_of < last_day:
        return PovertyVillage.objects.filter(pk=-1).values("village_id")  # a filter no row meets
    assessed = Assessment.objects.filter(assignment_id=OuterRef("pk"), year=y, quarter=q)
    due = current_first_secretary(as_of).filter(~Exists(assessed))
    return _flagged(as_of).filter(Exists(due)).values("village_id")
