"""The test world's villages: a rural township of county A with two village branches, their
officers and members, and a member sent from another branch as first secretary."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from dangjian.accounts.roles import Role
from dangjian.core.exceptions import OutOfScope
from dangjian.organizations.models import Organization
from dangjian.testing.world import World, make_member, make_org, make_user
from dangjian.villagework import services
from dangjian.villagework.models import Assignment, PovertyVillage

START = date(2024, 1, 1)
PHONE = "13812345678"


@dataclass
class Villages:
    town: Organization
    village: Organization
    village2: Organization


def add_villages(world: World) -> Villages:
    town = make_org(world.county, "金桥镇党委", "430102002", "committee", "rural")
    village = make_org(town, "桃花村党支部", "430102002001", "branch", "rural")
    village2 = make_org(town, "梨园村党支部", "430102002002", "branch", "rural")
    world.users["town_staff"] = make_user("town_staff", Role.COMMITTEE_STAFF, town)
    world.users["village_secretary"] = make_user("village_secretary", Role.SECRETARY, village)
    villager = make_member(village, "赵村民")
    world.users["village_member"] = make_user("village_member", Role.MEMBER, village, member=villager)
    sent = make_member(world.branch2, "刘强", birth=date(1985, 2, 3))
    world.users["first_secretary"] = make_user("first_secretary", Role.MEMBER, world.branch2, member=sent)
    return Villages(town, village, village2)


def flagged(world: World, v: Villages, village: Organization | None = None) -> PovertyVillage:
    return services.flag_village(
        world.county, village or v.village, START, "建档立卡贫困村", acting_user=world.county_staff
    )


def first_secretary(world: World, v: Villages, **extra: Any) -> Assignment:
    data = {
        "role": "first_secretary",
        "name": "刘强",
        "sending_unit": "县财政局",
        "phone": PHONE,
        "start": START,
        "member": world.first_secretary.member,
        **extra,
    }
    return services.assign(world.county, v.village, data, acting_user=world.county_staff)


def outcome(write: Any) -> str:
    """ "ok", "404" or "refused" for a write, always rolled back."""
    try:
        with transaction.atomic():
            write()
            transaction.set_rollback(True)
    except OutOfScope:
        return "404"
    except ValidationError:
        return "refused"
    return "ok"


def client(world: World, persona: str, *, english: bool = False) -> Client:
    c = Client()
    if english:
        c.cookies["django_language"] = "en"
    c.force_login(world.users[persona])
    return c
