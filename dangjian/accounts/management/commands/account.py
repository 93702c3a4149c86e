"""`dangjian account USERNAME --deactivate | --activate | --password P | --revoke ROLE --org CODE
| --unlock | --reset-totp` — the console's way to act on any account, administrators included.

The console acts as `core.scoping.SYSTEM` and alone (三员分立 lets the operator at the console do
what two administrators do together on the pages); every change is audited as `system`.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts import services
from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.core.scoping import SYSTEM

from ._common import explain, org_by_code


class Command(BaseCommand):
    help = (
        "Deactivate, activate, set a password (changed at next login), revoke a role, unlock or reset TOTP."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--deactivate", action="store_true")
        what.add_argument("--activate", action="store_true")
        what.add_argument("--password", help="a new password, which its holder changes at next login")
        what.add_argument("--revoke", choices=Role.values, help="a role to revoke (with --org)")
        what.add_argument("--unlock", action="store_true")
        what.add_argument("--reset-totp", action="store_true")
        parser.add_argument("--org", help="organization code of the grant to revoke")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["username"].lower()).first()
        if user is None:
            raise CommandError(f"No user {opts['username']!r}.")
        try:
            done = self._act(user, opts)
        except ValidationError as exc:
            raise explain(exc) from exc
        self.stdout.write(self.style.SUCCESS(f"{user.username}: {done}."))

    def _act(self, user: User, opts: dict[str, Any]) -> str:
        if opts["deactivate"] or opts["activate"]:
            services.update_user(user, {"is_active": bool(opts["activate"])}, acting_user=SYSTEM)
            return "activated" if opts["activate"] else "deactivated"
        if opts["password"] is not None:
            services.set_password(user, opts["password"], acting_user=SYSTEM)
            return "password set (to be changed at next login)"
        if opts["revoke"]:
            if not opts["org"]:
                raise CommandError("--revoke needs --org CODE.")
            org = org_by_code(opts["org"])
            grant = RoleGrant.objects.filter(user=user, organization=org, role=opts["revoke"]).first()
            if grant is None:
                raise CommandError(f"{user.username} holds no {opts['revoke']} on {org.code}.")
            services.revoke_grant(grant, acting_user=SYSTEM)
            return f"{opts['revoke']} on {org.code} revoked"
        if opts["unlock"]:
            services.unlock_user(user, acting_user=SYSTEM)
            return "unlocked"
        services.reset_totp(user, acting_user=SYSTEM)
        return "second factor reset"
