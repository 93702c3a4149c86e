"""On PostgreSQL, compare tree paths bytewise (COLLATE "C") so subtree range scans are exact
and use the index whatever the database's default collation is. SQLite compares bytes already."""

from django.db import migrations


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE organizations_organization ALTER COLUMN path TYPE varchar(255) COLLATE "C"'
        )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
