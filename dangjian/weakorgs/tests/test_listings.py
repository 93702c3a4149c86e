"""The listing's workflow (point 11): who may take each move, per persona — the county and one
level up decide, never whoever writes inside the listed organization; the organization's
officers and the level above it rectify; outsiders 404; history and audit kept."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.accounts.services import grant_role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry, StateChange
from dangjian.core.scoping import SYSTEM
from dangjian.testing.world import World, make_user
from dangjian.weakorgs import services
from dangjian.weakorgs.models import Listing, ListingState

from .helpers import PLAN, YEAR, candidate, listed, outcome, submitted


def test_who_may_confirm_or_remove_a_candidate(world: World) -> None:
    township_staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    double_hat = make_user("double_hat", Role.COMMITTEE_STAFF, world.county)
    grant_role(double_hat, world.branch, Role.SECRETARY, acting_user=SYSTEM)
    double_hat.forget_grants()
    row = candidate(world)
    expected = {
        "county_staff": "ok",  # the county that screens
        "province_staff": "ok",  # one level up and more
        "secretary": "404",  # a candidate is the county's business, not the branch's
        "member_user": "404",
        "outsider": "404",
        "auditor": "404",
    }
    for move in ("confirm", "remove"):
        for persona, result in expected.items():
            assert (persona, move, outcome(row, move, world.users[persona])) == (persona, move, result)
        assert outcome(row, move, township_staff) == "404"  # below the county: not its decision
        assert outcome(row, move, double_hat) == "excluded"  # writes inside the branch
    with pytest.raises(ValidationError) as info:  # removing needs a reason
        services.MOVES["remove"](row, note=" ", acting_user=world.county_staff)
    assert "note" in info.value.message_dict
    removed = services.MOVES["remove"](
        row, note="支委会记录在纸质台账，已核实", acting_user=world.county_staff
    )
    assert (removed.state, removed.removal_reason) == (ListingState.REMOVED, "支委会记录在纸质台账，已核实")
    assert outcome(removed, "confirm", world.county_staff) == "transition"


def test_who_may_plan_submit_and_accept(world: World) -> None:
    township_staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    double_hat = make_user("double_hat", Role.COMMITTEE_STAFF, world.county)
    grant_role(double_hat, world.branch, Role.SECRETARY, acting_user=SYSTEM)
    double_hat.forget_grants()
    row = listed(world)
    assert row.plan_due == timezone.localdate() + timedelta(days=30)
    plan = {
        "secretary": "ok",  # the branch's own officer
        "county_staff": "actor",  # the county judges the rectification, it does not write it
        "province_staff": "actor",
        "member_user": "actor",  # reads the list, does not act on it
        "outsider": "404",
        "auditor": "404",
    }
    for persona, result in plan.items():
        assert (persona, outcome(row, "plan", world.users[persona])) == (persona, result)
    assert outcome(row, "plan", township_staff) == "ok"  # the level above the branch
    assert outcome(row, "submit", world.secretary) == "transition"  # no plan yet
    row = services.save_plan(row, PLAN, acting_user=world.secretary)
    assert outcome(row, "submit", world.secretary) == "invalid"  # no progress recorded yet
    services.add_progress(row, "整顿班子", timezone.localdate(), acting_user=township_staff)
    row = services.MOVES["submit"](row, acting_user=township_staff)
    accept = {
        "county_staff": "ok",
        "province_staff": "ok",  # one level up
        "secretary": "actor",  # the branch accepts nothing of its own
        "member_user": "actor",
        "outsider": "404",
    }
    for persona, result in accept.items():
        assert (persona, outcome(row, "accept", world.users[persona])) == (persona, result)
    assert outcome(row, "accept", township_staff) == "actor"  # below the county
    assert outcome(row, "accept", double_hat) == "excluded"  # writes inside the branch


def test_a_listing_moves_through_its_states_with_history(world: World) -> None:
    row = submitted(world)
    with pytest.raises(ValidationError):  # a reason is needed to return it
        services.MOVES["return"](row, note="", acting_user=world.county_staff)
    row = services.MOVES["return"](row, note="换届未完成", acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # the plan is kept; corrected by the branch, not the county
        services.save_plan(row, PLAN | {"plan": "新方案"}, acting_user=world.county_staff)
    row = services.save_plan(row, PLAN | {"plan": "完成换届选举"}, acting_user=world.secretary)
    row = services.MOVES["submit"](row, acting_user=world.secretary)
    row = services.MOVES["accept"](row, note="整顿到位", acting_user=world.county_staff)
    assert row.state == ListingState.ACCEPTED and row.accepted_at is not None
    assert row.lookback_due is not None and row.lookback_due > timezone.localdate()
    with pytest.raises(ValidationError):  # not yet six months on
        services.MOVES["look_back"](row, note="巩固良好", acting_user=world.county_staff)
    Listing.objects.filter(pk=row.pk).update(lookback_due=timezone.localdate())
    row.refresh_from_db()
    assert outcome(row, "look_back", world.secretary) == "actor"
    with pytest.raises(ValidationError):  # what the look-back found is written down
        services.MOVES["look_back"](row, note="", acting_user=world.county_staff)
    row = services.MOVES["look_back"](row, note="班子稳定，支委会按月召开", acting_user=world.county_staff)
    assert (row.state, row.lookback_note, row.lookback_by_id) == (
        ListingState.ACCEPTED,
        "班子稳定，支委会按月召开",
        world.county_staff.pk,
    )
    with pytest.raises(ValidationError):  # once only
        services.MOVES["look_back"](row, note="再次回访", acting_user=world.county_staff)
    steps = list(StateChange.of(row).values_list("move", "target"))
    assert steps == [
        ("create", "candidate"),
        ("confirm", "listed"),
        ("plan", "planned"),
        ("submit", "submitted"),
        ("return", "returned"),
        ("submit", "submitted"),
        ("accept", "accepted"),
        ("look_back", "accepted"),
    ]
    assert AuditEntry.objects.filter(action="weak_listing.accept", success=True).count() == 1
    assert outcome(row, "carry_over", world.county_staff) == "transition"


def test_carrying_over_needs_a_reason_and_keeps_it(world: World) -> None:
    row = listed(world)
    assert outcome(row, "carry_over", world.secretary) == "actor"
    with pytest.raises(ValidationError):
        services.MOVES["carry_over"](row, acting_user=world.county_staff)
    row = services.MOVES["carry_over"](row, note="村两委换届后再验收", acting_user=world.county_staff)
    assert (row.state, row.carry_reason) == (ListingState.CARRIED_OVER, "村两委换届后再验收")


def test_listing_by_hand(world: World) -> None:
    with pytest.raises(ValidationError):  # why it is listed
        services.add_by_hand(world.county, world.branch2, YEAR, " ", acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # only below the county
        services.add_by_hand(
            world.county, world.branch_b, YEAR, "群众反映强烈", acting_user=world.county_staff
        )
    with pytest.raises(ValidationError):  # a branch screens nothing
        services.add_by_hand(
            world.branch, world.branch2, YEAR, "群众反映强烈", acting_user=world.county_staff
        )
    with pytest.raises(OutOfScope):
        services.add_by_hand(world.county, world.branch2, YEAR, "群众反映强烈", acting_user=world.outsider)
    with pytest.raises(OutOfScope):  # the branch does not reach the county
        services.add_by_hand(world.county, world.branch2, YEAR, "群众反映强烈", acting_user=world.secretary)
    double_hat = make_user("double_hat", Role.COMMITTEE_STAFF, world.county)
    grant_role(double_hat, world.branch2, Role.ORGANIZER, acting_user=SYSTEM)
    double_hat.forget_grants()
    with pytest.raises(ValidationError) as info:  # nobody lists the organization they write in
        services.add_by_hand(world.county, world.branch2, YEAR, "群众反映强烈", acting_user=double_hat)
    assert info.value.code == "excluded"
    row = services.add_by_hand(
        world.county, world.branch2, YEAR, "群众反映强烈", acting_user=world.county_staff
    )
    assert (row.state, row.origin, row.hand_reason) == (ListingState.LISTED, "by_hand", "群众反映强烈")
    assert row.plan_due == timezone.localdate() + timedelta(days=30)
    with pytest.raises(ValidationError):  # once a year
        services.add_by_hand(world.county, world.branch2, YEAR, "再次", acting_user=world.county_staff)
    assert Listing.objects.count() == 1


def test_bad_plan_and_progress_change_nothing(world: World) -> None:
    row = listed(world)
    for bad in ({"plan": " "}, {"leader": ""}, {"contact": "张" * 61}, {"plan": "方" * 2001}):
        with pytest.raises(ValidationError):
            services.save_plan(row, PLAN | bad, acting_user=world.secretary)
    with pytest.raises(ValidationError) as info:
        services.save_plan(row, PLAN, expected_version=7, acting_user=world.secretary)
    assert info.value.code == "stale"
    row.refresh_from_db()
    assert (row.state, row.plan) == (ListingState.LISTED, "")
    with pytest.raises(ValidationError):  # no progress before the plan
        services.add_progress(row, "整顿", timezone.localdate(), acting_user=world.secretary)
    row = services.save_plan(row, PLAN, acting_user=world.secretary)
    for note, on in (
        ("", timezone.localdate()),
        ("整顿", timezone.localdate() + timedelta(days=1)),
        ("整顿", "昨天"),
    ):
        with pytest.raises(ValidationError):
            services.add_progress(row, note, on, acting_user=world.secretary)
    with pytest.raises(ValidationError):
        services.add_progress(row, "整顿", timezone.localdate(), acting_user=world.member_user)
    with pytest.raises(OutOfScope):
        services.add_progress(row, "整顿", timezone.localdate(), acting_user=world.outsider)
    assert not row.progress.exists()
