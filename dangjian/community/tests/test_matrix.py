"""Who may do what (docs/community.md, "Who may do what"), cell by cell: "ok", "404" (outside
the reach: existence not confirmed), or the refusal's code (in reach, not allowed: nothing
changed). Each write is rolled back after it is tried."""

from datetime import date
from typing import Any

import pytest

from dangjian.accounts.roles import Role
from dangjian.community import services
from dangjian.community.models import Commitment, Pairing, Post, Registration, ServiceTask
from dangjian.testing.world import World, make_user

from .helpers import Workplace, accepted, add_workplace, outcome, registered, task

PERSONAS = ["worker", "secretary", "work_secretary", "colleague", "member_user", "outsider", "county_staff"]


@pytest.fixture
def place(world: World) -> Workplace:
    return add_workplace(world)


def _reads(model: Any, pk: int, world: World) -> dict[str, bool]:
    return {p: model.objects.restrict(world.users[p], "view").filter(pk=pk).exists() for p in PERSONAS}


def test_registration_reads(world: World, place: Workplace) -> None:
    row = registered(world, place)
    one = _reads(Registration, row.pk, world)
    # The member, the community branch, the home branch (read only) and the county above both.
    assert one == {
        "worker": True,
        "secretary": True,
        "work_secretary": True,
        "colleague": False,  # another member of the home branch
        "member_user": False,  # a member of the community branch
        "outsider": False,
        "county_staff": True,
    }


@pytest.mark.parametrize(
    ("move", "expected"),
    [
        (
            "accept",
            {
                "worker": "actor",
                "secretary": "ok",
                "work_secretary": "actor",
                "colleague": "404",
                "outsider": "404",
                "county_staff": "ok",
            },
        ),
        (
            "decline",
            {
                "worker": "actor",
                "secretary": "ok",
                "work_secretary": "actor",
                "colleague": "404",
                "outsider": "404",
                "county_staff": "ok",
            },
        ),
        (
            "withdraw",
            {
                "worker": "ok",
                "secretary": "actor",
                "work_secretary": "actor",
                "colleague": "404",
                "outsider": "404",
                "county_staff": "actor",
            },
        ),
    ],
)
def test_registration_moves_while_requested(
    world: World, place: Workplace, move: str, expected: dict[str, str]
) -> None:
    row = registered(world, place)
    got = {
        p: outcome(
            lambda p=p: services.REGISTRATION_MOVES[move](row, note="理由", acting_user=world.users[p])
        )
        for p in expected
    }
    assert got == expected
    assert Registration.objects.get(pk=row.pk).state == "requested"


def test_ending_an_accepted_registration(world: World, place: Workplace) -> None:
    row = accepted(world, place)
    got = {
        p: outcome(
            lambda p=p: services.REGISTRATION_MOVES["end"](row, note="搬家", acting_user=world.users[p])
        )
        for p in ("worker", "secretary", "work_secretary", "colleague", "outsider")
    }
    assert got == {
        "worker": "ok",
        "secretary": "ok",
        "work_secretary": "actor",
        "colleague": "404",
        "outsider": "404",
    }


def test_tasks_given_reported_and_confirmed(world: World, place: Workplace) -> None:
    row = accepted(world, place)
    data = {"title": "巡逻", "on": date(2026, 3, 1), "hours_expected": 2}
    given = {
        p: outcome(lambda p=p: services.assign_task(row, data, acting_user=world.users[p]))
        for p in ("worker", "secretary", "work_secretary", "colleague", "outsider")
    }
    assert given == {
        "worker": "invalid",
        "secretary": "ok",
        "work_secretary": "invalid",
        "colleague": "404",
        "outsider": "404",
    }
    one = task(world, place, row)
    reported = {
        p: outcome(lambda p=p: services.report_task(one, 2, acting_user=world.users[p]))
        for p in ("worker", "secretary", "work_secretary", "colleague", "outsider")
    }
    assert reported == {
        "worker": "ok",
        "secretary": "actor",
        "work_secretary": "actor",
        "colleague": "404",
        "outsider": "404",
    }
    services.report_task(one, 2, acting_user=world.worker)
    confirmed = {
        p: outcome(lambda p=p: services.confirm_task(one, acting_user=world.users[p]))
        for p in ("worker", "secretary", "work_secretary", "colleague", "outsider", "county_staff")
    }
    assert confirmed == {
        "worker": "actor",
        "secretary": "ok",
        "work_secretary": "actor",
        "colleague": "404",
        "outsider": "404",
        "county_staff": "ok",
    }
    assert _reads(ServiceTask, one.pk, world)["work_secretary"] is True
    assert _reads(ServiceTask, one.pk, world)["member_user"] is False


