"""The lock comes exactly at the policy's number of failures: not one earlier, not one later."""

import pytest

from dangjian.accounts.models import User
from dangjian.accounts.services import LoginRefused, authenticate_login, update_login_policy
from dangjian.testing.world import PASSWORD, World


def fail(times: int) -> None:
    for _ in range(times):
        with pytest.raises(LoginRefused):
            authenticate_login("member_user", "Wrong-pass-1")


def locked() -> bool:
    return User.objects.get(username="member_user").is_locked()


def test_default_policy_locks_at_the_fifth_failure_not_the_fourth(world: World) -> None:
    fail(4)
    assert not locked()
    assert authenticate_login("member_user", PASSWORD).username == "member_user"  # resets the count
    fail(4)
    assert not locked()
    fail(1)
    assert locked()


@pytest.mark.parametrize("limit", [3, 7])
def test_a_changed_policy_locks_at_its_own_number(world: World, limit: int) -> None:
    update_login_policy(
        {"max_failures": limit, "lock_minutes": 15, "idle_minutes": 15}, acting_user=world.secadmin
    )
    fail(limit - 1)
    assert not locked()
    fail(1)
    assert locked()
