"""Entries recorded inside a service are written when the outermost service returns, so the hash
chain's lock is the last lock a service takes (core/audit.py, `deferred`)."""

import contextlib
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from dangjian.core import audit
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.core.services import write_service
from dangjian.members.models import Member
from dangjian.testing.world import World

from .test_audit_chain import verify


@write_service("test.inner")
def inner(fail: bool, *, acting_user: Any) -> None:
    audit.record("test.inner", actor=acting_user)
    if fail:
        raise ValidationError("no")


@write_service("test.outer")
def outer(*, acting_user: Any) -> None:
    audit.record("test.outer.before", actor=acting_user)
    with contextlib.suppress(ValidationError):  # the service goes on without the inner write
        inner(True, acting_user=acting_user)
    inner(False, acting_user=acting_user)
    assert not AuditEntry.objects.filter(action__startswith="test.").exists()  # not yet written
    audit.record("test.outer.after", actor=acting_user)


@pytest.mark.django_db
def test_a_services_entries_are_written_at_its_end_in_order_and_chained() -> None:
    outer(acting_user=SYSTEM)
    rows = list(AuditEntry.objects.filter(action__startswith="test.").order_by("pk"))
    # The refused inner write leaves its failure entry, not the entry its rolled-back body made.
    assert [(e.action, e.success) for e in rows] == [
        ("test.outer.before", True),
        ("test.inner", False),
        ("test.inner", True),
        ("test.outer.after", True),
    ]
    assert "Audit chain OK: 4 entries" in verify()


@pytest.mark.django_db
def test_a_refused_service_writes_only_its_failure_entry() -> None:
    with pytest.raises(ValidationError):
        inner(True, acting_user=SYSTEM)
    assert list(AuditEntry.objects.values_list("action", "success")) == [("test.inner", False)]


@pytest.mark.django_db
def test_an_entry_inside_a_savepoint_goes_with_the_savepoint() -> None:
    @write_service("test.savepoint")
    def service(*, acting_user: Any) -> None:
        try:
            with transaction.atomic():
                audit.record("test.rolled_back", actor=acting_user)
                raise RuntimeError
        except RuntimeError:
            pass
        audit.record("test.kept", actor=acting_user)

    service(acting_user=SYSTEM)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.kept"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and two writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_service_that_records_then_locks_does_not_deadlock_with_one_that_locks_then_records(
    world: World,
) -> None:
    """Service A records an entry, then locks a member's row; service B locks that row, then records.
    Had A taken the chain's lock at its entry, each would wait for the other until PostgreSQL
    killed one (deadlock detected)."""
    member_pk = world.member.pk
    a_recorded, b_locked = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    @write_service("test.a")
    def service_a(*, acting_user: Any) -> None:
        audit.record("test.a", actor=acting_user)
        a_recorded.set()
        b_locked.wait(10)
        Member.objects.select_for_update().get(pk=member_pk)

    @write_service("test.b")
    def service_b(*, acting_user: Any) -> None:
        a_recorded.wait(10)
        Member.objects.select_for_update().get(pk=member_pk)
        b_locked.set()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.3)")  # A now waits for the row
        audit.record("test.b", actor=acting_user)

    def run(service: Any) -> None:
        try:
            service(acting_user=SYSTEM)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(s,)) for s in (service_a, service_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(AuditEntry.objects.filter(action__startswith="test.").values_list("action", flat=True)) == [
        "test.a",
        "test.b",
    ]
    assert "Audit chain OK" in verify()
