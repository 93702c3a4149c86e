"""Floating members: registered by the home branch, seen by both branches, counted where managed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.testing.world import World
from dangjian.transfers import services
from dangjian.transfers.models import FloatingRecord
from dangjian.transfers.queries import floating_out, managed_floating, unattached_floating_count

from .helpers import days_ago

PHONE = "13912345678"


def register(world: World, **extra: object) -> FloatingRecord:
    data = {
        "left_on": days_ago(40),
        "destination": "长沙市天心区坡子街",
        "reason": "务工",
        "contact": PHONE,
        "managing_org": world.branch_b,
        **extra,
    }
    return services.register_floating(world.member, data, acting_user=world.secretary)


def test_both_branches_see_the_record_and_the_managing_one_counts_it(world: World) -> None:
    record = register(world)
    assert Member.objects.get(pk=world.member.pk).status == "floating_out"
    assert FloatingRecord.objects.restrict(world.secretary).filter(pk=record.pk).exists()
    assert FloatingRecord.objects.restrict(world.outsider).filter(pk=record.pk).exists()  # managing, county B
    assert list(managed_floating(world.branch_b.path).values_list("member_id", flat=True)) == [
        world.member.pk
    ]
    assert list(managed_floating(world.county_b.path)) == [record]  # counted up the managing side
    assert not managed_floating(world.county.path).exists()
    assert list(floating_out(world.county.path)) == [record]
    # The phone is encrypted at rest and masked on screen.
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM transfers_floatingrecord WHERE id = %s", [record.pk])
        raw = cursor.fetchone()[0]
    assert PHONE not in raw and record.contact_masked == "139****5678"


def test_only_the_home_branch_changes_it_and_the_return_reactivates(world: World) -> None:
    record = register(world)
    with pytest.raises(ValidationError, match="Only the home branch"):
        services.record_return(record, returned_on=days_ago(1), acting_user=world.outsider)
    with pytest.raises(ValidationError) as exc:
        services.record_return(record, returned_on=days_ago(50), acting_user=world.secretary)
    assert "returned_on" in exc.value.message_dict
    services.record_return(record, returned_on=days_ago(1), acting_user=world.secretary)
    record.refresh_from_db()
    assert record.state == "returned" and Member.objects.get(pk=world.member.pk).status == "active"
    with pytest.raises(ValidationError, match="closed"):
        services.record_return(record, returned_on=days_ago(0), acting_user=world.secretary)


def test_attaching_a_managing_branch_later(world: World) -> None:
    record = register(world, managing_org=None, contact="")
    assert unattached_floating_count(world.county.path) == 1
    assert not FloatingRecord.objects.restrict(world.outsider).filter(pk=record.pk).exists()
    services.update_floating(record, {"managing_org": world.branch_b}, acting_user=world.secretary)
    assert unattached_floating_count(world.county.path) == 0
    assert FloatingRecord.objects.restrict(world.outsider).filter(pk=record.pk).exists()


def test_refusals(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        register(world, managing_org=world.county_b, contact="12345", destination=" ")
    assert set(exc.value.message_dict) == {"managing_org", "contact", "destination"}
    register(world)
    with pytest.raises(ValidationError, match="Only an active member"):
        register(world)
    with pytest.raises(OutOfScope):
        services.register_floating(world.member_b, {"left_on": days_ago(1)}, acting_user=world.secretary)
    assert FloatingRecord.objects.count() == 1


def test_reveal_is_audited_on_either_side(world: World) -> None:
    record = register(world)
    assert services.reveal_contact(record, acting_user=world.outsider) == PHONE
    with pytest.raises(OutOfScope):
        services.reveal_contact(record, acting_user=world.member_user)  # view only
    assert AuditEntry.objects.filter(action="floating.reveal", success=True).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes no row locks")
def test_a_return_locks_the_member_before_the_record(world: World) -> None:
    """An acceptance or an art. 9 closing locks the member, then closes the open record; a return
    taking the two locks the other way round could deadlock with them."""
    record = register(world)
    with CaptureQueriesContext(connection) as queries:
        services.record_return(record, returned_on=days_ago(1), acting_user=world.secretary)
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    member_lock = next(i for i, sql in enumerate(locks) if 'FROM "members_member"' in sql)
    record_lock = next(i for i, sql in enumerate(locks) if 'FROM "transfers_floatingrecord"' in sql)
    assert member_lock < record_lock
