"""The audit log's hash chain: two columns, the PostgreSQL function that serializes appends, and
the existing rows chained in id order.

The rows are read and written in batches (constant memory). On SQLite, adding the columns
rebuilds the table, which loses its trigger: it is created again at the end. The append-only triggers refuse the
UPDATE that fills the new columns, so they are switched off for this migration's transaction
only (it runs as the table's owner; the application's role cannot do this, see `dbroles`).
"""

from django.db import migrations, models

from dangjian.core import chain

BATCH = 5000

CHAIN_HEAD = f"""
CREATE OR REPLACE FUNCTION core_auditentry_chain_head() RETURNS varchar AS $$
BEGIN
    -- Held until the caller's transaction ends: appends to the chain take turns. The SELECT
    -- below runs after the lock with a fresh snapshot (a VOLATILE function under READ
    -- COMMITTED), so it sees the previous writer's committed entry.
    PERFORM pg_advisory_xact_lock({chain.LOCK_KEY});
    RETURN (SELECT hash FROM core_auditentry ORDER BY id DESC LIMIT 1);
END; $$ LANGUAGE plpgsql VOLATILE;
"""
SQLITE_TRIGGER = """
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""


def _chain_existing(apps, schema_editor):  # noqa: ANN001, ANN201
    entry_model = apps.get_model("core", "AuditEntry")
    alias = schema_editor.connection.alias
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update")
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change")
    prev, last_id, secret = chain.GENESIS, 0, chain.key()
    rows = entry_model.objects.using(alias).order_by("id").values("id", *chain.CHAINED_FIELDS)
    with schema_editor.connection.cursor() as cursor:
        while batch := list(rows.filter(id__gt=last_id)[:BATCH]):
            updates = []
            for row in batch:
                digest = chain.link(prev, row, secret)
                updates.append((prev, digest, row["id"]))
                prev, last_id = digest, row["id"]
            cursor.executemany("UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", updates)
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_no_change")
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def _head_function(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHAIN_HEAD)


def _drop_head_function(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS core_auditentry_chain_head()")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(_head_function, _drop_head_function),
        migrations.RunPython(_chain_existing, migrations.RunPython.noop),
    ]
