"""Building blocks for the development tests, all through the services: a person registered in
the test world's first branch and taken, step by step with valid facts, up to any step."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.idnumber import generate_id_number
from dangjian.core.scoping import SYSTEM
from dangjian.development.models import Applicant
from dangjian.development.services import record_step, register_application
from dangjian.members.models import Member
from dangjian.members.validation import id_bidx
from dangjian.testing.world import World, make_user
from dangjian.transfers.tests.helpers import closed_assembly

_serial = [0]


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def id_number(birth: date = date(1998, 4, 12), gender: str = "male") -> str:
    """A valid ID number no applicant or member has yet: only 500 exist per birth date and
    gender, so a fresh draw can repeat one (deterministic: the draws follow a counter)."""
    import random

    while True:
        _serial[0] += 1
        number = generate_id_number(random.Random(_serial[0] * 7919), birth, gender)
        bidx = id_bidx(number)
        if not (
            Applicant.objects.filter(id_number_bidx=bidx).exists()
            or Member.objects.filter(id_number_bidx=bidx).exists()
        ):
            return number


def person(**extra: Any) -> dict[str, Any]:
    return {
        "name": "赵小明",
        "ethnicity": "汉族",
        "education": "bachelor",
        "occupation": "worker",
        "id_number": id_number(),
        "phone": "13912345678",
        **extra,
    }


def township_staff(world: World) -> User:
    """The Party organization one level above the branch (the township's working committee)."""
    if "township_staff" not in world.users:
        world.users["township_staff"] = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    return world.users["township_staff"]


def register(world: World, applied_on: date | None = None, **extra: Any) -> Applicant:
    return register_application(
        world.branch, person(**extra), applied_on=applied_on or days_ago(900), acting_user=world.secretary
    )


# The facts of each step that pass its rule, dated so that every interval holds (days ago).
DAYS = {2: 890, 3: 880, 4: 870, 5: 860, 7: 500, 8: 490, 9: 480, 10: 470, 11: 460, 12: 450, 13: 420}
DAYS.update({14: 410, 15: 60, 16: 50, 17: 40, 18: 30})


def facts(world: World, number: int) -> dict[str, Any]:
    data: dict[str, Any] = {"on": days_ago(DAYS.get(number, 0)), "note": f"第{number}步"}
    if number == 2 or number == 16:
        data["actor"] = "王书记"
    if number == 3:
        data["recommendation"] = "league"
    if number == 5:
        data["people"] = [world.member]
    if number == 9:
        data["people"] = [world.member, world.member2]
    if number == 10:
        data["conclusion"] = "政治审查合格"
    if number == 11:
        data.update(training_days=3, training_hours=0)
    if number == 12:
        data["conclusion"] = "同意接收"
    if number == 13:
        data.update(notice_from=days_ago(440), notice_until=days_ago(430), conclusion="预审通过")
    if number == 14:
        data["form_number"] = "No.2026001"
    if number == 15:
        data.update(
            meeting=closed_assembly(world.branch, days_ago(60)), should_attend=2, present=2, votes_for=2
        )
    return data


def actor_for(world: World, number: int) -> Any:
    return township_staff(world) if number in (4, 8, 13, 16, 17, 18) else world.secretary


def take(world: World, applicant: Applicant, number: int, **changes: Any) -> Any:
    applicant.refresh_from_db()
    return record_step(
        applicant, number, {**facts(world, number), **changes}, acting_user=actor_for(world, number)
    )


def assess(world: World, applicant: Applicant) -> None:
    """Two half-yearly assessments after step 5 (activist for 880 days, candidate at 500)."""
    for ago in (730, 550):
        applicant.refresh_from_db()
        record_step(applicant, 6, {"on": days_ago(ago), "note": "表现良好"}, acting_user=world.secretary)


def up_to(world: World, applicant: Applicant, last: int) -> Applicant:
    """Take the steps after the applicant's last one up to `last` (inclusive), as their actors."""
    applicant.refresh_from_db()
    for number in range(applicant.last_step + 1, last + 1):
        if number == 6:
            assess(world, applicant)
            continue
        take(world, applicant, number)
    applicant.refresh_from_db()
    return applicant


__all__ = ["SYSTEM", "township_staff"]
