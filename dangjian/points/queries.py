"""Reads: a member's ledger and rank, a branch's table, coverage for the level above.

Counting decisions (docs/points.md): only approved entries count; a year is the entries that
occurred in it; members are ranked within their current organization among its members on the
roll (a member without entries has 0 and is ranked too), ties share a rank ("1, 2, 2, 4").
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.tree import STEPLEN, subtree_q
from dangjian.dues.models import DuesPayment
from dangjian.members.models import ON_ROLL_STATUSES, Member
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting

from .models import EntryState, PointEntry, RuleKind, SourceType


def year_q(year: int, prefix: str = "") -> Q:
    return Q(
        **{f"{prefix}occurred_on__gte": date(year, 1, 1), f"{prefix}occurred_on__lt": date(year + 1, 1, 1)}
    )


def ranks(totals: dict[int, int]) -> dict[int, int]:
    """Competition ranking, highest total first: equal totals share a rank ("1, 2, 2, 4")."""
    ordered = sorted(totals.values(), reverse=True)
    first_at: dict[int, int] = {}
    for i, total in enumerate(ordered, start=1):
        first_at.setdefault(total, i)
    return {pk: first_at[total] for pk, total in totals.items()}


def org_members(org: Organization) -> QuerySet[Member]:
    return Member.objects.filter(organization=org, status__in=ON_ROLL_STATUSES)


def _totals(org: Organization, year: int) -> dict[int, dict[str, int]]:
    """{member id: {rule kind: points}} of the organization's members (one grouped query)."""
    rows = (
        PointEntry.objects.filter(year_q(year), member__organization=org, state=EntryState.APPROVED)
        .values("member_id", "rule__kind")
        .annotate(total=Sum("points"))
        .order_by()
    )
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for r in rows:
        result[r["member_id"]][r["rule__kind"]] = r["total"]
    return result


@dataclass
class TableRow:
    member: Member
    total: int
    rank: int
    by_kind: dict[str, int]

    def kind(self, kind: str) -> int:
        return self.by_kind.get(kind, 0)


def branch_table(org: Organization, year: int) -> list[TableRow]:
    """Every member on the roll with their year's total, rank and points by kind of rule, best
    first (two queries)."""
    members = list(org_members(org).order_by("id"))
    sums = _totals(org, year)
    totals = {m.pk: sum(sums.get(m.pk, {}).values()) for m in members}
    rank_of = ranks(totals)
    rows = [TableRow(m, totals[m.pk], rank_of[m.pk], sums.get(m.pk, {})) for m in members]
    return sorted(rows, key=lambda r: (r.rank, r.member.name, r.member.pk))


@dataclass
class Ledger:
    member: Member
    year: int
    entries: list[PointEntry]
    total: int
    rank: int | None  # None: not on the roll of an organization
    ranked: int
    pending: int = 0
    labels: dict[int, str] = field(default_factory=dict)


def member_ledger(member: Member, year: int, *, limit: int = 500) -> Ledger:
    """The member's entries of the year (every state, newest first, at most `limit`), total and
    rank in their organization. At most six queries whatever the number of entries."""
    entries = list(
        PointEntry.objects.filter(year_q(year), member=member)
        .select_related("rule", "created_by", "decided_by")
        .order_by("-occurred_on", "-id")[:limit]
    )
    for e in entries:
        e.member = member  # the API names the member on each entry: no query per entry
    totals = {m: sum(k.values()) for m, k in _totals(member.organization, year).items()}
    roll = list(org_members(member.organization).values_list("pk", flat=True))
    rank_of = ranks({pk: totals.get(pk, 0) for pk in roll})
    own = totals.get(member.pk, 0)  # all approved entries, not only the `limit` shown
    pending = sum(1 for e in entries if e.state == EntryState.PROPOSED)
    ledger = Ledger(member, year, entries, own, rank_of.get(member.pk), len(roll), pending)
    ledger.labels = source_labels(entries)
    return ledger


