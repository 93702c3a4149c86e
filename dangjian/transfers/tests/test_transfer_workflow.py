"""The transfer on the workflow kernel: every move per persona (each side, the level above, the
member, outsiders 404), the buttons agreeing with the moves, history, and stale moves refused."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry, StateChange
from dangjian.testing.world import World
from dangjian.transfers import services
from dangjian.transfers.access import actions_for
from dangjian.transfers.models import Transfer, TransferState
from dangjian.transfers.transfer_workflows import TRANSFER_FLOW


def _outcome(transfer: Transfer, name: str, user: Any, note: str = "理由") -> str:
    """What move `name` does for `user`: "ok" or the refusal's code; always rolled back."""
    try:
        with transaction.atomic():
            TRANSFER_FLOW.move(transfer, name, acting_user=user, note=note)
            transaction.set_rollback(True)
    except OutOfScope:
        return "404"
    except ValidationError as exc:
        return str(exc.code or "invalid")
    return "ok"


def _check(world: World, transfer: Transfer, name: str, expected: dict[str, str]) -> None:
    for persona, outcome in expected.items():
        user = world.users[persona]
        assert (persona, name, _outcome(transfer, name, user)) == (persona, name, outcome)
        # The page offers the button exactly when the move would be taken.
        offered = name in {t.name for t in TRANSFER_FLOW.allowed(user, transfer)}
        assert (persona, name, offered) == (persona, name, outcome == "ok") or outcome == "404"
        if outcome != "404":
            assert getattr(actions_for(user, transfer), name) == (outcome == "ok"), (persona, name)


def test_a_sent_transfer_is_decided_by_the_receiving_side_and_withdrawn_by_the_sending_one(
    world: World,
) -> None:
    t = services.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    receiving = {
        "outsider": "ok",  # the receiving branch's county
        "province_staff": "ok",  # above both sides
        "secretary": "side",  # sees it from the sending side: told who acts
        "county_staff": "side",  # one level up the sending side is still the sending side
        "member_user": "side",  # the member concerned, reading their branch
        "auditor": "404",
        "sysadmin": "side",  # reads the records of the province, moves none
    }
    _check(world, t, "accept", receiving)
    _check(world, t, "reject", receiving)
    _check(
        world,
        t,
        "cancel",
        {
            "secretary": "ok",
            "county_staff": "ok",  # the level above the sending branch
            "outsider": "side",
            "member_user": "side",  # the letter is out: their branch withdraws it
            "auditor": "404",
        },
    )
    _check(world, t, "approve", {"secretary": "transition", "outsider": "transition", "auditor": "404"})


def test_a_request_is_approved_declined_or_withdrawn_on_the_sending_side(world: World) -> None:
    t = services.request_transfer(to_org=world.branch_b, reason="搬家", acting_user=world.member_user)
    sending = {
        "secretary": "ok",
        "county_staff": "ok",  # one level up
        "outsider": "side",  # the receiving side sees the request but does not decide it
        "member_user": "side",
        "auditor": "404",
    }
    _check(world, t, "approve", sending)
    _check(world, t, "reject", sending)
    _check(world, t, "cancel", {**sending, "member_user": "ok"})  # their own request
    _check(world, t, "accept", {"outsider": "transition", "secretary": "transition"})


def test_a_transfer_out_of_the_platform_is_completed_by_the_sending_side(world: World) -> None:
    t = services.start_transfer(
        world.member, destination="中共某省某党支部", reason="赴外省工作", acting_user=world.secretary
    )
    _check(
        world,
        t,
        "accept",
        {"secretary": "ok", "county_staff": "ok", "outsider": "404", "member_user": "side"},
    )
    _check(world, t, "reject", {"secretary": "side", "county_staff": "side", "outsider": "404"})


def test_moves_leave_history_and_a_stale_move_changes_nothing(world: World) -> None:
    t = services.request_transfer(to_org=world.branch_b, reason="搬家", acting_user=world.member_user)
    assert t.version == 0
    with pytest.raises(ValidationError) as info:
        services.approve_request(t, acting_user=world.secretary, expected_version=1)
    assert info.value.code == "stale"
    assert Transfer.objects.get(pk=t.pk).state == TransferState.REQUESTED
    assert AuditEntry.objects.filter(action="transfer.approve", success=False).count() == 1
    services.approve_request(t, letter_no="7", acting_user=world.secretary, expected_version=0)
    done = services.accept_transfer(t, note="欢迎", acting_user=world.outsider, expected_version=1)
    assert (done.state, done.version, done.decided_by_id, done.note) == (
        "accepted",
        2,
        world.outsider.pk,
        "欢迎",
    )
    steps = list(StateChange.of(t).values_list("move", "target", "note"))
    assert steps == [("create", "requested", ""), ("approve", "sent", ""), ("accept", "accepted", "欢迎")]
    entry = AuditEntry.objects.get(action="transfer.approve", success=True)
    assert entry.changes["letter_no"] == [None, "7"] and entry.org_path == world.branch.path


def test_the_page_shows_history_and_refuses_a_stale_move(world: World) -> None:
    t = services.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    receiver = Client()
    receiver.force_login(world.outsider)
    page = receiver.get(f"/transfers/{t.pk}/").content.decode()
    assert 'name="version" value="0"' in page and "dj-steps" in page
    stale = receiver.post(f"/transfers/{t.pk}/", {"action": "accept", "version": "1"}, follow=True)
    assert "刷新页面" in stale.content.decode()
    assert Transfer.objects.get(pk=t.pk).state == TransferState.SENT
    assert receiver.post(f"/transfers/{t.pk}/", {"action": "accept", "version": "0"}).status_code == 302
    assert Transfer.objects.get(pk=t.pk).state == TransferState.ACCEPTED
    page = receiver.get(f"/transfers/{t.pk}/").content.decode()
    assert page.count("<li><time") == 2  # created, accepted
