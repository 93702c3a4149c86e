"""Building blocks for the theme practice tests: the default world (whose branches are community
branches of 芙蓉区) plus a workplace branch in the same county, with a member who lives in the
first community, the workplace branch's secretary, and a member of that branch with an account.

Personas: `secretary` (officer of the community branch `world.branch`), `worker` (the in-service
member, of `workplace`), `work_secretary` (officer of the home branch), `colleague` (another
member of the home branch), `member_user` (a member of the community branch), `outsider` (staff
of the other county), `county_staff`.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.accounts.roles import Role
from dangjian.community import services
from dangjian.community.models import Registration, ServiceTask
from dangjian.core.exceptions import OutOfScope
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.testing.world import World, make_member, make_org, make_user


@dataclass
class Workplace:
    branch: Organization
    worker: Member
    colleague: Member


def add_workplace(world: World) -> Workplace:
    branch = make_org(world.county, "区财政局机关党支部", "430102900001", "branch", "government")
    worker = make_member(branch, "赵强")
    colleague = make_member(branch, "钱敏", gender="female")
    world.users["worker"] = make_user("worker", Role.MEMBER, branch, member=worker)
    world.users["colleague"] = make_user("colleague", Role.MEMBER, branch, member=colleague)
    world.users["work_secretary"] = make_user("work_secretary", Role.SECRETARY, branch)
    return Workplace(branch, worker, colleague)


def registered(world: World, place: Workplace) -> Registration:
    return services.register(place.worker, world.branch, "定王台小区3栋", acting_user=world.worker)


def accepted(world: World, place: Workplace) -> Registration:
    return services.REGISTRATION_MOVES["accept"](registered(world, place), acting_user=world.secretary)


def task(
    world: World, place: Workplace, registration: Registration | None = None, **extra: Any
) -> ServiceTask:
    data = {"title": "社区环境整治", "on": date(2026, 3, 5), "hours_expected": 3, **extra}
    return services.assign_task(registration or accepted(world, place), data, acting_user=world.secretary)


def outcome(write: Any) -> str:
    """What `write()` does: "ok", "404", or the refusal's code ("invalid" without one); rolled back."""
    try:
        with transaction.atomic():
            write()
            transaction.set_rollback(True)
    except OutOfScope:
        return "404"
    except ValidationError as exc:
        return str(getattr(exc, "code", None) or "invalid")
    return "ok"
