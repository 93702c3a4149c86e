"""The database itself refuses to change or remove audit entries, whatever the application does.

Raw SQL only: the model's own refusal is tested elsewhere; this is what stops a script, a shell or
a bug that goes around the ORM.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from dangjian.testing.world import World

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row DELETE is refused by trigger on PostgreSQL only"
)


def entries() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, action, actor_name, success FROM core_auditentry ORDER BY id")
        return cursor.fetchall()


def refused(sql: str, *params: object) -> str:
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(excinfo.value)


def test_raw_update_is_refused(world: World) -> None:
    before = entries()
    assert before
    assert "append-only" in refused("UPDATE core_auditentry SET action = 'forged', success = TRUE")
    assert "append-only" in refused("UPDATE core_auditentry SET actor_name = 'x' WHERE id = %s", before[0][0])
    assert entries() == before


@postgresql_only
def test_raw_delete_is_refused_on_postgresql(world: World) -> None:
    before = entries()
    assert before
    assert "append-only" in refused("DELETE FROM core_auditentry")
    assert "append-only" in refused("DELETE FROM core_auditentry WHERE id = %s", before[-1][0])
    assert entries() == before
