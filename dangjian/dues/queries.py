"""Reads: what a member owes for a month, a branch's month, arrears streaks, collection rates.

Counting decisions (documented in docs/dues.md):
- Dues are owed by members on the roll who are active, lost contact or floating out; a member
  whose membership is suspended (停止党籍) or who left owes nothing.
- A member owes from the month they joined (a probationary member pays from the day the branch
  assembly accepts them, so the joining month is due) — but the platform counts only from the
  month their first dues profile takes effect: earlier months were kept on paper, and without a
  base the platform cannot tell what was owed. A member without a profile is shown as such.
- A month is *paid* when a regular, not voided payment covers it, and *exempt* when an approved
  reduction to 0 covers it. The streak of unpaid months as of month M counts back from M
  itself (M included: the month shown is unpaid until paid) to the last paid or exempt month.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from dangjian.core.dates import add_months
from dangjian.core.tree import STEPLEN, subtree_q
from dangjian.members.models import Member, MemberStatus
from dangjian.organizations.models import Organization

from .models import DuesPayment, DuesProfile, DuesReduction, PaymentKind, ReductionState
from .months import month_span, months_between
from .rules import RULE_EXEMPT, RULE_REDUCED, Quote, monthly_dues

DUES_STATUSES = [MemberStatus.ACTIVE, MemberStatus.LOST_CONTACT, MemberStatus.FLOATING_OUT]

# Unpaid streaks the secretary is warned about; at 6 the Party Constitution's art. 9 applies
# (no dues for 6 consecutive months without proper reason is treated as leaving the Party).
FLAG_WARN, FLAG_SERIOUS, FLAG_ART9 = 3, 5, 6


def flag_for(unpaid: int) -> str:
    """'' / 'warn' (≥3) / 'serious' (≥5) / 'art9' (≥6 consecutive unpaid months)."""
    if unpaid >= FLAG_ART9:
        return "art9"
    if unpaid >= FLAG_SERIOUS:
        return "serious"
    if unpaid >= FLAG_WARN:
        return "warn"
    return ""


@dataclass(frozen=True)
class Due:
    """What a member owes for one month. `amount` None: no profile in force that month."""

    month: date
    amount: Decimal | None
    rule: str
    text: str
    profile: DuesProfile | None = None
    reduction: DuesReduction | None = None


def profile_in_force(profiles: Iterable[DuesProfile], month: date) -> DuesProfile | None:
    """The latest profile with effective_from ≤ month (ties: the later entry)."""
    best: DuesProfile | None = None
    for p in profiles:
        if p.effective_from <= month and (
            best is None or (p.effective_from, p.pk) > (best.effective_from, best.pk)
        ):
            best = p
    return best


def _quote(profile: DuesProfile) -> Quote:
    """The profile's monthly dues, worked out once per loaded profile: a statement asks for every
    month since the member's first profile, and the amount changes only with the profile."""
    quote: Quote | None = getattr(profile, "_dj_quote", None)
    if quote is None:
        quote = monthly_dues(profile.category, profile.base, profile.fixed_amount)
        profile._dj_quote = quote  # type: ignore[attr-defined]
    return quote


def due_for(month: date, profiles: Iterable[DuesProfile], reductions: Iterable[DuesReduction]) -> Due:
    """The month's dues from the member's profiles and *approved* reductions (already loaded)."""
    profile = profile_in_force(profiles, month)
    if profile is None:
        return Due(month, None, "", _("No dues profile in force."))
    quote = _quote(profile)
    for r in reductions:
        if (
            r.state == ReductionState.APPROVED
            and r.month_from <= month <= r.month_to
            and r.amount < quote.amount
        ):
            if r.amount == 0:
                return Due(month, r.amount, RULE_EXEMPT, _("Exempt (approved)"), profile, r)
            text = _("Reduced to %(amount)s a month (approved)") % {"amount": r.amount}
            return Due(month, r.amount, RULE_REDUCED, text, profile, r)
    return Due(month, quote.amount, quote.rule, quote.text, profile)


def member_dues(member: Member, first: date, last: date) -> list[Due]:
    """The dues of each month from `first` to `last` (two queries)."""
    profiles = list(DuesProfile.objects.filter(member=member, effective_from__lte=last))
    reductions = list(
        DuesReduction.objects.filter(
            member=member, state=ReductionState.APPROVED, month_from__lte=last, month_to__gte=first
        )
    )
    return [due_for(m, profiles, reductions) for m in month_span(first, last)]


