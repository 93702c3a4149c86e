"""`dangjian createuser USERNAME --password P [--role ROLE --org CODE]` — for the operator."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.roles import Role
from dangjian.accounts.services import create_user, grant_role
from dangjian.core.scoping import SYSTEM
from dangjian.organizations.models import Organization

from ._common import explain, org_by_code


class Command(BaseCommand):
    help = "Create a user account, optionally with a role on an organization (and its subtree)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", choices=Role.values)
        parser.add_argument("--org", help="organization code (defaults to the top organization)")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["org"]:
            org = org_by_code(opts["org"])
        else:
            org = Organization.objects.get_root_nodes().first()
            if org is None:
                raise CommandError("There is no organization yet; load or create the tree first.")
        try:
            user = create_user(
                opts["username"], opts["password"], home_org=org, email=opts["email"], acting_user=SYSTEM
            )
            if opts["role"]:
                grant_role(user, org, opts["role"], acting_user=SYSTEM)
        except ValidationError as exc:
            raise explain(exc) from exc
        role = f" as {opts['role']}" if opts["role"] else ""
        self.stdout.write(self.style.SUCCESS(f"Created {user.username}{role} on {org.name} ({org.code})."))
