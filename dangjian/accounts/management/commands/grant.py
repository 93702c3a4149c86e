"""`dangjian grant USERNAME ROLE --org CODE` — a role on an organization and its subtree."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.accounts.services import grant_role
from dangjian.core.scoping import SYSTEM

from ._common import explain, org_by_code


class Command(BaseCommand):
    help = "Grant a role to a user on an organization; the grant covers everything below it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--org", required=True, help="organization code")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["username"].lower()).first()
        if user is None:
            raise CommandError(f"No user {opts['username']!r}.")
        org = org_by_code(opts["org"])
        try:
            grant_role(user, org, opts["role"], acting_user=SYSTEM)
        except ValidationError as exc:
            raise explain(exc) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Granted {opts['role']} to {user.username} on {org.name} ({org.code}).")
        )