# --- unpaid streaks ---------------------------------------------------------------------------


def _regular() -> Q:
    return Q(kind=PaymentKind.REGULAR, voided_at__isnull=True)


def _streak_annotations(month: date) -> dict[str, Any]:
    """Per member: the last month covered by a payment or an exemption starting by `month`, and
    the first profile's month. Correlated subqueries on (member, …) indexes: one query in all."""
    paid = DuesPayment.objects.filter(_regular(), member=OuterRef("pk"), period_from__lte=month)
    exempt = DuesReduction.objects.filter(
        member=OuterRef("pk"), state=ReductionState.APPROVED, amount=0, month_from__lte=month
    )
    first = DuesProfile.objects.filter(member=OuterRef("pk")).order_by("effective_from")
    return {
        "paid_to": Subquery(paid.order_by("-period_to").values("period_to")[:1]),
        "exempt_to": Subquery(exempt.order_by("-month_to").values("month_to")[:1]),
        "first_profile": Subquery(first.values("effective_from")[:1]),
    }


def unpaid_streak(
    month: date, join_date: date, first_profile: date | None, paid_to: date | None, exempt_to: date | None
) -> int | None:
    """Consecutive unpaid months ending at `month` (None: no profile yet, nothing is counted)."""
    if first_profile is None:
        return None
    start = max(join_date.replace(day=1), first_profile)
    covered = max((d for d in (paid_to, exempt_to) if d is not None), default=None)
    if covered is not None and covered >= month:
        return 0
    if covered is not None:
        start = max(start, add_months(covered, 1))
    return max(0, months_between(start, month) + 1)


def _streaks(members: QuerySet[Member], month: date) -> dict[int, int | None]:
    rows = members.annotate(**_streak_annotations(month)).values_list(  # type: ignore[misc]
        "pk", "join_date", "first_profile", "paid_to", "exempt_to"
    )
    return {pk: unpaid_streak(month, join, first, paid, exempt) for pk, join, first, paid, exempt in rows}


def dues_members(org_path: str) -> QuerySet[Member]:
    """Members in the subtree who owe dues at all (see DUES_STATUSES)."""
    return Member.objects.filter(subtree_q(org_path, "organization__path"), status__in=DUES_STATUSES)


def consecutive_unpaid(org_path: str, month: date) -> dict[int, int]:
    """{member id: consecutive unpaid months ending at `month`} for the subtree's members who
    have a dues profile (one query). Flags: ≥3, ≥5, ≥6 (art. 9), see `flag_for`."""
    streaks = _streaks(dues_members(org_path), month)
    return {pk: n for pk, n in streaks.items() if n is not None}


# --- a branch's month -------------------------------------------------------------------------


@dataclass
class MemberMonth:
    member: Member
    due: Due
    state: str  # paid / unpaid / exempt / no_profile
    payment: DuesPayment | None
    unpaid: int  # consecutive unpaid months ending at this month
    flag: str


@dataclass
class BranchMonth:
    org: Organization
    month: date
    rows: list[MemberMonth]
    large_voluntary: list[DuesPayment] = field(default_factory=list)
    voluntary_total: Decimal = Decimal("0.00")

    @property
    def counts(self) -> dict[str, int]:
        """Members by state: paid, unpaid, exempt, no_profile."""
        result = dict.fromkeys(("paid", "unpaid", "exempt", "no_profile"), 0)
        for r in self.rows:
            result[r.state] += 1
        return result

    @property
    def due_total(self) -> Decimal:
        return sum((r.due.amount for r in self.rows if r.due.amount), Decimal("0.00"))

    @property
    def collected_total(self) -> Decimal:
        return sum((r.due.amount for r in self.rows if r.state == "paid" and r.due.amount), Decimal("0.00"))

    @property
    def flagged(self) -> list[MemberMonth]:
        return sorted((r for r in self.rows if r.flag), key=lambda r: -r.unpaid)


