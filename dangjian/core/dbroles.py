"""The PostgreSQL role the application connects as in production.

The owner of the tables (who runs the migrations, `MIGRATE_DATABASE_URL`) keeps the rights only
an owner has: ALTER, DROP, disabling triggers. The application's role (`DATABASE_URL`) gets
SELECT/INSERT/UPDATE/DELETE on every table, now and in future migrations (default privileges),
except the audit log, where it may only INSERT and SELECT: so neither a bug nor an SQL injection
in the application can TRUNCATE, UPDATE, DELETE, or switch off the append-only triggers.
"""

from psycopg import sql

AUDIT_TABLE = "core_auditentry"


def role_statements(app_role: str, owner: str, database: str) -> list[str]:
    """The SQL, in order; idempotent (run it again after adding tables by hand, or to repair)."""
    role, own, db = sql.Identifier(app_role), sql.Identifier(owner), sql.Identifier(database)
    audit = sql.Identifier(AUDIT_TABLE)
    name = sql.Literal(app_role)
    statements = [
        # CREATE ROLE has no IF NOT EXISTS; the role gets no password here (set it apart:
        # ALTER ROLE … PASSWORD, or authenticate by certificate or peer in pg_hba.conf).
        sql.SQL(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
            "CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS; "
            "END IF; END $$"
        ).format(name=name, role=role),
        sql.SQL("GRANT CONNECT ON DATABASE {db} TO {role}").format(db=db, role=role),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {role}").format(role=role),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}").format(
            role=role
        ),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}").format(role=role),
        # The audit log: append and read only. TRUNCATE, ALTER, DROP and DISABLE TRIGGER need
        # the table's owner (or the TRUNCATE privilege, never granted).
        sql.SQL("REVOKE ALL ON {audit} FROM {role}").format(audit=audit, role=role),
        sql.SQL("GRANT SELECT, INSERT ON {audit} TO {role}").format(audit=audit, role=role),
        sql.SQL(
            "DO $$ BEGIN EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM %I', "
            "pg_get_serial_sequence({table}, 'id'), {name}); "
            "EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', "
            "pg_get_serial_sequence({table}, 'id'), {name}); END $$"
        ).format(table=sql.Literal(AUDIT_TABLE), name=name),
        # Tables and sequences the owner creates in later migrations.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
        ).format(own=own, role=role),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA public "
            "GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}"
        ).format(own=own, role=role),
    ]
    return [statement.as_string() for statement in statements]
