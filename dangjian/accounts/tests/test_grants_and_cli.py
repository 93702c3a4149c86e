import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.services import grant_role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.testing.world import World, make_user


def test_a_grant_covers_the_node_and_everything_below_only(world: World) -> None:
    user = make_user("township_staff", "committee_staff", world.township)
    orgs = set(Organization.objects.restrict(user).values_list("name", flat=True))
    assert orgs == {"定王台街道党工委", "第一党支部", "第二党支部"}
    assert set(Member.objects.restrict(user).values_list("name", flat=True)) == {"张伟", "李娜"}
    assert not Organization.objects.restrict(user, "manage_users").exists()


def test_nested_grants_do_not_duplicate_rows(world: World) -> None:
    grant_role(world.member_user, world.township, "supervisor", acting_user=world.secadmin)
    world.member_user.forget_grants()
    # member on the branch + supervisor on the township above it: one range, no duplicates.
    assert world.member_user.scope_paths("view") == [world.township.path]
    assert Member.objects.restrict(world.member_user).count() == 2


def test_grant_outside_the_granters_scope_is_refused(world: World) -> None:
    county_admin = make_user("county_admin", "security_admin", world.county)
    target = make_user("target", None, world.county)
    with pytest.raises(OutOfScope):
        grant_role(target, world.branch_b, "secretary", acting_user=county_admin)
    with pytest.raises(OutOfScope):  # a user of another county cannot be given roles here either
        grant_role(world.outsider, world.branch, "member", acting_user=county_admin)
    with pytest.raises(ValidationError):
        grant_role(county_admin, world.branch, "secretary", acting_user=county_admin)  # no self-grants
    assert not RoleGrant.objects.filter(user=target).exists()
    assert AuditEntry.objects.filter(action="grant.create", success=False).count() == 3


def test_createuser_and_grant_commands(world: World) -> None:
    call_command(
        "createuser", "Li.Ming", "--password", "Li-ming-2026", "--role", "secretary", "--org", "430102001002"
    )
    user = User.objects.get(username="li.ming")
    assert user.check_password("Li-ming-2026")
    assert list(user.grants.values_list("role", "organization__code")) == [("secretary", "430102001002")]
    call_command("grant", "li.ming", "supervisor", "--org", "430102")
    assert user.grants.count() == 2
    assert AuditEntry.objects.filter(action="grant.create", actor_name="system").count() >= 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["createuser", "x", "--password", "short", "--org", "430102"], "password"),
        (["createuser", "y", "--password", "Good-pass-2026", "--org", "nope"], "No organization"),
        (["grant", "nobody", "member", "--org", "430102"], "No user"),
        (["grant", "sysadmin", "audit_admin", "--org", "430000"], "role"),
    ],
)
def test_commands_explain_bad_input(world: World, args: list[str], message: str) -> None:
    users, grants = User.objects.count(), RoleGrant.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command(*args)
    assert (User.objects.count(), RoleGrant.objects.count()) == (users, grants)