def branch_month(org: Organization, month: date) -> BranchMonth:
    """Each member of `org` who owes dues in `month`: due, paid or not, unpaid streak and flag;
    and the month's voluntary payments. Four queries, whatever the number of members."""
    next_month = add_months(month, 1)
    members = (
        Member.objects.filter(organization=org, status__in=DUES_STATUSES, join_date__lt=next_month)
        .annotate(**_streak_annotations(month))
        .order_by("name", "id")
    )
    members_by_id = {m.pk: m for m in members}
    ids = list(members_by_id)
    profiles: dict[int, list[DuesProfile]] = defaultdict(list)
    for p in DuesProfile.objects.filter(member_id__in=ids, effective_from__lte=month):
        profiles[p.member_id].append(p)
    reductions: dict[int, list[DuesReduction]] = defaultdict(list)
    for r in DuesReduction.objects.filter(
        member_id__in=ids, state=ReductionState.APPROVED, month_from__lte=month, month_to__gte=month
    ):
        reductions[r.member_id].append(r)
    payments: dict[int, DuesPayment] = {}
    voluntary: list[DuesPayment] = []
    for pay in DuesPayment.objects.filter(
        member_id__in=ids, voided_at__isnull=True, period_from__lte=month, period_to__gte=month
    ).order_by("id"):
        if pay.kind == PaymentKind.REGULAR:
            payments[pay.member_id] = pay
        else:
            voluntary.append(pay)
    rows = []
    for pk, member in members_by_id.items():
        due = due_for(month, profiles[pk], reductions[pk])
        payment = payments.get(pk)
        if payment is not None:
            state = "paid"
        elif due.amount is None:
            state = "no_profile"
        elif due.amount == 0:
            state = "exempt"
        else:
            state = "unpaid"
        a = member.__dict__  # the streak annotations
        unpaid = unpaid_streak(month, member.join_date, a["first_profile"], a["paid_to"], a["exempt_to"]) or 0
        rows.append(MemberMonth(member, due, state, payment, unpaid, flag_for(unpaid)))
    for pay in voluntary:
        pay.member = members_by_id[pay.member_id]  # no extra query for the names
    return BranchMonth(
        org,
        month,
        rows,
        large_voluntary=[p for p in voluntary if p.kind == PaymentKind.LARGE_VOLUNTARY],
        voluntary_total=sum((p.amount for p in voluntary), Decimal("0.00")),
    )


# --- collection rates for the level above ------------------------------------------------------


class CollectionRate(NamedTuple):
    paid: int  # members who paid the month
    due: int  # members who owe dues that month (not exempt, with a profile)
    unset: int = 0  # members without a dues profile: not counted in `due`

    @property
    def percent(self) -> int | None:
        return round(100 * self.paid / self.due) if self.due else None


def _rate_rows(org_path: str, month: date) -> QuerySet[Any]:
    next_month = add_months(month, 1)
    has_profile = Exists(DuesProfile.objects.filter(member=OuterRef("pk"), effective_from__lte=month))
    paid = Exists(
        DuesPayment.objects.filter(
            _regular(), member=OuterRef("pk"), period_from__lte=month, period_to__gte=month
        )
    )
    exempt = Exists(
        DuesReduction.objects.filter(
            member=OuterRef("pk"),
            state=ReductionState.APPROVED,
            amount=0,
            month_from__lte=month,
            month_to__gte=month,
        )
    )
    return (
        dues_members(org_path)
        .filter(join_date__lt=next_month)
        .exclude(exempt)
        .values("organization_id", "organization__path")
        .annotate(
            due=Count("id", filter=Q(has_profile)),
            paid=Count("id", filter=Q(has_profile) & Q(paid)),
            unset=Count("id", filter=~Q(has_profile)),
        )
        .order_by()
    )


def collection_rates(org_path: str, month: date) -> dict[int, CollectionRate]:
    """{member-holding organization id: (paid members, members due, members without profile)}
    for the subtree in `month` (one query)."""
    return {
        row["organization_id"]: CollectionRate(row["paid"], row["due"], row["unset"])
        for row in _rate_rows(org_path, month)
    }


def child_rates(org: Organization, month: date) -> list[tuple[Organization, CollectionRate]]:
    """Each child organization of `org` with the rate of its whole subtree (two queries)."""
    children = list(Organization.objects.filter(subtree_q(org.path), depth=org.depth + 1).order_by("path"))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in _rate_rows(org.path, month):
        total = totals[row["organization__path"][: len(org.path) + STEPLEN]]
        total[0] += row["paid"]
        total[1] += row["due"]
        total[2] += row["unset"]
    return [(child, CollectionRate(*totals[child.path])) for child in children]


