"""The audit log's hash chain: `dangjian audit verify` finds an altered or removed entry.

The append-only triggers are bypassed as an attacker with the owner's rights would: on SQLite by
dropping the trigger, on PostgreSQL by disabling it (inside the test's transaction, rolled back
afterwards).
"""

import itertools
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from dangjian.core import audit
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        verify(*args)
    assert caught.value.returncode == 1  # a non-zero exit for scripts and monitoring
    return str(caught.value)


def tamper(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update")
        cursor.execute(statement, params)


def write(count: int) -> list[AuditEntry]:
    return [audit.record("test.event", actor=SYSTEM, detail=f"event {i}") for i in range(count)]


@pytest.mark.django_db
def test_a_clean_log_verifies_with_counts() -> None:
    assert "the log is empty" in verify()
    entries = write(5)
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    out = verify()
    assert "Audit chain OK: 5 entries" in out
    assert f"head {entries[-1].pk}:{entries[-1].hash}" in out


@pytest.mark.django_db
def test_values_read_back_as_written_keep_the_chain() -> None:
    # What the JSON and inet columns give back must hash as what was written.
    audit.record(
        "test.values",
        actor=SYSTEM,
        org_path="0001",
        changes={"big": [1e20, 2.5, None], "nested": {"b": 1, "a": "中文"}, "flag": [True, False]},
        detail="tab\there, quote \" and newline\n",
        object_repr="王芳 <x>",
    )
    from dangjian.core.context import client_ip

    token = client_ip.set("2001:0db8:0000:0000:0000:0000:0000:0001")
    try:
        audit.record("test.ipv6", actor=SYSTEM)
    finally:
        client_ip.reset(token)
    assert "Audit chain OK: 2 entries" in verify()


@pytest.mark.django_db
def test_an_altered_entry_is_named() -> None:
    entries = write(4)
    tamper("UPDATE core_auditentry SET detail = 'nothing happened' WHERE id = %s", [entries[2].pk])
    message = refused()
    assert f"entry {entries[2].pk}: its contents do not match its hash" in message


@pytest.mark.django_db
def test_a_removed_entry_leaves_a_gap_that_is_named() -> None:
    entries = write(4)
    tamper("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    message = refused()
    assert f"entry {entries[2].pk}: its link does not follow entry {entries[0].pk}" in message
    assert "removed" in message


@pytest.mark.django_db
def test_removing_the_first_entries_is_found_too() -> None:
    entries = write(3)
    tamper("DELETE FROM core_auditentry WHERE id = %s", [entries[0].pk])
    assert f"entry {entries[1].pk}: its link does not follow the start of the chain" in refused()


@pytest.mark.django_db
def test_an_anchor_finds_entries_cut_from_the_end() -> None:
    entries = write(3)
    head = f"{entries[-1].pk}:{entries[-1].hash}"
    assert "Audit chain OK" in verify("--anchor", head)
    tamper("DELETE FROM core_auditentry WHERE id = %s", [entries[-1].pk])
    assert "Audit chain OK: 2 entries" in verify()  # the rest of the chain is intact
    assert f"entry {entries[-1].pk} is missing" in refused("--anchor", head)


@pytest.mark.django_db
def test_bulk_writes_are_chained_in_order() -> None:
    write(1)
    rows = [AuditEntry(action="test.bulk", actor_name="system", detail=str(i)) for i in range(50)]
    AuditEntry.objects.bulk_create(rows, batch_size=20)
    write(1)
    assert "Audit chain OK: 52 entries" in verify("--batch", "7")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain() -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                audit.record("test.race", actor=SYSTEM, detail=f"{n}-{i}")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert "Audit chain OK: 60 entries" in verify()  # without the lock: broken links
    assert AuditEntry.objects.filter(action="test.race").count() == 60


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_the_entries_written_before_it() -> None:
    from django.db.migrations.executor import MigrationExecutor

    before, chained = [("core", "0002_audit_append_only")], [("core", "0003_audit_hash_chain")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        with connection.cursor() as cursor:
            for i in range(7):  # as the old code wrote them: no hash columns yet
                cursor.execute(
                    "INSERT INTO core_auditentry (at, actor_name, action, object_type, object_id,"
                    " object_repr, org_path, changes, success, detail)"
                    " VALUES (%s, 'system', 'old.event', '', '', '', '0001', %s, %s, %s)",
                    ["2026-01-02T03:04:05.123456+00:00", '{"n": [1, 2.0]}', i % 2 == 0, f"old {i}"],
                )
    finally:
        MigrationExecutor(connection).migrate(chained)
    try:
        assert "Audit chain OK: 7 entries" in verify()
        entry = audit.record("test.event", actor=SYSTEM)  # new entries continue the chain
        assert entry.prev_hash == AuditEntry.objects.filter(action="old.event").order_by("-id")[0].hash
        assert "Audit chain OK: 8 entries" in verify()
        with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET detail = 'x' WHERE id = %s", [entry.pk])
    finally:
        # Going back to 0002 undid core's later migrations too (the workflow history's table):
        # the next tests on this database need the latest schema.
        latest = MigrationExecutor(connection)
        latest.migrate(latest.loader.graph.leaf_nodes())
