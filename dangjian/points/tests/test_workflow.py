"""A hand entry on the workflow kernel: its history, the cap taken through the generic move view,
and a stale page refused."""

from datetime import date

from django.test import Client

from dangjian.core.models import AuditEntry, StateChange
from dangjian.points.models import EntryState, PointEntry
from dangjian.points.workflows import ENTRY_FLOW
from dangjian.testing.world import World

from .helpers import YEAR, claim, standard_rules


def client_for(user: object) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_history_and_cap_through_the_move_view(world: World) -> None:
    rules = standard_rules(world.township)
    first = claim(world.member, rules["volunteer"], hours=8, on=date(YEAR, 6, 3), by=world.member_user)
    second = claim(world.member, rules["volunteer"], hours=5, on=date(YEAR, 6, 20), by=world.member_user)
    county = client_for(world.county_staff)
    assert county.post(f"/point-entries/{first.pk}/approve/", {"version": "0"}).status_code == 302
    assert county.post(f"/point-entries/{second.pk}/approve/", {"note": "属实"}).status_code == 302
    second.refresh_from_db()
    assert (second.state, second.points, second.capped, second.version) == (EntryState.APPROVED, 2, True, 1)
    assert list(StateChange.of(second).values_list("move", "target", "note")) == [
        ("create", "proposed", "社区志愿服务"),
        ("approve", "approved", "属实"),
    ]
    entry = AuditEntry.objects.get(action="point_entry.approve", object_id=str(second.pk))
    assert entry.changes["points"] == [5, 2] and entry.changes["state"] == ["proposed", "approved"]
    # The member it is about sees no approve button.
    assert ENTRY_FLOW.allowed(world.member_user, PointEntry.objects.get(pk=first.pk)) == []


def test_a_stale_page_changes_nothing(world: World) -> None:
    rules = standard_rules(world.township)
    entry = claim(world.member, rules["deed"], by=world.secretary)
    response = client_for(world.county_staff).post(
        f"/point-entries/{entry.pk}/reject/", {"note": "不属实", "version": "7"}, follow=True
    )
    assert "reload the page" in response.content.decode()
    assert PointEntry.objects.get(pk=entry.pk).state == EntryState.PROPOSED
