"""Honours (point 25): who may take each move of a call and a nomination, per persona — the
nominating officers, one level up, the calling committee, never the proposer nor the nominee,
outsiders 404 — the public notice's five working days, objections, and publication."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.accounts.services import grant_role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry, StateChange
from dangjian.core.scoping import SYSTEM
from dangjian.core.workdays import nth_workday, workdays_between
from dangjian.feed.models import FeedItem, FeedKind
from dangjian.honours import services
from dangjian.honours.models import CallState, Nomination, NominationState
from dangjian.honours.workflows import NOMINATION_FLOW
from dangjian.testing.world import World, make_member, make_user

from .helpers import call_of, end_publicity, nominate, outcome


@pytest.fixture
def township_staff(world: World) -> Any:
    return make_user("township_staff", Role.COMMITTEE_STAFF, world.township)


def test_working_days_skip_weekends() -> None:
    friday = date(2026, 7, 3)
    assert nth_workday(friday, 5) == date(2026, 7, 9)  # Fri, Mon, Tue, Wed, Thu
    assert nth_workday(date(2026, 7, 4), 1) == date(2026, 7, 6)  # a Saturday start counts from Monday
    assert workdays_between(friday, date(2026, 7, 9)) == 5
    assert workdays_between(friday, friday - timedelta(days=1)) == 0


def test_who_may_move_a_call(world: World) -> None:
    call = call_of(world, opened=False)
    expected = {
        "county_staff": "ok",
        "province_staff": "ok",  # above covers the county
        "secretary": "404",  # a branch does not read the county's call record
        "member_user": "404",
        "outsider": "404",
        "auditor": "404",
    }
    for persona, result in expected.items():
        assert (persona, outcome(call, "open", world.users[persona])) == (persona, result)
    services.open_call(call, acting_user=world.county_staff)
    assert outcome(call, "open", world.county_staff) == "transition"
    assert outcome(call, "cancel", world.county_staff, note="") == "invalid"  # a reason is needed


def test_who_may_take_each_move_of_a_branch_nomination(world: World, township_staff: Any) -> None:
    call = call_of(world)
    draft = nominate(world, call, submit=False)
    submit = {
        "secretary": "ok",  # the branch's own officer
        "township_staff": "actor",  # above: reviews, does not nominate for the branch
        "county_staff": "actor",
        "member_user": "actor",
        "outsider": "404",
    }
    users = world.users | {"township_staff": township_staff}
    for persona, result in submit.items():
        assert (persona, outcome(draft, "submit", users[persona])) == (persona, result)
    submitted = services.submit_nomination(draft, acting_user=world.secretary)
    recommend = {
        "township_staff": "ok",  # one level up
        "county_staff": "ok",  # covers the township too
        "secretary": "actor",  # not the level above its own branch
        "member_user": "actor",
        "outsider": "404",
    }
    for persona, result in recommend.items():
        assert (persona, outcome(submitted, "recommend", users[persona])) == (persona, result)
    # The county decides only once the township has recommended.
    assert outcome(submitted, "approve", world.county_staff) == "actor"
    assert [t.name for t in NOMINATION_FLOW.allowed(township_staff, submitted)] == ["recommend", "reject"]
    recommended = services.recommend_nomination(submitted, acting_user=township_staff)
    approve = {
        "county_staff": "ok",
        "province_staff": "ok",
        "township_staff": "actor",  # not the calling committee
        "secretary": "actor",
        "outsider": "404",
    }
    for persona, result in approve.items():
        assert (persona, outcome(recommended, "approve", users[persona])) == (persona, result)
    assert NOMINATION_FLOW.allowed(world.secretary, recommended) == []


def test_a_township_nomination_goes_straight_to_the_county(world: World, township_staff: Any) -> None:
    call = call_of(world)
    nomination = services.create_nomination(
        call,
        world.township,
        {"category": "branch", "nominee_organization": world.branch2, "story": "服务群众成效显著"},
        acting_user=township_staff,
    )
    nomination = services.submit_nomination(nomination, acting_user=township_staff)
    assert outcome(nomination, "recommend", world.county_staff) == "actor"  # the county is the caller
    assert outcome(nomination, "approve", world.county_staff) == "ok"


def test_not_the_proposer_and_not_the_nominee(world: World) -> None:
    call = call_of(world)
    double_hat = make_user("double_hat", Role.COMMITTEE_STAFF, world.township)
    grant_role(double_hat, world.branch, Role.SECRETARY, acting_user=SYSTEM)
    double_hat.forget_grants()
    mine = services.create_nomination(
        call,
        world.branch,
        {"category": "member", "nominee_member": world.member2, "story": "事迹"},
        acting_user=double_hat,
    )
    mine = services.submit_nomination(mine, acting_user=double_hat)
    assert outcome(mine, "recommend", double_hat) == "excluded"  # submitted it
    assert outcome(mine, "recommend", world.county_staff) == "ok"
    staff_member = make_member(world.branch, "赵强")
    nominee_staff = make_user("nominee_staff", Role.COMMITTEE_STAFF, world.county, member=staff_member)
    about_me = nominate(world, call, nominee_member=staff_member)
    about_me = services.recommend_nomination(about_me, acting_user=world.county_staff)
    assert outcome(about_me, "approve", nominee_staff) == "excluded"  # their own nomination
    assert outcome(about_me, "approve", world.province_staff) == "ok"


def test_a_stale_move_changes_nothing(world: World) -> None:
    call = call_of(world)
    nomination = nominate(world, call)
    with pytest.raises(ValidationError) as info:
        services.recommend_nomination(nomination, expected_version=0, acting_user=world.county_staff)
    assert info.value.code == "stale"
    assert Nomination.objects.get(pk=nomination.pk).state == NominationState.SUBMITTED


def test_bad_nominations_are_refused_and_change_nothing(world: World) -> None:
    call = call_of(world, categories=["member"])
    before = Nomination.objects.count()
    for bad in (
        {"category": "branch", "nominee_organization": world.branch},  # not given by this call
        {"nominee_member": world.member_b},  # another county's member
        {"story": " "},
        {"category": "leader", "nominee_member": world.member},
    ):
        with pytest.raises(ValidationError):
            nominate(world, call, submit=False, **bad)
    with pytest.raises(OutOfScope):
        services.create_nomination(
            call,
            world.branch_b,
            {"category": "member", "nominee_member": world.member_b, "story": "x"},
            acting_user=world.secretary,
        )
    with pytest.raises(ValidationError):  # staff above do not nominate for the branch
        services.create_nomination(
            call,
            world.branch,
            {"category": "member", "nominee_member": world.member, "story": "x"},
            acting_user=world.county_staff,
        )
    nominate(world, call)
    with pytest.raises(ValidationError):  # the same member twice for the same honour
        nominate(world, call)
    assert Nomination.objects.count() == before + 1
    with pytest.raises(ValidationError):  # a call with no time for the public notice
        call_of(world, publish_by=timezone.localdate() + timedelta(days=11))


def _approved(world: World) -> tuple[Any, Nomination, Nomination]:
    call = call_of(world)
    kept = nominate(world, call)
    objected = nominate(world, call, nominee_member=world.member)
    rejected = nominate(
        world, call, category="branch", nominee_member=None, nominee_organization=world.branch
    )
    for n in (kept, objected, rejected):
        services.recommend_nomination(n, acting_user=world.county_staff)
    services.approve_nomination(kept, acting_user=world.province_staff)
    services.approve_nomination(objected, acting_user=world.province_staff)
    services.close_call(call, acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # one still waits for a decision
        services.publicise_call(call, acting_user=world.county_staff)
    services.reject_nomination(rejected, note="事迹材料不充分", acting_user=world.province_staff)
    return call, kept, objected


def test_public_notice_objections_and_publication(world: World) -> None:
    call, kept, objected = _approved(world)
    with pytest.raises(ValidationError):  # fewer than five working days
        services.publicise_call(call, until=timezone.localdate(), acting_user=world.county_staff)
    call = services.publicise_call(call, acting_user=world.county_staff)
    assert (
        call.state == CallState.PUBLICITY and workdays_between(call.publicity_from, call.publicity_until) == 5
    )
    with pytest.raises(ValidationError):  # the notice has not run its days
        services.publish_call(call, acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # outside the county
        services.raise_objection(
            kept, "不属实", acting_user=make_user("m_b", Role.MEMBER, world.branch_b, member=world.member_b)
        )
    answered = services.raise_objection(kept, "事迹有夸大", acting_user=world.member_user)
    upheld = services.raise_objection(objected, "曾受党内警告处分", acting_user=world.member_user)
    end_publicity(call)
    with pytest.raises(ValidationError):  # objections unanswered
        services.publish_call(call, acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # the branch does not answer
        services.answer_objection(answered, "经核实属实", upheld=False, acting_user=world.secretary)
    services.answer_objection(answered, "经核实，事迹属实", upheld=False, acting_user=world.county_staff)
    services.answer_objection(upheld, "经核实，处分期未满", upheld=True, acting_user=world.county_staff)
    objected.refresh_from_db()
    assert (objected.state, objected.review_note) == (NominationState.REJECTED, "经核实，处分期未满")
    call = services.publish_call(call, acting_user=world.county_staff)
    assert call.state == CallState.PUBLISHED
    kept.refresh_from_db()
    assert kept.published_at is not None
    items = FeedItem.objects.filter(kind=FeedKind.HONOUR)
    assert [(i.organization_id, i.title) for i in items] == [
        (world.branch.pk, "李娜 · Outstanding Party member")
    ]
    moves = list(StateChange.of(kept).values_list("move", flat=True))
    assert moves == ["create", "submit", "recommend", "approve"]
    assert AuditEntry.objects.filter(action="honour_call.publish", success=True).count() == 1
