"""The year's screening: which organizations below a county show the signs of a weak and lax
organization, each with its reasons, computed from the records set-based — one query per reason
over the county's subtree, never a query per organization.

The signs, as of the screening day (today, or 31 December for a past year):

* no branch committee meeting held (closed) in the last three months — branches only;
* the term change is overdue (the compliance metric `terms.overdue`);
* no secretary: no member on the roll holds the post of secretary — organizations that hold
  members and have any (a committee's secretary is a leading cadre, not read here);
* many members with six months of dues unpaid (the compliance metric `dues.unpaid_six_months`):
  at least `MANY_UNPAID` members, or `MANY_SHARE` of the members who owe dues;
* the 五化 assessment of the year or the year before decided below standard;
* listed last year and neither accepted nor removed (still open, or carried over).
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from dangjian.compliance.metrics import get as metric
from dangjian.core.dates import add_months
from dangjian.core.tree import subtree_q
from dangjian.dues.queries import DUES_STATUSES
from dangjian.members.models import CommitteePost, Member
from dangjian.organizations.models import BRANCH_KINDS, MEMBER_HOLDING_KINDS, Organization
from dangjian.orglife.models import MeetingKind
from dangjian.orglife.queries import meeting_counts
from dangjian.supervision.models import AssessmentState, FiveStandardsAssessment

from .models import OPEN, Listing, ListingState, Reason

MANY_UNPAID = 3  # members with six months unpaid that make "many" in any branch
MANY_SHARE = 0.3  # ... or this share of the members who owe dues, in a small branch
QUIET_MONTHS = 3

Found = dict[int, set[str]]


def as_of(year: int) -> date:
    """The day the records are read at: today within the year, its last day for a past year."""
    return min(timezone.localdate(), date(year, 12, 31))


def _below(county: Organization) -> Q:
    """The county's subtree without the county itself."""
    return subtree_q(county.path) & ~Q(pk=county.pk)


def no_committee_meeting(county: Organization, year: int, day: date) -> set[int]:
    start = timezone.make_aware(datetime.combine(add_months(day, -QUIET_MONTHS), time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    held = meeting_counts(county.path, start, end)
    met = {org for org, kinds in held.items() if kinds.get(MeetingKind.BRANCH_COMMITTEE)}
    branches = Organization.objects.filter(_below(county), kind__in=BRANCH_KINDS).values_list("pk", flat=True)
    return set(branches) - met


def term_overdue(county: Organization, year: int, day: date) -> set[int]:
    rows = metric("terms.overdue").bad(year, day)  # type: ignore[union-attr]
    return set(rows.filter(_below(county)).values_list("pk", flat=True))


def secretary_vacant(county: Organization, year: int, day: date) -> set[int]:
    roll = Member.objects.on_roll().filter(organization=OuterRef("pk"))
    return set(
        Organization.objects.filter(_below(county), kind__in=MEMBER_HOLDING_KINDS)
        .filter(Exists(roll))
        .exclude(Exists(roll.filter(committee_post=CommitteePost.SECRETARY)))
        .values_list("pk", flat=True)
    )


def dues_unpaid(county: Organization, year: int, day: date) -> set[int]:
    unpaid = metric("dues.unpaid_six_months").bad(year, day)  # type: ignore[union-attr]
    counts: dict[int, int] = dict(
        unpaid.filter(subtree_q(county.path, "organization__path"))
        .values("organization_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organization_id", "n")
    )
    if not counts:
        return set()
    owing: dict[int, int] = dict(
        Member.objects.filter(organization_id__in=list(counts), status__in=DUES_STATUSES)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organization_id", "n")
    )
    return {org for org, n in counts.items() if n >= MANY_UNPAID or n >= MANY_SHARE * owing.get(org, n)}


def below_standard(county: Organization, year: int, day: date) -> set[int]:
    return set(
        FiveStandardsAssessment.objects.filter(
            subtree_q(county.path, "organization__path"),
            year__in=(year - 1, year),
            state=AssessmentState.BELOW_STANDARD,
        ).values_list("organization_id", flat=True)
    )


def not_accepted_last_year(county: Organization, year: int, day: date) -> set[int]:
    return set(
        Listing.objects.filter(
            subtree_q(county.path, "organization__path"),
            year=year - 1,
            state__in=(*OPEN, ListingState.CARRIED_OVER),
        ).values_list("organization_id", flat=True)
    )


REASONS: dict[str, Callable[[Organization, int, date], set[int]]] = {
    Reason.NO_COMMITTEE_MEETING: no_committee_meeting,
    Reason.TERM_OVERDUE: term_overdue,
    Reason.SECRETARY_VACANT: secretary_vacant,
    Reason.DUES_UNPAID: dues_unpaid,
    Reason.BELOW_STANDARD: below_standard,
    Reason.NOT_ACCEPTED_LAST_YEAR: not_accepted_last_year,
}


def candidates(county: Organization, year: int) -> Found:
    """{organization id: its reasons} for every organization below `county` showing a sign."""
    day = as_of(year)
    found: Found = defaultdict(set)
    for code, compute in REASONS.items():
        for org_id in compute(county, year, day):
            found[org_id].add(str(code))
    return dict(found)


def ordered(reasons: set[str]) -> list[str]:
    """The reasons in the order `Reason` declares them (stable lists on the page and in tests)."""
    return [str(code) for code in Reason if str(code) in reasons]
