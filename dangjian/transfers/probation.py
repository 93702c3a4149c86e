"""When a probationary member's year is up: one year after joining, or the end of an approved
extension (an extension the committee above has not approved yet changes nothing).

Kept as plain date arithmetic shared by the due list, the reminders and the decision service, so
all three agree on the same day.
"""

import calendar
from datetime import date

from django.db.models import DateField, Exists, OuterRef, Q, QuerySet, Subquery

from dangjian.core.dates import add_years
from dangjian.members.models import Member

from .models import DecisionState, ProbationDecision, ProbationOutcome


def end_of_probation(join_date: date, extended_until: date | None = None) -> date:
    return extended_until or add_years(join_date, 1)


def latest_join_due_by(cutoff: date) -> date:
    """The latest join date whose year is up on or before `cutoff`. `add_years` clamps 29 Feb to
    28 Feb, so on 28 Feb of a year after a leap year, members who joined on 29 Feb are due too."""
    day = add_years(cutoff, -1)
    if day.month == 2 and day.day == 28 and calendar.isleap(day.year):
        return date(day.year, 2, 29)
    return day


def _approved_extensions() -> QuerySet[ProbationDecision]:
    return ProbationDecision.objects.filter(outcome=ProbationOutcome.EXTEND, state=DecisionState.APPROVED)


def with_extension(members: QuerySet[Member]) -> QuerySet[Member]:
    """Annotate `extended_until` (the end of the latest approved extension, if any) and
    `awaiting_approval` (a decision of the branch awaits the committee above)."""
    latest = _approved_extensions().filter(member=OuterRef("pk")).order_by("-decided_on", "-id")
    pending = ProbationDecision.objects.filter(member=OuterRef("pk"), state=DecisionState.DECIDED)
    return members.annotate(
        extended_until=Subquery(latest.values("extended_until")[:1], output_field=DateField()),
        awaiting_approval=Exists(pending),
    )


def due_by_q(cutoff: date) -> Q:
    """Members (annotated by `with_extension`) whose probation ends on or before `cutoff`."""
    return Q(extended_until__isnull=True, join_date__lte=latest_join_due_by(cutoff)) | Q(
        extended_until__lte=cutoff
    )


def member_probation_end(member: Member) -> date:
    latest = (
        _approved_extensions()
        .filter(member=member)
        .order_by("-decided_on", "-id")
        .values_list("extended_until", flat=True)
        .first()
    )
    return end_of_probation(member.join_date, latest)
