"""`dangjian activation-code USERNAME` — a one-time code for enrolling a second factor.

For the first administrators, before any security administrator can issue one in the web
application; acts as SYSTEM and is audited like a code issued there.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.accounts.credential_services import issue_activation_code
from dangjian.accounts.models import User
from dangjian.core.scoping import SYSTEM

from ._common import explain


class Command(BaseCommand):
    help = "Issue a one-time activation code with which USERNAME enrolls a second factor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["username"].strip().lower()).first()
        if user is None:
            raise CommandError(f"No user {opts['username']!r}.")
        try:
            raw, code = issue_activation_code(user, acting_user=SYSTEM)
        except ValidationError as exc:
            raise explain(exc) from exc
        expires = timezone.localtime(code.expires_at)
        self.stdout.write(f"Activation code for {user.username}: {raw}")
        self.stdout.write(
            f"It works once, until {expires:%Y-%m-%d %H:%M} (Beijing time). Give it to the account's "
            "owner in person; they enter it at /account/2fa/ after logging in with their password."
        )
