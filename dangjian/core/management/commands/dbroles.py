"""`dangjian dbroles --app-role NAME` — the PostgreSQL role the application connects as.

    MIGRATE_DATABASE_URL=postgres://owner@host/db dangjian dbroles --app-role dangjian_app          # print
    MIGRATE_DATABASE_URL=postgres://owner@host/db dangjian dbroles --app-role dangjian_app --apply  # run

Run it as the owner of the tables (the role that runs `migrate`), after `migrate`. See
docs/operations.md, "Database roles".
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from dangjian.core.dbroles import role_statements


class Command(BaseCommand):
    help = "Print (or --apply) the SQL of the application's PostgreSQL role (audit log append-only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--app-role", required=True, help="role the application connects as")
        parser.add_argument("--owner", help="owner of the tables (default: the connected role)")
        parser.add_argument("--apply", action="store_true", help="run the SQL instead of printing it")

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only (SQLite has no roles).")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            current, database = cursor.fetchone()
        owner = opts["owner"] or current
        if opts["app_role"] == owner:
            raise CommandError("The application's role must not be the owner of the tables.")
        statements = role_statements(opts["app_role"], owner, database)
        if not opts["apply"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        done = f"Role {opts['app_role']} set up in {database} (owner {owner})."
        self.stdout.write(self.style.SUCCESS(done))
