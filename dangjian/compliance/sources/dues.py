"""Party dues (Party Constitution art. 9; spec/dues.md): members with a long unpaid streak.

The dues app counts a member's streak per member in Python (`dues.queries.unpaid_streak`, over
the annotations of `consecutive_unpaid`); this is the same rule as one set-based condition, so the
engine can count the members of every organization at once. For the as-of month M, a streak of
at least n months means that the n months M-(n-1) … M are all counted and none is covered:
- the member owes dues at all (`DUES_STATUSES`: active, lost contact, floating out);
- the platform counts the month M-(n-1): the member had joined by then and a dues profile was in
  force (`effective_from` on or before it);
- no regular, not voided payment starting by M reaches M-(n-1) or later, and no approved
  exemption (a reduction to 0) starting by M does either.
The current month counts as unpaid until paid, as on the dues pages. Tested against
`consecutive_unpaid` in tests/test_sources.py.
"""

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import add_months
from dangjian.dues.models import DuesPayment, DuesProfile, DuesReduction, PaymentKind, ReductionState
from dangjian.dues.months import month_start
from dangjian.dues.queries import DUES_STATUSES, FLAG_ART9, FLAG_WARN
from dangjian.members.models import Member

from ..metrics import State, register


def unpaid_for(months: int, as_of: date) -> Any:
    """Members whose unpaid streak at the month of `as_of` is at least `months` long."""
    month = month_start(as_of)
    first = add_months(month, -(months - 1))  # the streak's first month
    after_first = add_months(first, 1)
    profile = DuesProfile.objects.filter(member=OuterRef("pk"), effective_from__lt=after_first)
    paid = DuesPayment.objects.filter(
        member=OuterRef("pk"),
        kind=PaymentKind.REGULAR,
        voided_at__isnull=True,
        period_from__lte=month,
        period_to__gte=first,
    )
    exempt = DuesReduction.objects.filter(
        member=OuterRef("pk"),
        state=ReductionState.APPROVED,
        amount=0,
        month_from__lte=month,
        month_to__gte=first,
    )
    members = Member.objects.filter(status__in=DUES_STATUSES, join_date__lt=after_first)
    return members.filter(Exists(profile)).exclude(Exists(paid) | Exists(exempt))


def _six_months(year: int, as_of: date) -> Any:
    return unpaid_for(FLAG_ART9, as_of)


def _three_to_five(year: int, as_of: date) -> Any:
    # Correlated on the member, so narrowing the outer rows to one organization narrows this too
    # (a `pk__in` subquery would scan every member of the province for each refresh).
    longer = unpaid_for(FLAG_ART9, as_of).filter(pk=OuterRef("pk"))
    return unpaid_for(FLAG_WARN, as_of).exclude(Exists(longer))


register(
    State(
        "dues.unpaid_six_months",
        _("Members with six months of dues unpaid (at risk: three to five)"),
        _six_months,
        org="organization_id",
        warn=_three_to_five,
        topics=("dues.payment",),
        records=lambda org, year: reverse("org_dues", args=[org.pk]),
    )
)
