"""Two acceptances of one transfer at the same moment: exactly one moves the member.

On PostgreSQL the two run in parallel threads, each with its own connection: the transfer row's
SELECT … FOR UPDATE makes the second wait for the first and then find it accepted. SQLite takes
the database's write lock at BEGIN (`transaction_mode = IMMEDIATE`), so writers never overlap
there; the in-memory test database would instead fail a second writer at once ("table locked"),
so the parallel form runs on PostgreSQL only and SQLite is covered by the stale-object test in
test_transfers.py.
"""

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from dangjian.members.models import Member
from dangjian.testing.world import build_world
from dangjian.transfers import services
from dangjian.transfers.models import Transfer, TransferState

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL"),
]


def test_two_parallel_acceptances_move_the_member_once() -> None:
    world = build_world()
    t = services.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def accept(user: Any) -> None:
        stale = Transfer.objects.get(pk=t.pk)  # both load it while it is still "sent"
        barrier.wait()
        try:
            # Each thread has its own active language; the assertion below compares English.
            translation.activate("en")
            services.accept_transfer(stale, acting_user=user)
            outcomes.append("accepted")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (world.outsider, world.province_staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes, key=str) == sorted(
        ["accepted", "This transfer is already accepted; it cannot change that way."], key=str
    )
    assert Member.objects.get(pk=world.member.pk).organization_id == world.branch_b.pk
    assert Transfer.objects.get(pk=t.pk).state == TransferState.ACCEPTED
    assert Member.objects.filter(pk=world.member.pk, organization=world.branch).count() == 0
