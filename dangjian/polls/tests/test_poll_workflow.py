"""A poll's moves through `core.workflow`: history, audit, version, the system's closing."""

from datetime import timedelta

from django.utils import timezone

from dangjian.core.models import AuditEntry, StateChange
from dangjian.polls.models import Poll, PollStatus
from dangjian.polls.services import cancel_poll, close_if_due
from dangjian.polls.workflows import POLL_FLOW
from dangjian.testing.world import World

from .helpers import make_poll


def test_history_of_a_poll_closed_at_its_deadline(world: World) -> None:
    poll = make_poll(world)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    poll = close_if_due(Poll.objects.get(pk=poll.pk))
    assert poll.status == PollStatus.CLOSED and poll.version == 2
    moves = [(s.move, s.source, s.target, s.actor_name, s.note) for s in StateChange.of(poll)]
    assert moves[0][:3] == ("create", "", "draft")
    assert moves[1][:3] == ("open", "draft", "open")
    assert moves[2] == ("close", "open", "closed", "system", "deadline")
    opened = AuditEntry.objects.get(action="poll.open", success=True)
    assert opened.changes == {"status": ["draft", "open"], "eligible_count": [0, poll.eligible_count]}


def test_cancel_from_open_records_the_state_it_left(world: World) -> None:
    poll = cancel_poll(make_poll(world), acting_user=world.secretary)
    assert poll.status == PollStatus.CANCELLED and poll.closed_at is not None
    entry = AuditEntry.objects.get(action="poll.cancel", success=True)
    assert entry.changes == {"status": ["open", "cancelled"]}
    assert POLL_FLOW.table() == {
        "draft": frozenset({"open", "cancelled"}),
        "open": frozenset({"closed", "cancelled"}),
        "closed": frozenset(),
        "cancelled": frozenset(),
    }
