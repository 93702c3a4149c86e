"""The console acts on any account alone (administrators included), audited as `system`."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.models import AuditEntry
from dangjian.testing.world import World


def test_the_console_acts_on_the_three_administrators(world: World) -> None:
    call_command("account", "auditor", "--deactivate")
    assert not User.objects.get(pk=world.auditor.pk).is_active
    call_command("account", "secadmin", "--password", "Kestrel-4-river")
    secadmin = User.objects.get(pk=world.secadmin.pk)
    assert secadmin.check_password("Kestrel-4-river") and secadmin.must_change_password
    call_command("account", "sysadmin", "--revoke", "system_admin", "--org", world.province.code)
    assert not RoleGrant.objects.filter(user=world.sysadmin).exists()
    actions = set(
        AuditEntry.objects.filter(actor_name="system", success=True).values_list("action", flat=True)
    )
    assert {"user.update", "user.set_password", "grant.delete"} <= actions


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["account", "nobody", "--unlock"], "No user"),
        (["account", "auditor", "--revoke", "member", "--org", "430000"], "holds no member"),
        (["account", "auditor", "--revoke", "audit_admin"], "needs --org"),
        (["account", "auditor", "--password", "Dangjian2026"], "password"),
    ],
)
def test_the_console_explains_bad_input(world: World, args: list[str], message: str) -> None:
    before = list(User.objects.values_list("pk", "password", "is_active"))
    with pytest.raises(CommandError, match=message):
        call_command(*args)
    assert list(User.objects.values_list("pk", "password", "is_active")) == before
