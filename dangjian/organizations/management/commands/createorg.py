"""`dangjian createorg CODE NAME --kind committee [--sector S] [--parent CODE]` — for the operator.

The first step of a real installation (see "First run" in docs/operations.md): the top
organization, which no page or API call can create. Acts as SYSTEM through the same service as
the pages, so the row is validated and audited like any other.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.management.commands._common import explain, org_by_code
from dangjian.core.scoping import SYSTEM
from dangjian.organizations.models import Organization, OrgKind, Sector
from dangjian.organizations.services import create_organization


class Command(BaseCommand):
    help = (
        "Create an organization: the top organization of the installation, or one below --parent. "
        f"Kinds: {', '.join(OrgKind.values)}. Sectors: {', '.join(Sector.values)}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the organization's code, unique in the installation")
        parser.add_argument("name", help="the organization's full name, e.g. 中共湖南省委")
        # Checked by the service, not by argparse choices: the same message as on the pages.
        parser.add_argument("--kind", required=True, help=f"one of: {', '.join(OrgKind.values)}")
        parser.add_argument("--sector", default=Sector.OTHER, help=f"one of: {', '.join(Sector.values)}")
        parser.add_argument("--parent", help="code of the organization above (omit for the top one)")

    def handle(self, *args: Any, **opts: Any) -> None:
        parent = org_by_code(opts["parent"]) if opts["parent"] else None
        if parent is None:
            # One tree per installation: the scoping, the demo and the admin commands all start
            # from the single top organization.
            top = Organization.objects.get_root_nodes().first()
            if top is not None:
                raise CommandError(
                    f"There is already a top organization, {top.name} ({top.code}); "
                    f"add this one below it with --parent {top.code}."
                )
        data = {"code": opts["code"], "name": opts["name"], "kind": opts["kind"], "sector": opts["sector"]}
        try:
            org = create_organization(parent, data, acting_user=SYSTEM)
        except ValidationError as exc:
            error = explain(exc)
            if "kind" in getattr(exc, "error_dict", {}):
                error = CommandError(f"{error} (kinds: {', '.join(OrgKind.values)})")
            elif "sector" in getattr(exc, "error_dict", {}):
                error = CommandError(f"{error} (sectors: {', '.join(Sector.values)})")
            raise error from exc
        where = f" below {parent.name} ({parent.code})" if parent else " as the top organization"
        self.stdout.write(self.style.SUCCESS(f"Created {org.name} ({org.code}){where}."))
