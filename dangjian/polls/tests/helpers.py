"""A branch poll and the voters of the test world (张伟 = member_user, 李娜 = voter2)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.polls.models import Poll
from dangjian.polls.services import create_poll, open_poll
from dangjian.testing.world import World, make_member, make_user


def add_voters(world: World) -> dict[str, User]:
    """A second full member with an account, and a probationary member with one."""
    probationary = make_member(world.branch, "赵预备", category="probationary", full_date=None)
    users = {
        "voter2": make_user("voter2", Role.MEMBER, world.branch, member=world.member2),
        "probationer": make_user("probationer", Role.MEMBER, world.branch, member=probationary),
    }
    world.users.update(users)
    return users


def make_poll(world: World, *, opened: bool = True, **data: Any) -> Poll:
    fields: dict[str, Any] = {
        "title": "支部活动地点",
        "kind": "single",
        "anonymous": True,
        "electorate": "branch",
        "closes_at": timezone.now() + timedelta(days=2),
    }
    options = data.pop("options", ["红色教育基地", "社区党群服务中心", "线上"])
    extra = {k: data.pop(k) for k in ("party_group", "members") if k in data}
    fields.update(data)
    poll = create_poll(world.branch, fields, options, acting_user=world.secretary, **extra)
    if opened:
        poll = open_poll(poll, acting_user=world.secretary)
    return poll


def option_ids(poll: Poll) -> list[int]:
    return list(poll.options.values_list("pk", flat=True))


def open_poll_in(branch: Any) -> Poll:
    """An open poll of any branch, made by the console (for tests of other apps' scope)."""
    from dangjian.core.scoping import SYSTEM

    poll = create_poll(
        branch,
        {"title": f"投票{branch.code}", "closes_at": timezone.now() + timedelta(days=2)},
        ["甲", "乙"],
        acting_user=SYSTEM,
    )
    return open_poll(poll, acting_user=SYSTEM)
