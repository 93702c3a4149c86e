"""Reads of the village elections: a plan's rows with their review counts, results and the Party
side, the 一肩挑 figure (the village Party secretary also elected village committee director),
and the rows the compliance engine measures."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from dangjian.members.models import CommitteePost, Member, MemberStatus
from dangjian.organizations.models import Organization

from ..models import Elected, TermChangeState
from .models import (
    Candidate,
    ReviewResult,
    VillageElection,
    VillageElectionState,
    VillagePost,
    VillageSeat,
    due_day,
)


@dataclass
class Secretary:
    """The village Party organization's secretary, and where that is known from."""

    member_id: int
    name: str
    id_number_bidx: str
    source: str  # "term_change" | "roll"


def secretaries(org_ids: Iterable[int]) -> dict[int, Secretary]:
    """Each organization's Party secretary: the one elected in its latest confirmed term change,
    else the member holding the secretary's post on its roll (two queries)."""
    ids = list(org_ids)
    found: dict[int, Secretary] = {}
    elected = (
        Elected.objects.filter(
            term_change__organization_id__in=ids,
            term_change__state=TermChangeState.CONFIRMED,
            post=CommitteePost.SECRETARY,
        )
        .order_by("term_change__held_on", "term_change_id")
        .values_list("term_change__organization_id", "member_id", "member__name", "member__id_number_bidx")
    )
    for org_id, member_id, name, bidx in elected:  # the latest last
        found[org_id] = Secretary(member_id, name, bidx, "term_change")
    rest = [i for i in ids if i not in found]
    if rest:
        on_roll = Member.objects.filter(
            organization_id__in=rest, committee_post=CommitteePost.SECRETARY, status=MemberStatus.ACTIVE
        ).values_list("organization_id", "pk", "name", "id_number_bidx")
        for org_id, member_id, name, bidx in on_roll:
            found.setdefault(org_id, Secretary(member_id, name, bidx, "roll"))
    return found


def _one_shoulder(director: Any, secretary: Secretary | None) -> bool:
    """The director elected is the Party secretary: the same member, or the same name and ID
    number (the candidate's blind index is the members' one)."""
    if director is None or secretary is None:
        return False
    if director.member_id is not None:
        return bool(director.member_id == secretary.member_id)
    return bool(director.name == secretary.name and director.id_number_bidx == secretary.id_number_bidx)


def annotate(rows: Sequence[VillageElection]) -> None:
    """Give each election of the page what the plan shows, in four queries for all: `reviews`
    (passed, failed, pending), `director` (the elected director's candidate, or None),
    `secretary` (the Party side) and `one_shoulder`."""
    if not rows:
        return
    ids = [e.pk for e in rows]
    counts = {r["election_id"]: r for r in _review_counts(ids)}
    directors = {
        s.election_id: s.candidate
        for s in VillageSeat.objects.filter(election_id__in=ids, post=VillagePost.DIRECTOR).select_related(
            "candidate"
        )
    }
    found = secretaries({e.organization_id for e in rows})
    for e in rows:
        c = counts.get(e.pk, {})
        e.reviews = (c.get("passed", 0), c.get("failed", 0), c.get("pending", 0))  # type: ignore[attr-defined]
        e.director = directors.get(e.pk)  # type: ignore[attr-defined]
        e.secretary = found.get(e.organization_id)  # type: ignore[attr-defined]
        e.one_shoulder = _one_shoulder(e.director, e.secretary)  # type: ignore[attr-defined]


def _review_counts(ids: Sequence[int]) -> QuerySet[Any]:
    return (
        Candidate.objects.filter(election_id__in=ids)
        .values("election_id")
        .annotate(
            passed=Count("pk", filter=Q(review=ReviewResult.PASSED)),
            failed=Count("pk", filter=Q(review=ReviewResult.FAILED)),
            pending=Count("pk", filter=Q(review=ReviewResult.PENDING)),
        )
        .order_by()
    )


@dataclass
class Figure:
    """一肩挑: of the villages whose director is elected, how many elected their Party secretary."""

    label: str
    elected: int
    one_shoulder: int

    @property
    def share(self) -> int | None:
        return round(100 * self.one_shoulder / self.elected) if self.elected else None


def figures(rows: Sequence[VillageElection], townships: dict[int, str]) -> tuple[list[Figure], Figure]:
    """The 一肩挑 figure per township (in `townships`' order) and over all `rows` (annotated)."""
    per: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for e in rows:
        if getattr(e, "director", None) is not None:
            per[e.township_id][0] += 1
            per[e.township_id][1] += int(e.one_shoulder)  # type: ignore[attr-defined]
    each = [Figure(name, *per[pk]) for pk, name in townships.items()]
    total = Figure("", sum(f.elected for f in each), sum(f.one_shoulder for f in each))
    return each, total


def elections_under(user: Any, org: Organization, year: int) -> QuerySet[VillageElection]:
    """The year's elections in `org`'s subtree that `user` may read — who writes for the village
    or above it: the candidates' data is not for every member — by township and village."""
    return (
        VillageElection.objects.restrict(user, "change")
        .filter(organization__path__startswith=org.path, year=year)
        .select_related("organization", "township")
        .order_by("township__path", "organization__path")
    )


# --- the compliance engine's rows (on the township) ---------------------------------------------


def unfiled_by_due(year: int, as_of: date) -> QuerySet[Any]:
    """Judged from 1 July: the year's elections not filed by 30 June (filed later, or not yet)."""
    due = due_day(year)
    rows = VillageElection.objects.filter(year=year if as_of > due else 0)
    return rows.exclude(state=VillageElectionState.FILED, filed_on__lte=due).values("township_id")


def unfiled_in_june(year: int, as_of: date) -> QuerySet[Any]:
    """In June (before the deadline has passed): the year's elections not yet filed."""
    due = due_day(year)
    june = date(year, 6, 1) <= as_of <= due
    return (
        VillageElection.objects.filter(year=year if june else 0)
        .exclude(state=VillageElectionState.FILED)
        .values("township_id")
    )
