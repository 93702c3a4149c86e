"""Refused actions land in the audit log of the subtree they concern.

Each entry carries the path of its target, or of the actor's home organization; the audit
administrator of the top organization reads everything, entries with no path included, and an
auditor of a sibling county reads none of another county's.
"""

import pytest
from django.test import Client

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.accounts.services import LoginRefused, authenticate_login, update_login_policy
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.members.services import reveal_member_field, update_member
from dangjian.testing.world import World, make_user

POLICY = {"max_failures": 5, "lock_minutes": 15, "idle_minutes": 20}


@pytest.fixture
def auditors(world: World) -> dict[str, User]:
    """The top auditor (a grant on the root) and one auditor per county."""
    return {
        "top": world.auditor,
        "county": make_user("auditor_a", Role.AUDIT_ADMIN, world.county),
        "sibling": make_user("auditor_b", Role.AUDIT_ADMIN, world.county_b),
    }


def readers(auditors: dict[str, User], **entry: object) -> set[str]:
    """Which auditors see the (single) entry matching `entry`."""
    assert AuditEntry.objects.filter(**entry).count() == 1
    return {
        name
        for name, user in auditors.items()
        if AuditEntry.objects.restrict(user, "view_audit").filter(**entry).exists()
    }


def test_refused_write_is_read_where_its_target_is(world: World, auditors: dict[str, User]) -> None:
    with pytest.raises(OutOfScope):  # the other county's staff, on a member of county A
        update_member(world.member, {"name": "改名"}, acting_user=world.outsider)
    entry = {"action": "member.update", "success": False}
    assert readers(auditors, **entry) == {"top", "county"}
    assert AuditEntry.objects.get(**entry).org_path == world.branch.path
    assert AuditEntry.objects.get(**entry).object_id == str(world.member.pk)


def test_refused_reveal_is_read_where_the_member_is(world: World, auditors: dict[str, User]) -> None:
    with pytest.raises(OutOfScope):  # a member may view but not reveal
        reveal_member_field(world.member, "phone", acting_user=world.member_user)
    entry = {"action": "member.reveal", "success": False}
    assert AuditEntry.objects.get(**entry).org_path == world.branch.path
    assert readers(auditors, **entry) == {"top", "county"}


def test_login_of_an_unknown_username_is_read_by_the_top_auditor_only(auditors: dict[str, User]) -> None:
    with pytest.raises(LoginRefused):
        authenticate_login("no-such-user", "whatever-pass-1")
    assert readers(auditors, action="auth.login", actor_name="no-such-user") == {"top"}


def test_policy_updates_are_read_at_the_actor_organization(world: World, auditors: dict[str, User]) -> None:
    update_login_policy(POLICY, acting_user=world.secadmin)
    assert readers(auditors, action="policy.update", success=True) == {"top"}
    county_secadmin = make_user("secadmin_a", Role.SECURITY_ADMIN, world.county)
    with pytest.raises(OutOfScope):  # the policy is set at the top only
        update_login_policy(POLICY, acting_user=county_secadmin)
    assert readers(auditors, action="policy.update", success=False) == {"top", "county"}


def test_the_audit_page_lists_refused_actions_of_the_subtree(world: World, auditors: dict[str, User]) -> None:
    with pytest.raises(OutOfScope):
        reveal_member_field(world.member, "id_number", acting_user=world.member_user)
    with pytest.raises(LoginRefused):
        authenticate_login("no-such-user", "whatever-pass-1")
    pages = {}
    for name in ("top", "county", "sibling"):
        client = Client()
        client.force_login(auditors[name])
        pages[name] = client.get("/audit/?outcome=failed").content.decode()
    assert "member.reveal" in pages["county"] and "no-such-user" not in pages["county"]
    assert "member.reveal" in pages["top"] and "no-such-user" in pages["top"]
    assert "member.reveal" not in pages["sibling"] and "no-such-user" not in pages["sibling"]