def source_labels(entries: list[PointEntry]) -> dict[int, str]:
    """{entry id: what the source record is} — the meeting's kind and topic, the months a dues
    payment covered, a hand entry's reason (one query each for meetings and payments)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for e in entries:
        if e.source_id:
            ids[e.source_type].add(e.source_id)
    found: dict[tuple[str, int], str] = {}
    if ids[SourceType.MEETING]:
        for m in Meeting.objects.filter(pk__in=ids[SourceType.MEETING]).only("kind", "topic"):
            found[(SourceType.MEETING, m.pk)] = str(m)
    if ids[SourceType.DUES_PAYMENT]:
        for p in DuesPayment.objects.filter(pk__in=ids[SourceType.DUES_PAYMENT]).only(
            "period_from", "period_to"
        ):
            found[(SourceType.DUES_PAYMENT, p.pk)] = _("Dues %(months)s") % {"months": p.period}
    labels: dict[int, str] = {}
    for e in entries:
        labels[e.pk] = found.get((e.source_type, e.source_id or 0), e.reason)
    return labels


def source_url(entry: PointEntry, *, own: bool) -> str:
    """Where the entry's source record is shown: the meeting's page; the member's dues (their own
    page for the member, the dues record for the secretary); nothing for a hand entry."""
    if entry.source_type == SourceType.MEETING and entry.source_id:
        return reverse("meeting_detail", args=[entry.source_id])
    if entry.source_type == SourceType.DUES_PAYMENT:
        return reverse("my_dues") if own else reverse("member_dues", args=[entry.member_id])
    return ""


def pending_entries(org: Organization, user: Any, limit: int = 100) -> QuerySet[PointEntry]:
    """Hand entries awaiting approval in the subtree that `user` may decide on."""
    return (
        PointEntry.objects.filter(
            subtree_q(org.path, "member__organization__path"), state=EntryState.PROPOSED
        )
        .restrict(user, "change")
        .select_related("member", "rule", "created_by")
        .order_by("created_at", "id")[:limit]
    )


def coverage(org_path: str, year: int) -> dict[str, tuple[int, int]]:
    """{organization path: (members with an approved entry in the year, members on the roll)}
    over the subtree — the share of members with a ledger (work point 9). Two grouped queries."""
    members = (
        Member.objects.filter(subtree_q(org_path, "organization__path"), status__in=ON_ROLL_STATUSES)
        .values("organization__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    with_ledger = (
        PointEntry.objects.filter(
            year_q(year),
            subtree_q(org_path, "member__organization__path"),
            state=EntryState.APPROVED,
            member__status__in=ON_ROLL_STATUSES,
        )
        .values("member__organization__path")
        .annotate(n=Count("member_id", distinct=True))
        .order_by()
    )
    counted = {r["member__organization__path"]: r["n"] for r in with_ledger}
    return {r["organization__path"]: (counted.get(r["organization__path"], 0), r["n"]) for r in members}


@dataclass
class Coverage:
    with_ledger: int = 0
    members: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.with_ledger / self.members) if self.members else None


def child_coverage(org: Organization, year: int) -> list[tuple[Organization, Coverage]]:
    """Each child organization with the coverage of its whole subtree (three queries)."""
    children = list(Organization.objects.filter(subtree_q(org.path), depth=org.depth + 1))
    sums: dict[str, Coverage] = {c.path: Coverage() for c in children}
    for path, (with_ledger, members) in coverage(org.path, year).items():
        cov = sums.get(path[: len(org.path) + STEPLEN])
        if cov is not None:
            cov.with_ledger += with_ledger
            cov.members += members
    return [(c, sums[c.path]) for c in children]


@dataclass
class TotalsRow:
    organization: Organization
    member: Member
    total: int
    rank: int
    by_kind: dict[str, int]


def year_totals(org: Organization, year: int) -> list[TotalsRow]:
    """Every member on the roll in the subtree, organization by organization, with the year's
    total, rank in their organization and points by kind (two queries)."""
    members = list(
        Member.objects.filter(subtree_q(org.path, "organization__path"), status__in=ON_ROLL_STATUSES)
        .select_related("organization")
        .order_by("organization__path", "id")
    )
    rows = (
        PointEntry.objects.filter(
            year_q(year), subtree_q(org.path, "member__organization__path"), state=EntryState.APPROVED
        )
        .values("member_id", "rule__kind")
        .annotate(total=Sum("points"))
        .order_by()
    )
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    for r in rows:
        sums[r["member_id"]][r["rule__kind"]] = r["total"]
    by_org: dict[int, dict[int, int]] = defaultdict(dict)
    for m in members:
        by_org[m.organization_id][m.pk] = sum(sums.get(m.pk, {}).values())
    rank_of: dict[int, int] = {}
    for totals in by_org.values():
        rank_of.update(ranks(totals))
    return [
        TotalsRow(m.organization, m, by_org[m.organization_id][m.pk], rank_of[m.pk], sums.get(m.pk, {}))
        for m in members
    ]


KIND_COLUMNS = [
    RuleKind.MEETING_ATTENDANCE,
    RuleKind.THEME_DAY,
    RuleKind.DUES_ON_TIME,
    RuleKind.VOLUNTEER_HOUR,
    RuleKind.ABSENCE,
    RuleKind.MANUAL,
]
