"""Reads: which polls a user sees, turnout, and the tally (only once a poll is closed)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from dangjian.core.scoping import SYSTEM
from dangjian.core.tree import subtrees_q

from .models import BallotChoice, Elector, Option, Poll, PollStatus, VoterMark


def visible_polls(user: Any, action: str = "view") -> QuerySet[Poll]:
    """Polls within the user's reach, plus (for viewing) those of the member's own branch, which
    a member sees without any grant as on the other /my/ pages. Drafts only for those who may
    change the branch's records."""
    if user is SYSTEM:
        return Poll.objects.all()
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Poll.objects.none()
    view_paths = user.scope_paths(action)
    reach = subtrees_q(view_paths, "organization__path") if view_paths else Q(pk__in=[])
    member_org = getattr(getattr(user, "member", None), "organization_id", None)
    if action == "view" and member_org is not None:
        reach |= Q(organization_id=member_org)
    change_paths = user.scope_paths("change")
    not_draft = ~Q(status=PollStatus.DRAFT)
    if change_paths:
        not_draft |= subtrees_q(change_paths, "organization__path")
    return Poll.objects.filter(reach).filter(not_draft)


def voted_count(poll: Poll) -> int:
    return VoterMark.objects.filter(poll=poll).count()


def has_voted(user: Any, poll: Poll) -> bool:
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return False
    return VoterMark.objects.filter(poll=poll, member_id=member_id).exists()


def is_elector(user: Any, poll: Poll) -> bool:
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return False
    return Elector.objects.filter(poll=poll, member_id=member_id).exists()


def turnout_pct(voted: int, eligible: int) -> int:
    return round(100 * voted / eligible) if eligible else 0


@dataclass
class Row:
    option: Option
    votes: int
    pct: int  # of the ballots cast


def results(poll: Poll) -> list[Row] | None:
    """Votes per option, in the poll's order; None while the poll is not closed (nobody, not even
    its creator, sees a partial tally)."""
    if poll.status != PollStatus.CLOSED:
        return None
    counts = dict(
        BallotChoice.objects.filter(ballot__poll=poll)
        .values("option_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("option_id", "n")
    )
    ballots = poll.ballots.count()
    return [
        Row(
            option,
            counts.get(option.pk, 0),
            round(100 * counts.get(option.pk, 0) / ballots) if ballots else 0,
        )
        for option in poll.options.all()
    ]


def voted_poll_ids(user: Any, polls: list[Poll]) -> set[int]:
    member_id = getattr(user, "member_id", None)
    if not member_id or not polls:
        return set()
    return set(
        VoterMark.objects.filter(member_id=member_id, poll_id__in=[p.pk for p in polls]).values_list(
            "poll_id", flat=True
        )
    )


def voted_counts(polls: list[Poll]) -> dict[int, int]:
    if not polls:
        return {}
    return dict(
        VoterMark.objects.filter(poll_id__in=[p.pk for p in polls])
        .values("poll_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("poll_id", "n")
    )


def branch_polls(user: Any, branch_id: int, limit: int = 10) -> list[Poll]:
    """The branch's polls for its space: open ones first (soonest deadline), then the latest
    closed; drafts and cancelled ones are left to the management page."""
    base = visible_polls(user).filter(organization_id=branch_id)
    open_polls = list(base.filter(status=PollStatus.OPEN).order_by("closes_at", "pk")[:limit])
    closed = list(
        base.filter(status=PollStatus.CLOSED).order_by("-closed_at", "-pk")[: max(limit - len(open_polls), 0)]
    )
    return open_polls + closed


@dataclass
class SpaceItem:
    poll: Poll
    voted: bool
    turnout: int
    votes: int


def branch_space(user: Any, branch_id: int) -> list[SpaceItem]:
    """The 投票 section of the 支部 tab: open polls first with an 已投 marker, then closed ones."""
    polls = branch_polls(user, branch_id)
    mine = voted_poll_ids(user, polls)
    counts = voted_counts(polls)
    return [
        SpaceItem(p, p.pk in mine, turnout_pct(counts.get(p.pk, 0), p.eligible_count), counts.get(p.pk, 0))
        for p in polls
    ]