def _second_member(world: World) -> None:
    world.users["member2_user"] = make_user("member2_user", Role.MEMBER, world.branch, member=world.member2)


def test_commitments(world: World) -> None:
    _second_member(world)
    people = ("member_user", "member2_user", "secretary", "outsider")
    made = {
        p: outcome(
            lambda p=p: services.make_commitment(
                world.member, 2026, "带头垃圾分类", acting_user=world.users[p]
            )
        )
        for p in people
    }
    assert made == {"member_user": "ok", "member2_user": "invalid", "secretary": "ok", "outsider": "404"}
    row = services.make_commitment(world.member, 2026, "带头垃圾分类", acting_user=world.member_user)
    assert row.by_member
    edited = {
        p: outcome(
            lambda p=p: services.edit_commitment(row, "带头垃圾分类，每月一次", acting_user=world.users[p])
        )
        for p in people
    }
    assert edited == {"member_user": "ok", "member2_user": "invalid", "secretary": "ok", "outsider": "404"}
    assessed = {
        p: outcome(lambda p=p: services.assess(row, "done", acting_user=world.users[p])) for p in people
    }
    assert assessed == {
        "member_user": "invalid",
        "member2_user": "invalid",
        "secretary": "ok",
        "outsider": "404",
    }
    services.assess(row, "partly", "只做到半年", acting_user=world.secretary)
    # Once assessed, the member no longer changes it; the branch still may.
    assert outcome(lambda: services.edit_commitment(row, "改", acting_user=world.member_user)) == "invalid"
    assert Commitment.objects.get(pk=row.pk).text == "带头垃圾分类"
    published = {
        p: outcome(lambda p=p: services.publish(world.branch, 2026, acting_user=world.users[p]))
        for p in people
    }
    assert published == {"member_user": "404", "member2_user": "404", "secretary": "ok", "outsider": "404"}


def test_posts(world: World) -> None:
    made = {
        p: outcome(
            lambda p=p: services.create_post(
                world.branch, {"name": "政策宣传岗", "duties": "宣传政策"}, acting_user=world.users[p]
            )
        )
        for p in ("member_user", "secretary", "outsider", "county_staff")
    }
    assert made == {"member_user": "404", "secretary": "ok", "outsider": "404", "county_staff": "ok"}
    post = services.create_post(
        world.branch, {"name": "政策宣传岗", "duties": "宣传政策"}, acting_user=world.secretary
    )
    assigned = {
        p: outcome(lambda p=p: services.assign(post, world.member, acting_user=world.users[p]))
        for p in ("member_user", "secretary", "outsider")
    }
    assert assigned == {"member_user": "404", "secretary": "ok", "outsider": "404"}
    # A member of another branch is not put on the post.
    assert (
        outcome(lambda: services.assign(post, world.member_b, acting_user=world.province_staff)) == "invalid"
    )
    assert {
        p: Post.objects.restrict(world.users[p]).filter(pk=post.pk).exists()
        for p in ("member_user", "outsider")
    } == {
        "member_user": True,
        "outsider": False,
    }


def test_pairings(world: World) -> None:
    _second_member(world)
    data = {
        "head_name": "陈大爷",
        "address": "定王台街道5号",
        "phone": "13912345678",
        "difficulty": "独居老人",
        "started_on": date(2026, 1, 1),
    }
    people = ("member_user", "member2_user", "secretary", "outsider")
    made = {
        p: outcome(
            lambda p=p: services.create_pairing(world.branch, world.member, data, acting_user=world.users[p])
        )
        for p in people
    }
    assert made == {"member_user": "404", "member2_user": "404", "secretary": "ok", "outsider": "404"}
    row = services.create_pairing(world.branch, world.member, data, acting_user=world.secretary)
    reads = {p: Pairing.objects.restrict(world.users[p]).filter(pk=row.pk).exists() for p in people}
    assert reads == {"member_user": True, "member2_user": False, "secretary": True, "outsider": False}
    visited = {
        p: outcome(
            lambda p=p: services.log_visit(row, date(2026, 3, 1), "送米送油", acting_user=world.users[p])
        )
        for p in people
    }
    assert visited == {"member_user": "ok", "member2_user": "404", "secretary": "ok", "outsider": "404"}
    ended = {
        p: outcome(lambda p=p: services.end_pairing(row, "已脱困", acting_user=world.users[p]))
        for p in people
    }
    assert ended == {"member_user": "invalid", "member2_user": "404", "secretary": "ok", "outsider": "404"}
