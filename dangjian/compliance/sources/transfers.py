"""Member status (points 16, 17 and the standing probation rule), as `transfers.queries` reads it:
lost-contact members without an open case, floating members no branch manages, probationary
members whose year is up without a decision."""

from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.members.models import Member, MemberCategory, MemberStatus
from dangjian.transfers.models import CaseState, FloatingRecord, FloatingState, LostContactCase
from dangjian.transfers.probation import due_by_q, with_extension

from ..metrics import State, register

# A probation ending within this many days is "at risk": the branch assembly should meet.
PROBATION_WARN_DAYS = 30


def _link(name: str) -> Any:
    return lambda org, year: reverse(name, args=[org.pk])


def _lost_without_case(year: int, as_of: date) -> Any:
    # transfers.queries.lost_without_case, for the whole tree.
    # Correlated subqueries (not `pk__in`): a refresh narrowed to one organization stays small.
    open_case = LostContactCase.objects.filter(state=CaseState.OPEN, member=OuterRef("pk"))
    return Member.objects.filter(status=MemberStatus.LOST_CONTACT).exclude(Exists(open_case))


def _floating_unmanaged(year: int, as_of: date) -> Any:
    # transfers.queries.unattached_floating_count: a managing branch on the platform, or one named
    # in words when it is elsewhere, attaches the member.
    open_records = FloatingRecord.objects.filter(state=FloatingState.OPEN)
    return open_records.filter(managing_org__isnull=True, managing_org_text="")


def _probationers() -> Any:
    members = Member.objects.filter(category=MemberCategory.PROBATIONARY).on_roll()
    # A decision awaiting the committee above is the branch's part done.
    return with_extension(members).filter(awaiting_approval=False)  # type: ignore[misc]


def _probation_overdue(year: int, as_of: date) -> Any:
    return _probationers().filter(due_by_q(as_of - timedelta(days=1)))


def _probation_due_soon(year: int, as_of: date) -> Any:
    soon = _probationers().filter(due_by_q(as_of + timedelta(days=PROBATION_WARN_DAYS)))
    # Correlated on the member (not `pk__in`, not a negated Q that NULL extensions would defeat).
    overdue = _probation_overdue(year, as_of).filter(pk=OuterRef("pk"))
    return soon.exclude(Exists(overdue))


register(
    State(
        "members.lost_contact_without_case",
        _("Members lost contact without an open search case"),
        _lost_without_case,
        org="organization_id",
        topics=("transfers.lost_contact",),
        records=_link("org_lost_contact"),
    ),
    State(
        "members.floating_unmanaged",
        _("Floating members without a managing branch"),
        _floating_unmanaged,
        org="home_org_id",
        topics=("transfers.floating",),
        records=_link("org_floating"),
    ),
    State(
        "members.probation_overdue",
        _("Probationary members past their year without a decision (at risk: due within 30 days)"),
        _probation_overdue,
        org="organization_id",
        warn=_probation_due_soon,
        topics=("transfers.probation",),
        records=_link("org_probation"),
    ),
)