# --- a member's own statement -------------------------------------------------------------------


# What a month of a member's own statement says (my dues, the secretary's member page):
# paid 已交, due 应交 (this month, not yet paid), overdue 逾期 (an earlier month still unpaid),
# exempt 免交 (an approved exemption), no_profile (no dues set for that month).
MONTH_STATES = ("paid", "due", "overdue", "exempt", "no_profile")
RECENT_MONTHS = 12


@dataclass(frozen=True)
class MonthState:
    month: date
    state: str  # one of MONTH_STATES
    amount: Decimal | None
    reduced: bool = False  # an approved reduction lowered the amount (减交)

    @property
    def calendar_month(self) -> int:
        return self.month.month


@dataclass
class Statement:
    current: Due
    owed: list[Due]  # unpaid months from the first counted month to this month, oldest first
    payments: list[DuesPayment]
    reductions: list[DuesReduction]
    unpaid: int  # consecutive unpaid months ending this month
    recent: list[MonthState] = field(default_factory=list)  # newest first, at most 12 months

    @property
    def owed_total(self) -> Decimal:
        return sum((d.amount for d in self.owed if d.amount), Decimal("0.00"))


PAYMENT_HISTORY_LIMIT = 60


def member_statement(member: Member, month: date, *, history: bool = True) -> Statement:
    """What `member` owes up to `month` and what they paid (three queries). Without `history`
    (the home's dues card), only what decides the amounts is read: no payment or reduction rows
    with who recorded them, just the months the payments cover; `payments` and `reductions` are
    then empty."""
    profiles = list(DuesProfile.objects.filter(member=member))
    if not history:
        approved = list(DuesReduction.objects.filter(member=member, state=ReductionState.APPROVED))
        spans = DuesPayment.objects.filter(_regular(), member=member).values_list("period_from", "period_to")
        covered = {m for first, last in spans for m in month_span(first, last)}
        return _statement(member, month, profiles, approved, covered, [], [])
    reductions = list(DuesReduction.objects.filter(member=member).select_related("approved_by"))
    payments = list(
        DuesPayment.objects.filter(member=member)
        .select_related("recorded_by")
        .order_by("-period_from", "-id")
    )
    for p in payments:
        p.member = member  # the API names the member on each payment: no query per payment
    approved = [r for r in reductions if r.state == ReductionState.APPROVED]
    covered = {
        m
        for p in payments
        if p.kind == PaymentKind.REGULAR and p.voided_at is None
        for m in month_span(p.period_from, p.period_to)
    }
    return _statement(member, month, profiles, approved, covered, payments, reductions)


def _statement(
    member: Member,
    month: date,
    profiles: list[DuesProfile],
    approved: list[DuesReduction],
    covered: set[date],
    payments: list[DuesPayment],
    reductions: list[DuesReduction],
) -> Statement:
    current = due_for(month, profiles, approved)
    owed: list[Due] = []
    recent: list[MonthState] = []
    if profiles and member.status in DUES_STATUSES:
        start = max(member.join_date.replace(day=1), min(p.effective_from for p in profiles))
        for m in month_span(start, month) if start <= month else []:
            due = due_for(m, profiles, approved)
            if m not in covered and due.amount:
                owed.append(due)
            if months_between(m, month) < RECENT_MONTHS:
                recent.append(_month_state(due, m in covered, m == month))
    recent.reverse()
    streak = 0
    for due in reversed(owed):  # count back from `month` while the months are unpaid
        if due.month != add_months(month, -streak):
            break
        streak += 1
    return Statement(current, owed, payments[:PAYMENT_HISTORY_LIMIT], reductions, streak, recent)


def _month_state(due: Due, paid: bool, is_current: bool) -> MonthState:
    reduced = due.rule == RULE_REDUCED
    if paid:
        state = "paid"
    elif due.amount is None:
        state = "no_profile"
    elif due.amount == 0:
        state = "exempt"
    else:
        state = "due" if is_current else "overdue"
    return MonthState(due.month, state, due.amount, reduced)
