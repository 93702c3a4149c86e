"""Who may take each kind of step, persona by persona: the branch's officers record the branch's
steps; the Party organization one level up files, pre-reviews, talks and approves; the approval
never by an introducer nor by whoever recorded the vote; outsiders and roles without a writing
grant get 404 (the record's existence is not confirmed)."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dangjian.accounts.roles import Role
from dangjian.core.exceptions import OutOfScope
from dangjian.development.models import Applicant
from dangjian.development.services import end_development, record_step, register_application
from dangjian.testing.world import World, add_every_role, make_user

from .helpers import days_ago, facts, person, register, township_staff, up_to

pytestmark = pytest.mark.django_db

OK, ACTOR, HIDDEN = "ok", "actor", "404"
# persona → (a branch step, a step of the level above)
MATRIX = {
    "secretary": (OK, ACTOR),
    "organizer": (OK, ACTOR),
    "township_staff": (ACTOR, OK),
    "county_staff": (ACTOR, OK),
    "province_staff": (ACTOR, OK),
    "member_user": (HIDDEN, HIDDEN),
    "supervisor": (HIDDEN, HIDDEN),
    "outsider": (HIDDEN, HIDDEN),
    "sysadmin": (HIDDEN, HIDDEN),
    "auditor": (HIDDEN, HIDDEN),
    "secadmin": (HIDDEN, HIDDEN),
}


def outcome(call: Any) -> str:
    try:
        call()
    except OutOfScope:
        return HIDDEN
    except ValidationError as exc:
        assert exc.code in ("actor", "excluded"), exc.messages
        return ACTOR
    return OK


@pytest.fixture
def people(world: World) -> World:
    add_every_role(world)
    township_staff(world)
    return world


@pytest.mark.parametrize("persona", list(MATRIX))
def test_who_records_which_step(people: World, persona: str) -> None:
    world = people
    user = world.users[persona]
    branch_step, above_step = MATRIX[persona]
    assert (
        outcome(
            lambda: register_application(world.branch, person(), applied_on=days_ago(900), acting_user=user)
        )
        == branch_step
    )
    applicant = register(world)
    assert outcome(lambda: record_step(applicant, 2, facts(world, 2), acting_user=user)) == branch_step
    up_to(world, applicant, 3)
    assert outcome(lambda: record_step(applicant, 4, facts(world, 4), acting_user=user)) == above_step
    up_to(world, applicant, 16)
    assert outcome(lambda: record_step(applicant, 17, facts(world, 17), acting_user=user)) == above_step
    other = register(world)
    expected_end = HIDDEN if branch_step == HIDDEN else OK
    assert outcome(lambda: end_development(other, note="撤回", acting_user=user)) == expected_end


def test_an_introducer_never_approves(world: World) -> None:
    introducer = make_user("introducer", Role.COMMITTEE_STAFF, world.township, member=world.member2)
    applicant = up_to(world, register(world), 16)
    with pytest.raises(ValidationError) as exc:
        record_step(applicant, 17, facts(world, 17), acting_user=introducer)
    assert exc.value.code == "excluded" and "introducer" in exc.value.messages[0]
    assert Applicant.objects.get(pk=applicant.pk).member is None


def test_whoever_recorded_the_vote_never_approves(world: World) -> None:
    # The township's staff may record branch steps only as the branch's officer: give them both.
    staff = township_staff(world)
    from dangjian.accounts.services import grant_role
    from dangjian.core.scoping import SYSTEM

    grant_role(staff, world.branch, Role.SECRETARY, acting_user=SYSTEM)
    staff.forget_grants()
    applicant = up_to(world, register(world), 14)
    record_step(applicant, 15, facts(world, 15), acting_user=staff)
    up_to(world, applicant, 16)
    with pytest.raises(ValidationError) as exc:
        record_step(applicant, 17, facts(world, 17), acting_user=staff)
    assert exc.value.code == "excluded" and "recorded the branch assembly" in exc.value.messages[0]


@pytest.mark.parametrize("persona", ["outsider", "member_user", "sysadmin"])
def test_pages_are_404_outside(world: World, persona: str) -> None:
    applicant = register(world)
    client = Client()
    client.force_login(world.users[persona])
    for url in (f"/development/{applicant.pk}/", f"/orgs/{world.branch.pk}/development/"):
        assert client.get(url).status_code == 404
    response = client.post(f"/development/{applicant.pk}/steps/2/", {"s2-on": days_ago(1).isoformat()})
    assert response.status_code == 404
    assert Applicant.objects.get(pk=applicant.pk).last_step == 1
